# -*- coding: utf-8 -*-
"""Tägliche Aggregation der Umsätze (données de vente)."""
from pyspark import SparkConf
from pyspark.sql import SparkSession

conf = (
    SparkConf()
    .setAppName("umsätze_täglich")
    .set("spark.executor.memory", "12g")  # Größe je Executor  # de-agent: out_of_memory_executor 3f9c2a7b1d4e5f60
    .set("spark.executor.cores", "4")
)

spark = SparkSession.builder.config(conf=conf).getOrCreate()
spark.table("vertrieb.umsätze").groupBy("filiale").count().write.saveAsTable("vertrieb.zählung")

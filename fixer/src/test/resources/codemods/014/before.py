# -*- coding: utf-8 -*-
"""Tägliche Aggregation der Umsätze (données de vente)."""
from pyspark import SparkConf
from pyspark.sql import SparkSession

conf = (
    SparkConf()
    .setAppName("umsätze_täglich")
    .set("spark.executor.memory", "6g")  # Größe je Executor
    .set("spark.executor.cores", "4")
)

spark = SparkSession.builder.config(conf=conf).getOrCreate()
spark.table("vertrieb.umsätze").groupBy("filiale").count().write.saveAsTable("vertrieb.zählung")

# -*- coding: utf-8 -*-
# Überweisungen: tägliche Verarbeitung (größte Tabelle)
from pyspark import SparkConf
from pyspark import SparkContext

conf = (SparkConf()
        .setAppName("Überweisungen")
        .set("spark.executor.memory", "6g")
        .set("spark.executor.memoryOverhead", "2g"))  # de-agent: container_killed_memory 3f9c2a7b1d4e5f60

sc = SparkContext(conf=conf)

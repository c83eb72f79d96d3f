# -*- coding: utf-8 -*-
# Überweisungen: tägliche Verarbeitung (größte Tabelle)
from pyspark import SparkConf
from pyspark import SparkContext

conf = (SparkConf()
        .setAppName("Überweisungen")
        .set("spark.executor.memory", "6g")
        .set("spark.executor.memoryOverhead", "2g"))

sc = SparkContext(conf=conf)

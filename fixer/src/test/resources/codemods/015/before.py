from pyspark import SparkConf
from pyspark.sql import SparkSession

# Données clients : agrégation hebdomadaire
conf = SparkConf()
conf.setAppName("données_clients")
conf.set("spark.executor.memory", "16g")
conf.set("spark.executor.cores", "5")  # cinq cœurs

spark = (SparkSession.builder
         .config(conf=conf)
         .enableHiveSupport()
         .getOrCreate())

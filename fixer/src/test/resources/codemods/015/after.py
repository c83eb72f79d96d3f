from pyspark import SparkConf
from pyspark.sql import SparkSession

# Données clients : agrégation hebdomadaire
conf = SparkConf()
conf.setAppName("données_clients")
conf.set("spark.executor.memory", "16g")
conf.set("spark.executor.cores", "5")  # cinq cœurs
conf.set("spark.executor.memoryOverhead", "3584m")  # de-agent: container_killed_memory 3f9c2a7b1d4e5f60

spark = (SparkSession.builder
         .config(conf=conf)
         .enableHiveSupport()
         .getOrCreate())

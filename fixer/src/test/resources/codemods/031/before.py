from pyspark import SparkConf
from pyspark.sql import SparkSession

# Délai déjà relevé l'an dernier : « 30 min »
conf = SparkConf()
conf.set("spark.sql.broadcastTimeout", "30min")

spark = SparkSession.builder.config(conf=conf).getOrCreate()

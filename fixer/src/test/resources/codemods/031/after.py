from pyspark import SparkConf
from pyspark.sql import SparkSession

# Délai déjà relevé l'an dernier : « 30 min »
conf = SparkConf()
conf.set("spark.sql.broadcastTimeout", "30min")
conf.set("spark.sql.autoBroadcastJoinThreshold", "-1")  # de-agent: broadcast_timeout 3f9c2a7b1d4e5f60

spark = SparkSession.builder.config(conf=conf).getOrCreate()

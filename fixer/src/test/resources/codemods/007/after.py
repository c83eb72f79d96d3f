from pyspark import SparkConf, SparkContext

conf = SparkConf().setAppName("joins").set("spark.sql.broadcastTimeout", "1200")  # de-agent: broadcast_timeout 3f9c2a7b1d4e5f60
sc = SparkContext(conf=conf)

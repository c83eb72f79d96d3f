from pyspark import SparkConf, SparkContext

conf = SparkConf().setAppName("joins").set("spark.sql.broadcastTimeout", "300")
sc = SparkContext(conf=conf)

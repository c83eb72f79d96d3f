from pyspark import SparkConf, SparkContext

conf = SparkConf().setAppName("joins").set("spark.sql.broadcastTimeout", "1200")
sc = SparkContext(conf=conf)

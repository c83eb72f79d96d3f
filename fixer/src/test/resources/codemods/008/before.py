from pyspark.sql import SparkSession

spark = SparkSession.builder.appName('dim_join').getOrCreate()

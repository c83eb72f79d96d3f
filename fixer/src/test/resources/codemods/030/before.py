from pyspark.sql import SparkSession

spark = SparkSession.builder \
    .appName("Zahlungsabgleich – täglich") \
    .getOrCreate()

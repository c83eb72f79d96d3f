from pyspark.sql import SparkSession

spark = (SparkSession.builder
         .appName("Rückläufer")
         .config("spark.driver.maxResultSize", "0")  # unbegrenzt
         .getOrCreate())

from pyspark.sql import SparkSession

spark = (SparkSession.builder
         .config("spark.executor.memory", "32g")
         .getOrCreate())

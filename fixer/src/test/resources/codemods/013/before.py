import pyspark.sql

spark = pyspark.sql.SparkSession.builder \
    .config("spark.executor.memory", "24G") \
    .getOrCreate()

import pyspark.sql

spark = pyspark.sql.SparkSession.builder \
    .config("spark.executor.memory", "32g") \
    .getOrCreate()

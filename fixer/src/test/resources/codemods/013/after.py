import pyspark.sql

spark = pyspark.sql.SparkSession.builder \
    .config("spark.executor.memory", "32g") \
    .getOrCreate()  # de-agent: out_of_memory_executor 3f9c2a7b1d4e5f60

from pyspark.sql import SparkSession

spark = (SparkSession.builder
         .appName("orders")  # the orders rollup
         .config("spark.executor.memory", "8g")  # de-agent: out_of_memory_executor 3f9c2a7b1d4e5f60
         .getOrCreate())
df = spark.read.parquet("s3://bucket/orders/")

from pyspark.sql import SparkSession

spark = (SparkSession.builder
         .appName("orders")  # the orders rollup
         .config("spark.executor.memory", "8g")
         .getOrCreate())
df = spark.read.parquet("s3://bucket/orders/")

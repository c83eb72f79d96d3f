from pyspark.sql import SparkSession

spark = (SparkSession.builder
         .appName("orders")  # the orders rollup
         .getOrCreate())
df = spark.read.parquet("s3://bucket/orders/")

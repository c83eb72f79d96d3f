from pyspark.sql import SparkSession

spark = SparkSession.builder.appName('dim_join').config('spark.sql.broadcastTimeout', '1200').getOrCreate()  # de-agent: broadcast_timeout 3f9c2a7b1d4e5f60

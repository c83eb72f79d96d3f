from pyspark.sql import SparkSession

spark = SparkSession.builder.appName('dim_join').config('spark.sql.broadcastTimeout', '1200').getOrCreate()

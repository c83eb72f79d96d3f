from pyspark.sql import SparkSession
spark = SparkSession.builder.appName("small").config("spark.driver.memory", "512m").getOrCreate()
print(spark.range(10).count())

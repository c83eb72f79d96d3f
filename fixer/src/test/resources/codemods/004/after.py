from pyspark.sql import SparkSession
spark = SparkSession.builder.appName("small").config("spark.driver.memory", "1g").getOrCreate()  # de-agent: out_of_memory_driver 3f9c2a7b1d4e5f60
print(spark.range(10).count())

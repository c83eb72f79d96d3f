from pyspark.sql import SparkSession

# Alter Job (Spark 2), Überhang in MiB
spark = (SparkSession.builder
         .config("spark.executor.memory", "4g")
         .config("spark.yarn.executor.memoryOverhead", "1024")
         .getOrCreate())

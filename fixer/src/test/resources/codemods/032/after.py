from pyspark.sql import SparkSession

# Alter Job (Spark 2), Überhang in MiB
spark = (SparkSession.builder
         .config("spark.executor.memory", "4g")
         .config("spark.yarn.executor.memoryOverhead", "2g")  # de-agent: container_killed_memory 3f9c2a7b1d4e5f60
         .getOrCreate())

from pyspark.sql import SparkSession

# nightly ledger job

spark = (
    SparkSession.builder
    .appName("ledger")
    .config("spark.executor.memory", "8g")  # tuned in 2023
    .config("spark.executor.cores", "4")
    .getOrCreate()
)

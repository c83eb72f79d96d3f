from pyspark.sql import SparkSession

# nightly ledger job

spark = (
    SparkSession.builder
    .appName("ledger")
    .config("spark.executor.memory", "8g")  # tuned in 2023  # de-agent: out_of_memory_executor 3f9c2a7b1d4e5f60
    .config("spark.executor.cores", "4")
    .getOrCreate()
)

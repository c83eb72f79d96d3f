from pyspark.sql import SparkSession

spark = SparkSession.builder \
    .appName("collect_report") \
    .config("spark.sql.shuffle.partitions", "400") \
    .config("spark.driver.memory", "8g") \
    .getOrCreate()  # de-agent: out_of_memory_driver 3f9c2a7b1d4e5f60

rows = spark.table("db.report").collect()

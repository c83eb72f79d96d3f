from pyspark.sql import SparkSession

spark = SparkSession.builder \
    .appName("collect_report") \
    .config("spark.sql.shuffle.partitions", "400") \
    .getOrCreate()

rows = spark.table("db.report").collect()

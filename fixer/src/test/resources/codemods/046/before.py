from pyspark.sql import SparkSession
from pyspark.sql.functions import broadcast, col

spark = SparkSession.builder.getOrCreate()
länder = spark.read.parquet("s3://lake/dim_country/")
events = spark.table("raw.events")

# Länder links, Ereignisse rechts
angereichert = länder.join(events, länder.code == events.country_code).filter(col("größe") > 0)

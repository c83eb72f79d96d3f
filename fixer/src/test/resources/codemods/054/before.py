from pyspark.sql import SparkSession

spark = SparkSession.builder.config("spark.executor.memory", "8g").getOrCreate()
kunden = spark.table("crm.kunden")

# Viele Länder je Aufgabe: jeder Writer hält Puffer für jede Partition (Größe!)
(
    kunden
    .write
    .partitionBy("land")
    .mode("overwrite")
    .parquet("s3://bucket/export/kunden/")
)

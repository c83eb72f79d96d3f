from pyspark.sql import SparkSession

spark = SparkSession.builder.config("spark.executor.memory", "8g").getOrCreate()
kunden = spark.table("crm.kunden")

# Viele Länder je Aufgabe: jeder Writer hält Puffer für jede Partition (Größe!)
(
    kunden
    .repartition(200, "land")  # de-agent: container_killed_memory 3f9c2a7b1d4e5f60
    .write
    .partitionBy("land")
    .mode("overwrite")
    .parquet("s3://bucket/export/kunden/")
)

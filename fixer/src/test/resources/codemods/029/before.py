from pyspark.sql import SparkSession

# Stammdaten-Abgleich: Artikel × Lieferanten
spark = (
    SparkSession.builder
    .appName("abgleich_stammdaten")
    .config("spark.sql.autoBroadcastJoinThreshold", "10MB")
    .getOrCreate()
)

artikel = spark.table("stamm.artikel")
lieferanten = spark.table("stamm.lieferanten")
artikel.join(lieferanten, "lieferant_id").write.mode("overwrite").saveAsTable("stamm.abgleich")

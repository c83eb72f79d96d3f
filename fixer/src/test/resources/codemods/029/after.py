from pyspark.sql import SparkSession

# Stammdaten-Abgleich: Artikel × Lieferanten
spark = (
    SparkSession.builder
    .appName("abgleich_stammdaten")
    .config("spark.sql.autoBroadcastJoinThreshold", "-1")  # de-agent: out_of_memory_driver 3f9c2a7b1d4e5f60
    .getOrCreate()
)

artikel = spark.table("stamm.artikel")
lieferanten = spark.table("stamm.lieferanten")
artikel.join(lieferanten, "lieferant_id").write.mode("overwrite").saveAsTable("stamm.abgleich")

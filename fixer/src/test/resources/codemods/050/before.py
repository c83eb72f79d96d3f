from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = (
    SparkSession.builder
    .appName("kunden_umsatz")
    .config("spark.sql.shuffle.partitions", "400")  # Größe: ~2 TB
    .getOrCreate()
)

buchungen = spark.table("kasse.buchungen")
filialen = spark.table("stamm.filialen")

je_kunde = (
    buchungen
    .filter(F.col("betrag") > 0)
    .groupBy("kunden_id")
    .agg(F.sum("betrag").alias("umsatz"), F.count("*").alias("käufe"))
)
je_filiale = buchungen.groupBy("filial_id").count()

je_kunde.write.mode("overwrite").saveAsTable("bericht.umsatz_je_kunde")
je_filiale.write.mode("overwrite").saveAsTable("bericht.buchungen_je_filiale")

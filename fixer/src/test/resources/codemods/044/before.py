from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.appName("umsatz_je_filiale").getOrCreate()

# Wenige Filialen haben fast alle Buchungen (Schiefe – Größe!)
buchungen = spark.table("kasse.buchungen")
filialen = spark.table("stamm.filialen")

umsatz = (buchungen
          .join(filialen, "filial_id")
          .groupBy("region")
          .agg(F.sum("betrag").alias("umsatz")))
umsatz.write.mode("overwrite").saveAsTable("bericht.umsatz_region")

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.appName("umsatz_je_filiale").getOrCreate()

# Wenige Filialen haben fast alle Buchungen (Schiefe – Größe!)
buchungen = spark.table("kasse.buchungen")
filialen = spark.table("stamm.filialen")

umsatz = (buchungen
          .join(F.broadcast(filialen), "filial_id")  # de-agent: data_skew 3f9c2a7b1d4e5f60
          .groupBy("region")
          .agg(F.sum("betrag").alias("umsatz")))
umsatz.write.mode("overwrite").saveAsTable("bericht.umsatz_region")

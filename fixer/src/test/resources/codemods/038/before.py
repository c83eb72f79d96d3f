"""Abgleich der Bestellungen mit den Lieferungen (täglich, ~2 Mrd. Zeilen)."""
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.appName("abgleich").getOrCreate()

bestellungen = spark.table("handel.bestellungen")
lieferungen = spark.table("handel.lieferungen")  # längst nicht mehr klein
kunden = spark.table("stamm.kunden")

# Kunden sind klein: broadcast ist hier richtig
bestellungen.join(F.broadcast(kunden), "kunden_id").write.saveAsTable("handel.bestellungen_kunden")

abgleich = (
    bestellungen
    .join(F.broadcast(lieferungen), ["bestell_id"], "left")
    .withColumn("offen", F.col("liefer_datum").isNull())
)

abgleich.write.mode("overwrite").partitionBy("tag").saveAsTable("handel.abgleich")

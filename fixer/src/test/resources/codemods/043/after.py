"""Abgleich der Bestellungen mit den Lieferungen (täglich, ~2 Mrd. Zeilen)."""
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

spark = SparkSession.builder.appName("abgleich").config("spark.sql.autoBroadcastJoinThreshold", "-1").getOrCreate()  # de-agent: out_of_memory_driver 3f9c2a7b1d4e5f60

bestellungen = spark.table("handel.bestellungen")
lieferungen = spark.table("handel.lieferungen")  # längst nicht mehr klein
kunden = spark.table("stamm.kunden")

# Kunden sind klein: broadcast ist hier richtig
mit_kunden = bestellungen.join(F.broadcast(kunden), "kunden_id")

abgleich = (
    mit_kunden
    .join(F.broadcast(lieferungen), ["bestell_id"], "left")
    .withColumn("offen", F.col("liefer_datum").isNull())
)
abgleich.write.mode("overwrite").partitionBy("tag").saveAsTable("handel.abgleich")

from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()

# Tarife: früher klein, heute 40 GB (Größe prüfen!)
tarife = (spark.read.parquet("s3://bucket/tarife/")  # de-agent: broadcast_timeout 3f9c2a7b1d4e5f60
          .select("tarif_id", "preis"))

verbrauch = spark.table("netz.verbrauch")
kosten = verbrauch.join(tarife, "tarif_id")
kosten.write.mode("append").saveAsTable("netz.kosten")

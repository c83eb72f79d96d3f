from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()

# Tarife: früher klein, heute 40 GB (Größe prüfen!)
tarife = (spark.read.parquet("s3://bucket/tarife/")
          .hint("broadcast")
          .select("tarif_id", "preis"))

verbrauch = spark.table("netz.verbrauch")
kosten = verbrauch.join(tarife, "tarif_id")
kosten.write.mode("append").saveAsTable("netz.kosten")

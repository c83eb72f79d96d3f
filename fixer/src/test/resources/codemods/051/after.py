from pyspark.sql import SparkSession

spark = SparkSession.builder.appName("journal").getOrCreate()

# Journal des événements : écrit par jour (« partition »)
événements = (spark.read.json("s3://bucket/brut/événements/")
              .selectExpr("*", "to_date(horodatage) AS jour"))
# une seule grosse partition en amont : la tâche d'écriture remplit le disque local
événements = événements.coalesce(8)

événements.repartition(200, "jour").write.mode("append").partitionBy("jour").parquet("s3://bucket/propre/événements/")  # de-agent: disk_full 3f9c2a7b1d4e5f60

from pyspark.sql import SparkSession

spark = SparkSession.builder.appName("journal").getOrCreate()

# Journal des événements : écrit par jour (« partition »)
événements = (spark.read.json("s3://bucket/brut/événements/")
              .selectExpr("*", "to_date(horodatage) AS jour"))
# une seule grosse partition en amont : la tâche d'écriture remplit le disque local
événements = événements.coalesce(8)

événements.write.mode("append").partitionBy("jour").parquet("s3://bucket/propre/événements/")

from pyspark.sql import SparkSession
from pyspark.sql import Window
import datetime

spark = SparkSession.builder.getOrCreate()
jour = datetime.date.today().isoformat()

# Quelques magasins concentrent les ventes (« Paris – Opéra »)
ventes = spark.read.parquet(f"s3://bucket/ventes/jour={jour}/")
ventes.join(spark.read.table("ref.magasins"), on="magasin_id", how="left").write.parquet("s3://bucket/out/")

from pyspark.sql import SparkSession
from pyspark.sql import Window
from pyspark.sql.functions import broadcast  # de-agent: data_skew 3f9c2a7b1d4e5f60
import datetime

spark = SparkSession.builder.getOrCreate()
jour = datetime.date.today().isoformat()

# Quelques magasins concentrent les ventes (« Paris – Opéra »)
ventes = spark.read.parquet(f"s3://bucket/ventes/jour={jour}/")
ventes.join(broadcast(spark.read.table("ref.magasins")), on="magasin_id", how="left").write.parquet("s3://bucket/out/")  # de-agent: data_skew 3f9c2a7b1d4e5f60

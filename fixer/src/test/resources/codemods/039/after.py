from pyspark.sql import SparkSession
from pyspark.sql.functions import broadcast, col

spark = SparkSession.builder.getOrCreate()
ventes = spark.table("ventes.lignes")
magasins = spark.sql("SELECT * FROM ventes.magasins WHERE actif")  # requête lente

# jointure « magasins » : diffusée de force
résultat = ventes.join(magasins, col("magasin_id") == magasins.id)  # de-agent: broadcast_timeout 3f9c2a7b1d4e5f60
résultat.write.parquet("s3://bucket/ventes/enrichies/")

from pyspark.sql import SparkSession
from pyspark.sql.functions import broadcast, col

spark = SparkSession.builder.getOrCreate()
ventes = spark.table("ventes.lignes")
magasins = spark.sql("SELECT * FROM ventes.magasins WHERE actif")  # requête lente

# jointure « magasins » : diffusée de force
résultat = ventes.join(broadcast(magasins), col("magasin_id") == magasins.id)
résultat.write.parquet("s3://bucket/ventes/enrichies/")

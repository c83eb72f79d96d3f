from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
# Écriture déjà répartie par jour (« 64 fichiers »)
spark.table("brut.journal").repartition(64, "jour").write.partitionBy("jour").parquet("s3://b/journal/")

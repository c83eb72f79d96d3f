from pyspark.sql import SparkSession

# Geokodierung je Zeile (Client wird im Treiber gebaut — nicht serialisierbar)
spark = SparkSession.builder.config("spark.kryoserializer.buffer.max", "256m").getOrCreate()

from pyspark.sql import SparkSession

spark = (SparkSession.builder
         .appName("Bilder – Vorschau")
         .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
         .config("spark.kryoserializer.buffer.max", "2047m")
         .getOrCreate())

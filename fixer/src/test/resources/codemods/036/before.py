from pyspark.sql import SparkSession
from jobs.einstellungen import spark_conf  # Einstellungen je Umgebung (Größen)

spark = (SparkSession.builder
         .appName("Bericht")
         .config(conf=spark_conf())
         .getOrCreate())

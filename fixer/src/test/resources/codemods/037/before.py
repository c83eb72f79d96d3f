from pyspark.sql import SparkSession

EXTRA = {"spark.ui.showConsoleProgress": "false"}  # Fortschritt aus

# Zusätzliche Einstellungen kommen aus einem Wörterbuch
builder = SparkSession.builder.appName("bericht")
for key, value in EXTRA.items():
    builder = builder.config(key, value)
spark = builder.getOrCreate()

from pyspark.sql import SparkSession

spark = SparkSession.builder \
    .appName("Zahlungsabgleich – täglich") \
    .config("spark.sql.autoBroadcastJoinThreshold", "-1") \
    .getOrCreate()  # de-agent: broadcast_timeout 3f9c2a7b1d4e5f60

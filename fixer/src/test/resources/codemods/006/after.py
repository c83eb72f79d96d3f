from pyspark.sql import SparkSession

spark = (
    SparkSession.builder
    .appName('Kundenübersicht – Zahlungen')
    .config('spark.sql.adaptive.enabled', 'true')  # de-agent: data_skew 3f9c2a7b1d4e5f60

    .config('spark.sql.adaptive.skewJoin.enabled', 'true')  # de-agent: data_skew 3f9c2a7b1d4e5f60
    .getOrCreate()
)

from pyspark.sql import SparkSession

spark = (
    SparkSession.builder
    .appName('Kundenübersicht – Zahlungen')
    .config('spark.sql.adaptive.enabled', 'false')

    .getOrCreate()
)

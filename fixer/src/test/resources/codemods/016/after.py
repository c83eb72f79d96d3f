from pyspark import SparkConf, SparkContext

# Ergebnisse werden auf dem Driver gesammelt (collect): Größe beachten
conf = SparkConf().setAppName("export_kunden").setAll([
    ("spark.driver.memory", "8g"),
    ("spark.executor.memory", "4g"),
    ("spark.driver.maxResultSize", "4g"),  # de-agent: driver_result_size 3f9c2a7b1d4e5f60
])
sc = SparkContext(conf=conf)
rows = sc.textFile("s3://bucket/kunden/").collect()

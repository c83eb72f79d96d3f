from pyspark import SparkConf, SparkContext

# Ergebnisse werden auf dem Driver gesammelt (collect): Größe beachten
conf = SparkConf().setAppName("export_kunden").setAll([
    ("spark.driver.memory", "8g"),
    ("spark.executor.memory", "4g"),
    ("spark.driver.maxResultSize", "3g"),
])
sc = SparkContext(conf=conf)
rows = sc.textFile("s3://bucket/kunden/").collect()

from pyspark.sql import SparkSession

if __name__ == "__main__":
    spark = SparkSession.builder.appName("prod").getOrCreate()
else:
    spark = SparkSession.builder.master("local[2]").getOrCreate()

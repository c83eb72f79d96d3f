import pyspark.sql.functions as F
from pyspark.sql import SparkSession

spark = SparkSession.builder.getOrCreate()
pays = spark.table("ref.pays")
devises = spark.table("ref.devises")
opérations = spark.table("banque.opérations")

avec_pays = opérations.join(F.broadcast(pays), "code_pays")
avec_pays.write.saveAsTable("banque.opérations_pays")

avec_devises = opérations.join(F.broadcast(devises), "code_devise")

avec_devises.write.saveAsTable("banque.opérations_devises")

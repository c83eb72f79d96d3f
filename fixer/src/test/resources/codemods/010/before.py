"""Transformations only: the session is created by the caller."""
from pyspark.sql import DataFrame, functions as F


def enrich(df: DataFrame) -> DataFrame:
    return df.withColumn("amount_eur", F.col("amount") * F.col("rate"))

"""Daily orders: clean the raw orders and write them by order date.

Runs from the DAG daily_orders (task "transform") through spark-submit; the Spark settings
(memory, cores) are set by the DAG's SparkSubmitOperator, not here.
"""
import sys

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

SOURCE = "s3://lake/raw/orders/"
TARGET = "s3://lake/clean/orders/"


def read_orders(spark, day):
    """The raw orders of one day, as delivered by the shop system."""
    return (
        spark.read.parquet(SOURCE)
        .where(F.col("order_date") == F.lit(day))
        .select("order_id", "customer_id", "order_date", "amount", "currency", "lines")
    )


def clean(orders):
    """Drops test orders and normalises amounts to EUR cents (Beträge in Cent)."""
    return (
        orders.where(~F.col("customer_id").startswith("test-"))
        .withColumn("amount_cents", (F.col("amount") * 100).cast("long"))
        .drop("amount")
    )


def with_customer_totals(orders):
    """Adds each customer's total of the day to every order line."""
    totals = orders.groupBy("customer_id").agg(F.sum("amount_cents").alias("customer_total_cents"))
    return orders.join(totals, "customer_id", "left")


def main(argv):
    """Reads, cleans and enriches the orders of the day given as the first argument."""
    day = argv[1] if len(argv) > 1 else None
    if day is None:
        raise SystemExit("usage: transform_orders.py YYYY-MM-DD")

    spark = SparkSession.builder.appName("daily_orders.transform").getOrCreate()
    orders = read_orders(spark, day)
    orders = clean(orders)
    orders = with_customer_totals(orders)
    # one file per day and customer bucket keeps downstream reads cheap
    orders = orders.withColumn("bucket", F.abs(F.hash("customer_id")) % 64)
    return spark, orders, TARGET


if __name__ == "__main__":
    spark, orders, target = main(sys.argv)
    # the order lines (a list per order) are gathered before the write
    orders = orders.groupBy("order_id", "customer_id", "order_date", "bucket").agg(
        F.first("amount_cents").alias("amount_cents"),
        F.collect_list("lines").alias("lines"),
    )
    orders.write.mode("overwrite").partitionBy("order_date").parquet(target)

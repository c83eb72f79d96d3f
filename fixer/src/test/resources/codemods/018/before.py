"""DAG: Umsätze je Filiale (täglich)."""
import pendulum
from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

with DAG(
    dag_id="umsätze",
    schedule="@daily",
    start_date=pendulum.datetime(2024, 1, 1, tz="Europe/Berlin"),
) as dag:
    aggregate = SparkSubmitOperator(
        task_id="aggregate",
        executor_memory="4g",
        application="/opt/jobs/aggregate.py",
        conf={
            "spark.executor.memory": "2g",  # wird von executor_memory überschrieben
            "spark.sql.shuffle.partitions": "400",
        },
    )

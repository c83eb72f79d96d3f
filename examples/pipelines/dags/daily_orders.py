"""The daily orders pipeline: clean the orders of the day with Spark."""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

from de_agent_callback import on_failure_callback, on_success_callback

default_args = {
    "owner": "data-platform",
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
    "on_failure_callback": on_failure_callback,
    "on_success_callback": on_success_callback,
}

with DAG(
    dag_id="daily_orders",
    start_date=datetime(2026, 1, 1),
    schedule="0 3 * * *",
    catchup=False,
    default_args=default_args,
    tags=["orders", "autofix"],
) as dag:
    transform = SparkSubmitOperator(
        task_id="transform",
        application="/opt/airflow/jobs/transform_orders.py",
        application_args=["{{ ds }}"],
        conn_id="spark_default",
        name="daily_orders.transform",
        conf={
            "spark.executor.memory": "4g",  # Größe pro Executor
            "spark.executor.cores": "4",
        },
    )

from datetime import datetime

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

with DAG("facturation", start_date=datetime(2024, 1, 1), schedule="0 3 * * *") as dag:
    SparkSubmitOperator(
        task_id="factures_mensuelles",
        application="s3://jobs/facturation/factures.py",
        executor_memory="8g",
        conf={"spark.dynamicAllocation.enabled": "true",
              "spark.app.name": "Factures — mensuelles",
              "spark.executor.memoryOverhead": "2g"},  # de-agent: container_killed_memory 3f9c2a7b1d4e5f60
    )

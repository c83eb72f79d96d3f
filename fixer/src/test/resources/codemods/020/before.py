from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

# Monatsbericht für die Geschäftsführung
with DAG("bericht", schedule=None) as dag:
    report = SparkSubmitOperator(task_id="bericht", application="/jobs/bericht.py", conn_id="spark_default")

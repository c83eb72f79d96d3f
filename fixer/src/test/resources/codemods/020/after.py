from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

# Monatsbericht für die Geschäftsführung
with DAG("bericht", schedule=None) as dag:
    report = SparkSubmitOperator(task_id="bericht", application="/jobs/bericht.py", conn_id="spark_default", driver_memory="8g")  # de-agent: out_of_memory_driver 3f9c2a7b1d4e5f60

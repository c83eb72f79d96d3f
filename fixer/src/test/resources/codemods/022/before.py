from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

# Deux étapes Spark ; la mémoire est fixée pour les deux
with DAG("clients", schedule="@hourly") as dag:
    nettoyage = SparkSubmitOperator(
        task_id="nettoyage",
        application="/jobs/nettoyage.py",
        executor_memory="4g",
    )

    jointure = SparkSubmitOperator(
        task_id="jointure",
        application="/jobs/jointure.py",
    )

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

# Deux étapes Spark : nettoyage puis jointure (données clients)
with DAG("clients", schedule="@hourly") as dag:
    nettoyage = SparkSubmitOperator(
        task_id="nettoyage",
        application="/jobs/nettoyage.py",
        conf={
            "spark.sql.shuffle.partitions": "200",
        },
    )

    jointure = SparkSubmitOperator(
        task_id="jointure_commandes",
        application="/jobs/jointure.py",
        conf={
            "spark.sql.shuffle.partitions": "800",  # grosses tables
            "spark.sql.adaptive.enabled": "true",
            "spark.sql.adaptive.skewJoin.enabled": "true",  # de-agent: data_skew 3f9c2a7b1d4e5f60
        },
    )

    nettoyage >> jointure

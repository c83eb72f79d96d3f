from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

# Gemeinsame Einstellungen für alle Spark-Aufgaben (Lager & Bestände)
SPARK_CONF = {
    "spark.executor.memory": "6g",
    "spark.sql.shuffle.partitions": "400",
}

with DAG("lager", schedule="@daily") as dag:
    eingänge = SparkSubmitOperator(task_id="eingänge_laden", application="/jobs/eingang.py", conf=SPARK_CONF)
    bestand = SparkSubmitOperator(
        task_id="bestand_berechnen",
        application="/jobs/bestand.py",
        conf=SPARK_CONF,
        executor_memory="12g",  # de-agent: out_of_memory_executor 3f9c2a7b1d4e5f60
    )
    eingänge >> bestand

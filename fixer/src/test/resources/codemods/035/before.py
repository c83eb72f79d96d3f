from airflow.models import Variable
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

# Speicher kommt aus einer Airflow-Variable (je Umgebung verschieden)
SparkSubmitOperator(
    task_id="tägliche_last",
    executor_memory=Variable.get("spark_executor_memory", default_var="4g"),
    application="/jobs/last.py",
)

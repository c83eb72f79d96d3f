from airflow import DAG
from airflow.providers.amazon.aws.operators.glue import GlueJobOperator

# Export Glue : les enregistrements « produits » sont très gros (images encodées)
with DAG("glue_export", schedule="@daily") as dag:
    export = GlueJobOperator(
        task_id="export_produits",
        job_name="export-produits",
        script_location="s3://bucket/glue/export_produits.py",
        create_job_kwargs={
            "DefaultArguments": {
                "--conf": "spark.serializer=org.apache.spark.serializer.KryoSerializer --conf spark.kryoserializer.buffer.max=256m",
                "--enable-metrics": "true",
            },
        },
    )

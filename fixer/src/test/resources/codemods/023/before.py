from airflow import DAG
from airflow.providers.amazon.aws.operators.emr import EmrAddStepsOperator

SPARK_STEPS = [
    {
        "Name": "Rapport mensuel – données de vente",
        "ActionOnFailure": "CANCEL_AND_WAIT",
        "HadoopJarStep": {
            "Jar": "command-runner.jar",
            "Args": [
                "spark-submit",
                "--deploy-mode",
                "cluster",
                "--conf",
                "spark.executor.memory=6g",
                "--conf",
                "spark.executor.cores=4",
                "s3://bucket/jobs/rapport.py",
            ],
        },
    }
]

with DAG("emr_rapport", schedule="@monthly") as dag:
    add_steps = EmrAddStepsOperator(
        task_id="add_steps",
        job_flow_id="{{ var.value.emr_cluster }}",
        steps=SPARK_STEPS,
    )

from airflow.providers.amazon.aws.operators.emr import EmrServerlessStartJobOperator

# Job serverless : agrégats « temps réel »
agrégats = EmrServerlessStartJobOperator(
    task_id="agregats",
    application_id="00f1abcdexample",
    job_driver={"sparkSubmit": {
        "entryPoint": "s3://bucket/jobs/agregats.py",
        "sparkSubmitParameters": "--conf spark.executor.memory=8g --conf spark.executor.memoryOverhead=1g",
    }},
    configuration_overrides={},
)

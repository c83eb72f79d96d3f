# Glue-Job für Kundendaten (Größe schwankt stark je Region)
job = GlueJobOperator(
    task_id="kunden_join",
    job_name="kunden-join",
    script_args={"--conf": "spark.sql.shuffle.partitions=400", "--region": "eu-central-1"},
)

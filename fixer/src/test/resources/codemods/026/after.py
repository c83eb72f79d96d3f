# Glue-Job für Kundendaten (Größe schwankt stark je Region)
job = GlueJobOperator(
    task_id="kunden_join",
    job_name="kunden-join",
    script_args={"--conf": "spark.sql.shuffle.partitions=400 --conf spark.sql.adaptive.enabled=true --conf spark.sql.adaptive.skewJoin.enabled=true", "--region": "eu-central-1"},  # de-agent: data_skew 3f9c2a7b1d4e5f60
)

# Étape EMR : jointure des dimensions (clé « pays »)
STEP = {
    "Name": "Jointure pays",
    "HadoopJarStep": {
        "Jar": "command-runner.jar",
        "Args": ["spark-submit", "--deploy-mode", "cluster",
                 "--conf=spark.sql.shuffle.partitions=800",
                 "--conf=spark.sql.broadcastTimeout=1200",  # de-agent: broadcast_timeout 3f9c2a7b1d4e5f60
                 "s3://bucket/jobs/jointure_pays.py", "--date", "{{ ds }}"],
    },
}

# Étape EMR : jointure des dimensions (clé « pays »)
STEP = {
    "Name": "Jointure pays",
    "HadoopJarStep": {
        "Jar": "command-runner.jar",
        "Args": ["spark-submit", "--deploy-mode", "cluster",
                 "--conf=spark.sql.shuffle.partitions=800",
                 "s3://bucket/jobs/jointure_pays.py", "--date", "{{ ds }}"],
    },
}

from airflow.operators.bash import BashOperator

# Lancement direct de spark-submit (vieux cluster « on-prem »)
submit = BashOperator(
    task_id="calcul_stocks",
    bash_command="spark-submit --master yarn --executor-memory 4g --conf spark.executor.memory=2g /jobs/stocks.py {{ ds }}",
)

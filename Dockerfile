# The Airflow image of the compose stack: the official Airflow 3.3.2 image plus this project's locked
# dependencies (uv.lock). Project code is mounted, not copied, so a `git pull` is picked up on restart.
FROM apache/airflow:3.3.2-python3.11

USER airflow
COPY --chown=airflow:root pyproject.toml uv.lock /opt/project/
RUN pip install --no-cache-dir "uv==0.13.9" \
 && cd /opt/project \
 && uv export --frozen --no-dev --no-emit-project --no-hashes -o /tmp/requirements.txt \
 && pip install --no-cache-dir -r /tmp/requirements.txt \
 && rm /tmp/requirements.txt
ENV PYTHONPATH=/opt/project

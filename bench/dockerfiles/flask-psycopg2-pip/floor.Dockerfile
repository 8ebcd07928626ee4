# The floor: base + runtime library + a pip-less venv with the main dependencies + the app. Nothing else.
ARG BASE=python:3.11-slim
FROM ${BASE} AS builder
ARG PIP_INDEX_URL
RUN python -m venv --without-pip /opt/venv
COPY requirements.txt /tmp/requirements.txt
RUN pip --python /opt/venv/bin/python install --no-cache-dir -r /tmp/requirements.txt

FROM ${BASE}
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
COPY app/ app/
ENV PATH=/opt/venv/bin:$PATH
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app.main:app"]

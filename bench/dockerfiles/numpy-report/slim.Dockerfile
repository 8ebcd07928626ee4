# The seed's step 2: one stage on slim.
# (The test index's numpy links the system BLAS/LAPACK; PyPI's wheel bundles OpenBLAS instead.)
ARG BASE=python:3.11-slim
FROM ${BASE}
ARG PIP_INDEX_URL
RUN apt-get update && apt-get install -y --no-install-recommends libblas3 liblapack3 \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "report.web:app"]

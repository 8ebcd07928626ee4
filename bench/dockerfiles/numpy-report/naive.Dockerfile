# The seed's step 1: the full Python image, dependencies, then everything.
# (The test index's numpy links the system BLAS/LAPACK; PyPI's wheel bundles OpenBLAS instead.)
ARG BASE=python:3.11
FROM ${BASE}
ARG PIP_INDEX_URL
RUN apt-get update && apt-get install -y libblas3 liblapack3
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "report.web:app"]

# The seed's step 1: the full Python image (compilers, headers, ~1 GB), dependencies, then everything.
ARG BASE=python:3.11
FROM ${BASE}
ARG PIP_INDEX_URL
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app.main:app"]

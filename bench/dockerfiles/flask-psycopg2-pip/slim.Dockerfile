# The seed's step 2: one stage on slim. psycopg2 is an sdist on PyPI, so the compiler and libpq
# headers it needs to build stay in the image.
ARG BASE=python:3.11-slim
FROM ${BASE}
ARG PIP_INDEX_URL
WORKDIR /app
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev libpq-dev \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app.main:app"]

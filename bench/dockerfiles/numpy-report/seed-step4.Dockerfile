# The seed's step 4 multi-stage pattern. Its `pip install uv && uv sync --frozen --no-dev` cannot
# run here (no uv), so the same /app/.venv is made with venv + pip from requirements.txt. Its
# runtime apt line installs libpq5; this project needs the BLAS/LAPACK libraries there instead.
# Kept as written: pip/setuptools in the venv, and a healthcheck importing `requests` (not installed).
ARG BASE=python:3.11-slim
FROM ${BASE} AS builder
ARG PIP_INDEX_URL
WORKDIR /app

RUN python -m venv /app/.venv
COPY requirements.txt ./
RUN /app/.venv/bin/pip install --no-cache-dir -r requirements.txt

COPY . .

FROM ${BASE}
WORKDIR /app

RUN apt-get update && \
    apt-get install -y --no-install-recommends \
    libblas3 liblapack3 \
    && rm -rf /var/lib/apt/lists/*

RUN addgroup --gid 1001 appgroup && \
    adduser --uid 1001 --gid 1001 --disabled-password --gecos "" appuser

COPY --from=builder --chown=appuser:appgroup /app/.venv /app/.venv
COPY --chown=appuser:appgroup report/ /app/report/
COPY --chown=appuser:appgroup requirements.txt /app/

ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1

USER appuser
EXPOSE 8000

HEALTHCHECK --interval=30s CMD python -c "import requests; requests.get('http://localhost:8000/health')" || exit 1

CMD ["gunicorn", "--bind", "0.0.0.0:8000", "report.web:app"]

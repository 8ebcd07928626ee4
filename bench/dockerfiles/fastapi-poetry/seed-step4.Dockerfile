# The seed's step 4 multi-stage pattern with its Poetry recipe (uv cannot run here): Poetry makes
# /app/.venv in the builder (`--only=main --no-root`, then `COPY . .` and the root install).
# Fixed only where it could not build: the seed's .dockerignore excludes *.md while pyproject names
# `readme = "README.md"`; this context has no such .dockerignore, so the README is there.
# Kept as written: pip/setuptools in the venv, and a healthcheck importing `requests` (not installed).
ARG BASE=python:3.11-slim
FROM ${BASE} AS builder
ARG PIP_INDEX_URL
WORKDIR /app

RUN pip install --no-cache-dir poetry==1.3.2

ENV POETRY_VIRTUALENVS_IN_PROJECT=1 \
    POETRY_NO_INTERACTION=1

COPY pyproject.toml poetry.lock ./
# Poetry 1.3 has no variable for its default source: a mirror, when given, becomes the default source.
RUN if [ -n "$PIP_INDEX_URL" ]; then poetry source add --default mirror "$PIP_INDEX_URL"; fi
# Debian's virtualenv (testenv) has no bundled seed wheels: make the venv with the standard library.
RUN python -m venv /app/.venv
RUN poetry install --only=main --no-root

COPY . .
RUN poetry install --only=main

FROM ${BASE}
WORKDIR /app

RUN addgroup --gid 1001 appgroup && \
    adduser --uid 1001 --gid 1001 --disabled-password --gecos "" appuser

COPY --from=builder --chown=appuser:appgroup /app/.venv /app/.venv
COPY --chown=appuser:appgroup inventory/ /app/inventory/
COPY --chown=appuser:appgroup pyproject.toml /app/

ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1

USER appuser
EXPOSE 8000

HEALTHCHECK --interval=30s CMD python -c "import requests; requests.get('http://localhost:8000/health')" || exit 1

CMD ["uvicorn", "inventory.main:app", "--host", "0.0.0.0", "--port", "8000"]

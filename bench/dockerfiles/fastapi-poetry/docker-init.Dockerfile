# syntax=docker/dockerfile:1
# The shape of `docker init`'s Python template (single slim stage, pip cache mount, uid 10001).
# docker init knows only requirements.txt; adapted for Poetry the way its users do: Poetry into
# the system interpreter with virtualenvs off, main group only.
ARG PYTHON_VERSION=3.11
ARG BASE=python:${PYTHON_VERSION}-slim
FROM ${BASE} AS base

ENV PYTHONDONTWRITEBYTECODE=1
ENV PYTHONUNBUFFERED=1

WORKDIR /app

ARG UID=10001
RUN adduser \
    --disabled-password \
    --gecos "" \
    --home "/nonexistent" \
    --shell "/sbin/nologin" \
    --no-create-home \
    --uid "${UID}" \
    appuser

ARG PIP_INDEX_URL
RUN --mount=type=cache,target=/root/.cache/pip \
    python -m pip install poetry==1.3.2

COPY pyproject.toml poetry.lock ./
# Poetry 1.3 has no variable for its default source: a mirror, when given, becomes the default source.
RUN if [ -n "$PIP_INDEX_URL" ]; then poetry source add --default mirror "$PIP_INDEX_URL"; fi
RUN --mount=type=cache,target=/root/.cache/pypoetry \
    POETRY_VIRTUALENVS_CREATE=false poetry install --no-interaction --only main --no-root

USER appuser

COPY . .

EXPOSE 8000

CMD ["uvicorn", "inventory.main:app", "--host=0.0.0.0", "--port=8000"]

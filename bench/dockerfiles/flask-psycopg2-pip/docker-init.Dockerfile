# syntax=docker/dockerfile:1
# The shape of `docker init`'s Python template: one slim stage, pip into the system site-packages
# with a cache mount and a bind-mounted requirements.txt, an unprivileged uid 10001, then the code.
# Adapted as a user must for this project: psycopg2 builds from source, so gcc and libpq-dev.
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

RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev libpq-dev \
    && rm -rf /var/lib/apt/lists/*

ARG PIP_INDEX_URL
RUN --mount=type=cache,target=/root/.cache/pip \
    --mount=type=bind,source=requirements.txt,target=requirements.txt \
    python -m pip install -r requirements.txt

USER appuser

COPY . .

EXPOSE 8000

CMD ["gunicorn", "app.main:app", "--bind=0.0.0.0:8000"]

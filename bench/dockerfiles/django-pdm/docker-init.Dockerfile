# syntax=docker/dockerfile:1
# The shape of `docker init`'s Python template (single slim stage, pip cache mount, uid 10001).
# docker init knows only requirements.txt; adapted for PDM the way its users do (export the lock,
# pip-install it), plus collectstatic before dropping root because STATIC_ROOT is set.
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
ARG PDM_PYPI_URL
RUN --mount=type=cache,target=/root/.cache/pip \
    --mount=type=bind,source=pyproject.toml,target=pyproject.toml \
    --mount=type=bind,source=pdm.lock,target=pdm.lock \
    python -m pip install pdm==2.2.1 \
    && pdm export --prod -o /tmp/requirements.txt \
    && python -m pip install -r /tmp/requirements.txt

COPY . .
RUN python manage.py collectstatic --noinput

USER appuser

EXPOSE 8000

CMD ["gunicorn", "shop.wsgi:application", "--bind=0.0.0.0:8000"]

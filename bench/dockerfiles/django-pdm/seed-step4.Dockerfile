# The seed's step 4 multi-stage pattern. The seed has no PDM recipe and its `uv sync --frozen
# --no-dev` cannot run here: `pdm sync --prod --no-self` fills the same /app/.venv instead.
# Added only because the app cannot serve without it: collectstatic (STATIC_ROOT is set).
# Kept as written: pip/setuptools in the venv, and a healthcheck importing `requests` (not installed).
ARG BASE=python:3.11-slim
FROM ${BASE} AS builder
ARG PIP_INDEX_URL
ARG PDM_PYPI_URL
WORKDIR /app

RUN pip install --no-cache-dir pdm==2.2.1

COPY pyproject.toml pdm.lock ./

RUN python -m venv /app/.venv && pdm use -f /app/.venv/bin/python && pdm sync --prod --no-self

COPY . .
RUN /app/.venv/bin/python manage.py collectstatic --noinput

FROM ${BASE}
WORKDIR /app

RUN addgroup --gid 1001 appgroup && \
    adduser --uid 1001 --gid 1001 --disabled-password --gecos "" appuser

COPY --from=builder --chown=appuser:appgroup /app/.venv /app/.venv
COPY --chown=appuser:appgroup shop/ /app/shop/
COPY --chown=appuser:appgroup catalog/ /app/catalog/
COPY --chown=appuser:appgroup manage.py pyproject.toml /app/
COPY --from=builder --chown=appuser:appgroup /app/staticfiles /app/staticfiles

ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1

USER appuser
EXPOSE 8000

HEALTHCHECK --interval=30s CMD python -c "import requests; requests.get('http://localhost:8000/health')" || exit 1

CMD ["gunicorn", "--bind", "0.0.0.0:8000", "shop.wsgi:application"]

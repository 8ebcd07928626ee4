# syntax=docker/dockerfile:1
ARG PY=3.12
FROM node:20.11-bookworm-slim AS frontend
WORKDIR /web
COPY frontend/package.json frontend/package-lock.json ./
RUN npm ci
COPY frontend/ .
RUN npm run build

FROM python:${PY}-slim-bookworm AS builder
WORKDIR /app
RUN python -m venv /opt/venv
COPY backend/requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip /opt/venv/bin/pip install -r requirements.txt

FROM python:${PY}-slim-bookworm
ENV PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH
COPY --from=builder /opt/venv /opt/venv
COPY backend/app /app/app
COPY --from=frontend /web/dist /app/static
WORKDIR /app
USER 10001
EXPOSE 8000
HEALTHCHECK CMD ["python", "-c", "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"]
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"]

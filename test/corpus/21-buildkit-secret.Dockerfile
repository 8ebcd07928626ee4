# syntax=docker/dockerfile:1
FROM python:3.12-slim AS builder
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.txt .
RUN --mount=type=secret,id=pip-index,env=PIP_INDEX_URL,required=false \
    --mount=type=cache,target=/root/.cache/pip \
    pip install -r requirements.txt
FROM python:3.12-slim
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1
COPY --from=builder /opt/venv /opt/venv
COPY src/ /app/src/
WORKDIR /app
USER 10001:10001
CMD ["python", "-m", "src.main"]

# syntax=docker/dockerfile:1
FROM python:3.12-slim-bookworm
RUN rm -f /etc/apt/apt.conf.d/docker-clean
RUN --mount=type=cache,target=/var/cache/apt,sharing=locked \
    --mount=type=cache,target=/var/lib/apt,sharing=locked \
    apt-get update && apt-get install -y --no-install-recommends libmariadb3
ENV PYTHONUNBUFFERED=1
COPY requirements.txt .
RUN --mount=type=cache,target=/root/.cache/pip python -m venv /venv && /venv/bin/pip install -r requirements.txt
USER 10001
CMD ["/venv/bin/python", "-m", "worker"]

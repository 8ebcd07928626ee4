FROM python:3.11-slim-bookworm
LABEL org.opencontainers.image.source="https://github.com/example/app"
ENV PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
ONBUILD COPY . /app
ONBUILD RUN pip install /app
STOPSIGNAL SIGINT
VOLUME /data
USER 10001
CMD ["python", "-m", "http.server", "8000"]

FROM python:3.11-slim
RUN apt-get update && apt-get install -y --no-install-recommends wget ca-certificates \
    && wget -qO- https://example.com/install-tool.sh | bash \
    && rm -rf /var/lib/apt/lists/*
ENV PYTHONUNBUFFERED=1
COPY . /app
RUN pip install --no-cache-dir /app
USER 1000
CMD ["tool", "serve"]

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN useradd -m worker
USER worker
CMD ["celery", "-A", "tasks", "worker", "--loglevel=INFO"]

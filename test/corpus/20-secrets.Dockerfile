FROM python:3.11-slim
ARG PIP_EXTRA_INDEX_URL
ARG GITLAB_TOKEN
ENV DATABASE_URL=postgres://app:supersecret@db:5432/app
ENV DJANGO_SECRET_KEY=change-me-in-production
ENV PYTHONUNBUFFERED=1
COPY .env /app/.env
COPY requirements.txt /app/
RUN pip install --no-cache-dir -r /app/requirements.txt
COPY . /app
USER 1000
CMD ["gunicorn", "config.wsgi"]

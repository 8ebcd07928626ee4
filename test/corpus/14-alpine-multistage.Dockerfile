FROM python:3.12-alpine3.20 AS build
RUN apk add --no-cache --virtual .build-deps gcc musl-dev postgresql-dev
COPY requirements.txt .
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt

FROM python:3.12-alpine3.20
RUN apk add --no-cache libpq
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels
ENV PYTHONUNBUFFERED=1
RUN adduser -D -u 10001 app
USER app
COPY . /app
WORKDIR /app
CMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]

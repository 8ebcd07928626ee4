FROM python:3.11-slim as base
FROM base as builder
RUN mkdir /install
WORKDIR /install
COPY requirements.txt /requirements.txt
RUN pip install --no-cache-dir --prefix=/install -r /requirements.txt
FROM base
COPY --from=builder /install /usr/local
COPY src /app
WORKDIR /app
ENV PYTHONUNBUFFERED=1
USER 1000
CMD ["gunicorn", "-w", "4", "main:app"]

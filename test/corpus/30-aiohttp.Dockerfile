FROM python:3.12-slim-bookworm
ENV PYTHONUNBUFFERED=1
WORKDIR /srv
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt \
 && useradd --system --uid 10001 svc
COPY service/ service/
USER svc
EXPOSE 8080/tcp
CMD ["python", "-m", "aiohttp.web", "-H", "0.0.0.0", "-P", "8080", "service.app:init_app"]

# escape=`
FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1
RUN apt-get update `
    && apt-get install -y --no-install-recommends libxml2 libxslt1.1 `
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt C:\temp\
RUN pip install --no-cache-dir -r requirements.txt
USER 1000
CMD ["python", "-m", "scraper"]

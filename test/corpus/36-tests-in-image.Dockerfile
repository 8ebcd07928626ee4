FROM python:3.12-slim
ENV PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt requirements-dev.txt ./
RUN pip install --no-cache-dir -r requirements.txt -r requirements-dev.txt
COPY src/ src/
COPY tests/ tests/
COPY pytest.ini .
USER 1000
CMD ["python", "-m", "src"]

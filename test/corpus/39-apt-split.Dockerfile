FROM python:3.10-slim
RUN apt-get update
RUN apt-get install -y --no-install-recommends libgl1 libglib2.0-0
ENV PYTHONUNBUFFERED=1
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . /app
USER 1000
CMD ["python", "/app/detect.py"]

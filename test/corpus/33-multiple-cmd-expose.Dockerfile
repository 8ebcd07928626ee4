FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1
COPY . /app
WORKDIR /app
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 8000:8000
CMD ["python", "app.py"]
CMD ["gunicorn", "app:app"]
USER 1000

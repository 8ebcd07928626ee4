FROM python:3.11-slim AS build
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir -r requirements.txt
FROM gcr.io/distroless/python3-debian12:nonroot
COPY --from=build /opt/venv /opt/venv
COPY app.py /app/app.py
ENV PYTHONUNBUFFERED=1
RUN mkdir -p /app/data
CMD /opt/venv/bin/python /app/app.py

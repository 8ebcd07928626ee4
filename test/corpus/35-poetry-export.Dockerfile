FROM python:3.11-slim AS requirements
RUN pip install --no-cache-dir poetry==1.8.3 poetry-plugin-export==1.8.0
WORKDIR /tmp
COPY pyproject.toml poetry.lock ./
RUN poetry export -f requirements.txt --output requirements.txt --without-hashes

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1
WORKDIR /code
COPY --from=requirements /tmp/requirements.txt .
RUN python -m venv /venv && /venv/bin/pip install --no-cache-dir -r requirements.txt
COPY app app
USER 10001
CMD ["/venv/bin/uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "80"]

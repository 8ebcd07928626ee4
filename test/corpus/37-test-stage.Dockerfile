FROM python:3.12-slim AS base
ENV PYTHONUNBUFFERED=1
WORKDIR /app
RUN python -m venv /venv
ENV PATH=/venv/bin:$PATH
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

FROM base AS test
COPY requirements-dev.txt .
RUN pip install --no-cache-dir -r requirements-dev.txt
COPY . .
RUN pytest -q

FROM base AS final
COPY src/ src/
USER 10001
CMD ["python", "-m", "src"]

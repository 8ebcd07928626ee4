# The seed's step 1 for a Poetry project: the full Python image, Poetry installing into the system
# interpreter (dev group included), then everything.
ARG BASE=python:3.11
FROM ${BASE}
ARG PIP_INDEX_URL
WORKDIR /app
RUN pip install poetry==1.3.2
COPY pyproject.toml poetry.lock ./
# Poetry 1.3 has no variable for its default source: a mirror, when given, becomes the default source.
RUN if [ -n "$PIP_INDEX_URL" ]; then poetry source add --default mirror "$PIP_INDEX_URL"; fi
RUN poetry config virtualenvs.create false && poetry install --no-interaction --no-root
COPY . .
EXPOSE 8000
CMD ["uvicorn", "inventory.main:app", "--host", "0.0.0.0", "--port", "8000"]

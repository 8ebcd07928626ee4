# The seed's step 2 for a Poetry project: one slim stage, Poetry installs the main group into the
# system interpreter, Poetry itself stays in the image.
ARG BASE=python:3.11-slim
FROM ${BASE}
ARG PIP_INDEX_URL
ENV POETRY_NO_INTERACTION=1 POETRY_VIRTUALENVS_CREATE=false
WORKDIR /app
RUN pip install --no-cache-dir poetry==1.3.2
COPY pyproject.toml poetry.lock ./
# Poetry 1.3 has no variable for its default source: a mirror, when given, becomes the default source.
RUN if [ -n "$PIP_INDEX_URL" ]; then poetry source add --default mirror "$PIP_INDEX_URL"; fi
RUN poetry install --only main --no-root && rm -rf /root/.cache/pypoetry
COPY . .
EXPOSE 8000
CMD ["uvicorn", "inventory.main:app", "--host", "0.0.0.0", "--port", "8000"]

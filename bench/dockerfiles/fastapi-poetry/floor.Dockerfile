# The floor: base + a pip-less venv with the locked main dependencies and the project + nothing else.
# The lock's main packages are read with tomllib and installed by pip (no Poetry in any image).
ARG BASE=python:3.11-slim
FROM ${BASE} AS builder
ARG PIP_INDEX_URL
RUN python -m venv --without-pip /opt/venv
COPY pyproject.toml poetry.lock README.md /src/
RUN python -c "import tomllib; lock = tomllib.load(open('/src/poetry.lock', 'rb')); print('\n'.join(p['name'] + '==' + p['version'] for p in lock['package'] if p['category'] == 'main'))" > /tmp/requirements.txt \
    && pip --python /opt/venv/bin/python install --no-cache-dir --no-deps -r /tmp/requirements.txt
COPY inventory/ /src/inventory/
RUN pip --python /opt/venv/bin/python install --no-cache-dir --no-deps /src

FROM ${BASE}
COPY --from=builder /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
CMD ["uvicorn", "inventory.main:app", "--host", "0.0.0.0", "--port", "8000"]

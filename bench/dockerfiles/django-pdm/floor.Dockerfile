# The floor: base + a pip-less venv with the locked production dependencies + the app and its
# collected static files. Nothing else (PDM runs in the builder only).
ARG BASE=python:3.11-slim
FROM ${BASE} AS builder
ARG PIP_INDEX_URL
ARG PDM_PYPI_URL
RUN python -m venv /opt/pdm && /opt/pdm/bin/pip install --no-cache-dir pdm==2.2.1
RUN python -m venv --without-pip /opt/venv
WORKDIR /app
COPY pyproject.toml pdm.lock ./
RUN /opt/pdm/bin/pdm export --prod -o /tmp/requirements.txt \
    && pip --python /opt/venv/bin/python install --no-cache-dir --no-deps -r /tmp/requirements.txt
COPY manage.py ./
COPY shop/ shop/
COPY catalog/ catalog/
RUN /opt/venv/bin/python manage.py collectstatic --noinput

FROM ${BASE}
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
COPY --from=builder /app/manage.py ./
COPY --from=builder /app/shop/ shop/
COPY --from=builder /app/catalog/ catalog/
COPY --from=builder /app/staticfiles/ staticfiles/
ENV PATH=/opt/venv/bin:$PATH
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "shop.wsgi:application"]

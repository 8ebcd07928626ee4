# The seed's step 2 for a PDM project: one slim stage, the exported lock pip-installed into the
# system interpreter; PDM stays in the image.
ARG BASE=python:3.11-slim
FROM ${BASE}
ARG PIP_INDEX_URL
ARG PDM_PYPI_URL
WORKDIR /app
RUN pip install --no-cache-dir pdm==2.2.1
COPY pyproject.toml pdm.lock ./
RUN pdm export --prod -o requirements.txt && pip install --no-cache-dir -r requirements.txt
COPY . .
RUN python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "shop.wsgi:application"]

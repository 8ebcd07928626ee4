# The seed's step 1 for a PDM project: the full Python image, the lock exported to requirements
# and pip-installed into the system interpreter, then everything, static files collected.
ARG BASE=python:3.11
FROM ${BASE}
ARG PIP_INDEX_URL
ARG PDM_PYPI_URL
WORKDIR /app
RUN pip install pdm==2.2.1
COPY pyproject.toml pdm.lock ./
RUN pdm export --prod -o requirements.txt && pip install -r requirements.txt
COPY . .
RUN python manage.py collectstatic --noinput
EXPOSE 8000
CMD ["gunicorn", "--bind", "0.0.0.0:8000", "shop.wsgi:application"]

FROM python:3.10-slim
ENV PIP_NO_CACHE_DIR=1 PYTHONUNBUFFERED=1
RUN pip install pipenv==2023.12.1
WORKDIR /srv
COPY Pipfile Pipfile.lock ./
RUN pipenv install --system --deploy
COPY . .
RUN adduser --disabled-password --gecos "" --uid 1001 web
USER web
CMD ["gunicorn", "-b", "0.0.0.0:8000", "project.wsgi"]

ARG PYTHON_VERSION=3.11
ARG DEBIAN=bookworm
FROM python:${PYTHON_VERSION}-slim-${DEBIAN} AS base
ENV PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1

FROM base AS builder
RUN python -m venv /venv
COPY requirements.txt .
RUN /venv/bin/pip install --no-cache-dir -r requirements.txt

FROM base
ARG UID=10001
RUN useradd --uid ${UID} app
COPY --from=builder /venv /venv
COPY --chown=${UID} . /home/app
WORKDIR /home/app
USER ${UID}
CMD ["/venv/bin/python", "main.py"]

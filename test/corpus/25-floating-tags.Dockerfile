ARG PY=3
FROM python:${PY}-slim AS build
RUN pip install --no-cache-dir --target /deps -r requirements.txt
FROM python:slim
COPY --from=build /deps /deps
ENV PYTHONPATH=/deps PYTHONUNBUFFERED=1
USER nobody
CMD ["python", "-m", "app"]

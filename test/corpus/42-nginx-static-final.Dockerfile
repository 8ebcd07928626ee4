FROM python:3.12-slim AS docs
RUN pip install --no-cache-dir mkdocs==1.6.0 mkdocs-material==9.5.27
COPY . /docs
WORKDIR /docs
RUN mkdocs build
FROM nginx:1.27-alpine
COPY --from=docs /docs/site /usr/share/nginx/html

# syntax=docker/dockerfile:1.4
FROM python:3.12-slim
RUN <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends libpq5
rm -rf /var/lib/apt/lists/*
EOF
COPY <<EOF /etc/gunicorn.conf.py
bind = "0.0.0.0:8000"
workers = 2
EOF
RUN <<EOF bash
set -euo pipefail
python -m venv /opt/venv
/opt/venv/bin/pip install --no-cache-dir -r requirements.txt
curl -fsSL https://example.com/x | tar -xz
EOF
ENV PATH=/opt/venv/bin:$PATH PYTHONUNBUFFERED=1
USER 10001
CMD ["gunicorn", "-c", "/etc/gunicorn.conf.py", "app:app"]

FROM python:3.11-alpine
RUN apk add --no-cache gcc musl-dev linux-headers g++ gfortran openblas-dev
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
CMD ["python", "report.py"]

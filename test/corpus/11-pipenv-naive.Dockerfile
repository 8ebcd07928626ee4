FROM python:3.8
RUN pip install pipenv
COPY . /app
WORKDIR /app
RUN pipenv install --system --dev
CMD ["python", "bot.py"]

from fastapi import FastAPI

app = FastAPI()  # a test fixture app, not the service

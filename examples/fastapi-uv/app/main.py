import os
import time

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI(title="shortener")
_started = time.time()
_links: dict[str, str] = {}


class Link(BaseModel):
    code: str
    target: str


@app.get("/health")
async def health() -> dict[str, object]:
    return {"status": "ok", "uptime": round(time.time() - _started, 1), "pid": os.getpid()}


@app.post("/links", status_code=201)
async def create(link: Link) -> Link:
    _links[link.code] = link.target
    return link


@app.get("/links/{code}")
async def resolve(code: str) -> dict[str, str | None]:
    return {"code": code, "target": _links.get(code)}

import itertools

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from todo_api import __version__

_ids = itertools.count(1)
_todos: dict[int, dict] = {}


async def health(request: Request) -> JSONResponse:
    return JSONResponse({"status": "ok", "version": __version__})


async def list_todos(request: Request) -> JSONResponse:
    return JSONResponse(list(_todos.values()))


async def add_todo(request: Request) -> JSONResponse:
    body = await request.json()
    todo = {"id": next(_ids), "title": str(body["title"]), "done": False}
    _todos[todo["id"]] = todo
    return JSONResponse(todo, status_code=201)


app = Starlette(
    routes=[
        Route("/health", health),
        Route("/todos", list_todos, methods=["GET"]),
        Route("/todos", add_todo, methods=["POST"]),
    ]
)

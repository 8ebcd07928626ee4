import os

from starlette.applications import Starlette
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route


async def health(request):
    return JSONResponse({"status": "ok"})


async def hello(request):
    name = request.path_params.get("name", "world")
    return PlainTextResponse(f"hello, {name}\n")


app = Starlette(routes=[Route("/health", health), Route("/", hello), Route("/hello/{name}", hello)])

if __name__ == "__main__":
    import uvicorn

    uvicorn.run(app, host="0.0.0.0", port=int(os.environ.get("PORT", "8000")))

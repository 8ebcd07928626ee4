import os

from aiohttp import web

routes = web.RouteTableDef()


@routes.get("/health")
async def health(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})


@routes.get("/echo/{word}")
async def echo(request: web.Request) -> web.Response:
    word = request.match_info["word"]
    return web.json_response({"word": word, "length": len(word)})


@routes.post("/kv/{key}")
async def put(request: web.Request) -> web.Response:
    request.app["store"][request.match_info["key"]] = await request.text()
    return web.Response(status=204)


@routes.get("/kv/{key}")
async def get(request: web.Request) -> web.Response:
    value = request.app["store"].get(request.match_info["key"])
    if value is None:
        raise web.HTTPNotFound()
    return web.Response(text=value)


def create_app() -> web.Application:
    app = web.Application()
    app["store"] = {}
    app.add_routes(routes)
    return app


if __name__ == "__main__":
    web.run_app(create_app(), host="0.0.0.0", port=int(os.environ.get("PORT", "8080")))

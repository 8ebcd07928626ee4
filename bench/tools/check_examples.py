"""Install every example from the testenv index in a throwaway venv, import it and start it.

Run inside pycontain.test/python:3.11-slim with --network host and the repository's examples/
mounted (see bench/tools/check-examples.sh). Installs what each project's lock or requirements
pin (the main group only), runs `pip check`, imports the app, and for HTTP apps starts the
server and polls its health route. Prints one line per example and exits non-zero on failure.
"""

import json
import os
import shutil
import subprocess
import sys
import time
import tomllib
import urllib.request

IDX = os.environ["IDX"]
SRC = sys.argv[1]
ONLY = sys.argv[2:]

# name: (appdir, requirements source, import check, server argv or None, health path, install project)
EXAMPLES = {
    "flask-psycopg2-pip": (".", "requirements.txt", "app.main", ["gunicorn", "-b", "127.0.0.1:{port}", "app.main:app"], "/health", False),
    "fastapi-poetry": (".", "poetry.lock", "inventory.main", ["uvicorn", "--port", "{port}", "inventory.main:app"], "/health", True),
    "django-pdm": (".", "pdm.lock", "shop.wsgi", ["gunicorn", "-b", "127.0.0.1:{port}", "shop.wsgi:application"], "/health/", False),
    "django-psycopg2-pipenv": (".", "Pipfile.lock", "blog.wsgi", ["gunicorn", "-b", "127.0.0.1:{port}", "blog.wsgi:application"], "/healthz", False),
    "fastapi-uv": (".", "uv.lock", "app.main", ["uvicorn", "--port", "{port}", "app.main:app"], "/health", False),
    "uv-workspace": (".", "uv.lock", "api.main", ["uvicorn", "--port", "{port}", "api.main:app"], "/health", True),
    "flask-factory-piptools": (".", "requirements.txt", "bookmarks", ["gunicorn", "-b", "127.0.0.1:{port}", "bookmarks:create_app()"], "/healthz", False),
    "celery-worker": (".", "requirements.txt", "tasks.jobs", None, None, False),
    "aiohttp-service": (".", "requirements.txt", "service.app", ["python", "-c", "from aiohttp import web; from service.app import create_app; web.run_app(create_app(), host='127.0.0.1', port={port})"], "/health", False),
    "numpy-report": (".", "requirements.txt", "report.web", ["gunicorn", "-b", "127.0.0.1:{port}", "report.web:app"], "/report", False),
    "src-layout-api": (".", "pyproject.toml", "todo_api.app", ["uvicorn", "--port", "{port}", "todo_api.app:app"], "/health", True),
    "monorepo": ("backend", "requirements.txt", "api.main", ["uvicorn", "--port", "{port}", "api.main:app"], "/photos", False),
    "cli-tool": (".", "setup.cfg", "csvtool.cli", None, None, True),
    "starlette-app": (".", "pyproject.toml", "app", ["uvicorn", "--port", "{port}", "app:app"], "/health", False),
}


def pins(proj, source):
    path = os.path.join(proj, source)
    if source == "requirements.txt":
        return ["-r", path]
    if source == "poetry.lock":
        lock = tomllib.load(open(path, "rb"))
        return [f"{p['name']}=={p['version']}" for p in lock["package"] if p.get("category") == "main"]
    if source == "pdm.lock":
        # pdm 2.2 locks do not mark groups: take the closure of [project].dependencies
        lock = tomllib.load(open(path, "rb"))
        pkgs = {p["name"]: p for p in lock["package"]}
        deps = tomllib.load(open(os.path.join(proj, "pyproject.toml"), "rb"))["project"]["dependencies"]
        return closure(pkgs, deps, lambda p: p.get("dependencies", []))
    if source == "Pipfile.lock":
        lock = json.load(open(path))
        return [f"{n}{v['version']}" for n, v in lock["default"].items()]
    if source == "uv.lock":
        lock = tomllib.load(open(path, "rb"))
        pkgs = {p["name"]: p for p in lock["package"]}
        roots = [p for p in lock["package"] if "registry" not in p["source"]]
        names = []
        for r in roots:
            names += [d["name"] for d in r.get("dependencies", [])]
        out = closure(pkgs, names, lambda p: [d["name"] for d in p.get("dependencies", []) if "win32" not in d.get("marker", "") and "Windows" not in d.get("marker", "")])
        return [x for x in out if "registry" in pkgs[x.split("==")[0]]["source"]]
    if source in ("pyproject.toml", "setup.cfg"):
        if source == "pyproject.toml":
            data = tomllib.load(open(path, "rb"))
            return list(data["project"]["dependencies"])
        return []
    raise ValueError(source)


def closure(pkgs, roots, deps_of):
    import re

    seen, todo = set(), [re.split(r"[<>=~!;\[ ]", r, maxsplit=1)[0].strip().lower().replace("_", "-") for r in roots]
    while todo:
        n = todo.pop()
        if n in seen or n not in pkgs:
            continue
        seen.add(n)
        todo += [re.split(r"[<>=~!;\[ ]", d, maxsplit=1)[0].strip().lower().replace("_", "-") for d in deps_of(pkgs[n])]
    return [f"{n}=={pkgs[n]['version']}" for n in sorted(seen)]


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{r.stdout[-2000:]}\n{r.stderr[-2000:]}")
    return r.stdout


def check(name, port):
    appdir, source, module, server, health, install_project = EXAMPLES[name]
    work = f"/tmp/ex/{name}"
    shutil.copytree(os.path.join(SRC, name), work)
    proj = os.path.join(work, appdir)
    venv = f"/tmp/venv-{name}"
    run([sys.executable, "-m", "venv", venv])
    pip = [f"{venv}/bin/pip", "install", "-q", "--index-url", IDX]
    reqs = pins(proj, source)
    if reqs:
        run(pip + reqs, cwd=proj)
    if install_project:
        if name == "uv-workspace":
            for member in ("packages/pricing", "packages/api"):
                run(pip + ["--no-deps", os.path.join(proj, member)])
        else:
            run(pip + ["."], cwd=proj)
    run([f"{venv}/bin/pip", "check"])
    env = {**os.environ, "PATH": f"{venv}/bin:{os.environ['PATH']}"}
    cwd = "/" if install_project else proj
    run([f"{venv}/bin/python", "-c", f"import {module}"], cwd=cwd, env=env)
    detail = "imports"
    if name == "cli-tool":
        out = run([f"{venv}/bin/csvtool", "stats", "-c", "x", "-"], input="x\n1\n2\n6\n", env=env)
        detail = "csvtool stats ok" if "3.000" in out else f"csvtool output: {out!r}"
    if server:
        argv = [a.replace("{port}", str(port)) for a in server]
        p = subprocess.Popen(argv, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}{health}", timeout=2) as r:
                        detail = f"GET {health} -> {r.status} {r.read(120)!r}"
                        break
                except OSError:
                    if p.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(f"server did not answer: {p.stdout.read()[-2000:] if p.poll() is not None else 'timeout'}")
                    time.sleep(0.3)
        finally:
            p.terminate()
            p.wait(10)
    return detail


failed = 0
for i, name in enumerate(ONLY or EXAMPLES):
    try:
        print(f"OK   {name}: {check(name, 18100 + i)}", flush=True)
    except Exception as exc:  # noqa: BLE001
        failed += 1
        print(f"FAIL {name}: {exc}", flush=True)
sys.exit(1 if failed else 0)

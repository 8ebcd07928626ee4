import { promises as fsp, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { Dependency } from '../plan.js';
import {
  detectFramework,
  frameworksData,
  parseFrameworksData,
  parseProcfile,
  setupCfgScripts,
  shellSplit,
  staticRootValue,
} from './framework.js';
import { scanPython } from './pyscan.js';

const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'pycontain-fw-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));
let n = 0;

/** Write a project from an inline file map; returns its root. */
async function project(files: Record<string, string>): Promise<string> {
  const root = path.join(tmpRoot, `p${n++}`);
  for (const [rel, text] of Object.entries(files)) {
    await fsp.mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await fsp.writeFile(path.join(root, rel), text);
  }
  return root;
}

const deps = (...names: string[]): Dependency[] => names.map((name) => ({ name }));

async function detect(
  files: Record<string, string>,
  d: Dependency[],
  opts: Partial<Parameters<typeof detectFramework>[3]> = {},
  appDir = '.',
) {
  const root = await project(files);
  return detectFramework(root, appDir, d, { scripts: {}, ...opts });
}

describe('frameworks.json', () => {
  it('validates; every server binds 0.0.0.0 and every framework names a known server', () => {
    const d = frameworksData();
    for (const [name, spec] of Object.entries(d.frameworks)) {
      expect(d.servers[spec.server], name).toBeDefined();
      if ((spec.kind === 'asgi' || spec.kind === 'wsgi') && name !== 'pyramid') expect(spec.port).toBe(8000);
    }
    // Pyramid's own templates and docs serve on 6543.
    expect(d.frameworks.pyramid?.port).toBe(6543);
    expect(d.frameworks.streamlit?.port).toBe(8501);
    expect(d.frameworks.gradio?.port).toBe(7860);
    expect(d.frameworks.aiohttp?.port).toBe(8080);
    expect(d.frameworks.celery?.port).toBeNull();
    for (const s of Object.values(d.servers)) {
      const text = s.command.join(' ');
      if (text.includes('{port}') && !text.includes('aiohttp')) expect(text).toMatch(/0\.0\.0\.0/);
    }
    expect(() =>
      parseFrameworksData(
        JSON.stringify({ ...d, frameworks: { x: { ...d.frameworks.flask, server: 'nope' } } }),
      ),
    ).toThrow(/unknown server/);
  });
});

describe('ASGI apps', () => {
  it('FastAPI in main.py -> uvicorn on 0.0.0.0:8000, health route from the code', async () => {
    const r = await detect(
      {
        'main.py':
          'from fastapi import FastAPI\n\napp = FastAPI(title="x")\n\n@app.get("/healthz")\ndef h():\n    return {}\n',
      },
      deps('fastapi', 'uvicorn'),
    );
    expect(r.framework).toBe('fastapi');
    expect(r.entrypoint).toBe('main:app');
    expect(r.command).toEqual(['uvicorn', 'main:app', '--host', '0.0.0.0', '--port', '8000']);
    expect(r.port).toBe(8000);
    expect(r.healthcheckPath).toBe('/healthz');
    expect(r.importChecks).toEqual(['main']);
    expect(r.decisions.find((d) => d.topic === 'framework')?.source).toEqual({ file: 'main.py', line: 3 });
    expect(r.decisions.find((d) => d.topic === 'healthcheck')?.source).toEqual({ file: 'main.py', line: 5 });
  });

  it('uses gunicorn with the uvicorn worker when gunicorn is a dependency', async () => {
    const r = await detect(
      { 'app/main.py': 'import fastapi\napi = fastapi.FastAPI()\n' },
      deps('fastapi', 'uvicorn', 'gunicorn'),
    );
    expect(r.command).toEqual([
      'gunicorn',
      'app.main:api',
      '--worker-class',
      'uvicorn.workers.UvicornWorker',
      '--bind',
      '0.0.0.0:8000',
    ]);
    expect(r.healthcheckPath).toBe('/');
  });

  it('uvicorn-worker (the maintained worker package) is preferred when present', async () => {
    const r = await detect(
      { 'main.py': 'from fastapi import FastAPI\napp = FastAPI()\n' },
      deps('fastapi', 'gunicorn', 'uvicorn-worker'),
    );
    expect(r.command).toEqual([
      'gunicorn',
      'main:app',
      '--worker-class',
      'uvicorn_worker.UvicornWorker',
      '--bind',
      '0.0.0.0:8000',
    ]);
    expect(r.warnings).toEqual([]);
  });

  it('ignores apps in comments, strings and docstrings', async () => {
    const r = await detect(
      {
        'main.py': [
          '"""Example:',
          '    app = FastAPI()',
          '"""',
          '# app = Flask(__name__)',
          'HELP = f"run {x!r}: app = Starlette()"',
          "TEMPLATE = '''",
          'app = Litestar([])',
          "'''",
          'print("hi")',
        ].join('\n'),
      },
      deps('fastapi'),
    );
    expect(r.framework).toBe('unknown');
  });

  it('resolves aliases and refuses unrelated FastAPI-named classes', async () => {
    const r = await detect(
      {
        'svc.py': 'from fastapi import FastAPI as F\nserver = F()\n',
        'other.py': 'class FastAPI: pass\nthing = FastAPI()\n',
      },
      deps('fastapi', 'uvicorn'),
    );
    expect(r.entrypoint).toBe('svc:server');
    expect(r.warnings).toEqual([]);
  });

  it('FastAPI factory -> uvicorn --factory; src layout -> --app-dir src', async () => {
    const r = await detect(
      {
        'src/shop/__init__.py': '',
        'src/shop/factory.py':
          'from fastapi import FastAPI\n\n\ndef create_app() -> FastAPI:\n    app = FastAPI()\n    return app\n',
      },
      deps('fastapi', 'uvicorn'),
    );
    expect(r.command).toEqual([
      'uvicorn',
      '--app-dir',
      'src',
      '--factory',
      'shop.factory:create_app',
      '--host',
      '0.0.0.0',
      '--port',
      '8000',
    ]);
    expect(r.importRoot).toBe('src');
    expect(r.importChecks).toEqual(['shop.factory']);
  });

  it('Starlette route tables and Litestar handlers', async () => {
    const s = await detect(
      {
        'app.py':
          'from starlette.applications import Starlette\nfrom starlette.routing import Route\n\napp = Starlette(routes=[Route("/", home), Route("/ping", ping)])\n',
      },
      deps('starlette', 'uvicorn'),
    );
    expect(s.framework).toBe('starlette');
    expect(s.healthcheckPath).toBe('/ping');
    const l = await detect(
      {
        'app.py':
          'from litestar import Litestar, get\n\n@get("/health")\nasync def health() -> dict:\n    return {}\n\napp = Litestar(route_handlers=[health])\n',
      },
      deps('litestar', 'uvicorn'),
    );
    expect(l.framework).toBe('litestar');
    expect(l.command[0]).toBe('uvicorn');
    expect(l.healthcheckPath).toBe('/health');
  });

  it('runs the project launcher that serves the app, with the port it asks for (uvicorn.run)', async () => {
    const r = await detect(
      {
        'api/__init__.py': '',
        'api/main.py': 'from fastapi import FastAPI\napp = FastAPI()\n',
        'run.py':
          'import os, uvicorn\nif __name__ == "__main__":\n    uvicorn.run("api.main:app", host="0.0.0.0", port=int(os.getenv("PORT", "9000")))\n',
      },
      deps('fastapi', 'uvicorn'),
    );
    expect(r.port).toBe(9000);
    // Launcher evidence first (src/project/launcher.ts): run.py's main block is how the project starts.
    expect(r.command).toEqual(['python', 'run.py']);
    expect(r.decisions.find((d) => d.topic === 'command')?.source).toEqual({ file: 'run.py', line: 2 });
    expect(r.decisions.find((d) => d.topic === 'port')?.source).toEqual({ file: 'run.py', line: 3 });
  });

  it('warns when the server is not a dependency', async () => {
    const r = await detect(
      { 'main.py': 'from fastapi import FastAPI\napp = FastAPI()\n' },
      deps('fastapi', 'pydantic'),
    );
    expect(r.warnings.map((w) => w.code)).toEqual(['server-missing']);
    expect(r.warnings[0]?.message).toMatch(/uvicorn/);
    // fastapi[standard] brings uvicorn along.
    const std = await detect({ 'main.py': 'from fastapi import FastAPI\napp = FastAPI()\n' }, [
      { name: 'fastapi', extras: ['standard'] },
    ]);
    expect(std.warnings).toEqual([]);
  });

  it('health routes on routers include the router prefix', async () => {
    const r = await detect(
      {
        'main.py':
          'from fastapi import FastAPI, APIRouter\nrouter = APIRouter(prefix="/api")\n@router.get("/health")\ndef h(): ...\napp = FastAPI()\napp.include_router(router)\n',
      },
      deps('fastapi', 'uvicorn'),
    );
    expect(r.healthcheckPath).toBe('/api/health');
  });
});

describe('WSGI apps', () => {
  it('Flask(__name__) -> gunicorn, port from app.run, never the dev server', async () => {
    const r = await detect(
      {
        'app.py':
          'from flask import Flask\napp = Flask(__name__)\n\n@app.route("/health")\ndef health():\n    return "ok"\n\nif __name__ == "__main__":\n    app.run(host="0.0.0.0", port=5000)\n',
      },
      deps('flask', 'gunicorn'),
    );
    expect(r.framework).toBe('flask');
    expect(r.command).toEqual(['gunicorn', 'app:app', '--bind', '0.0.0.0:5000']);
    expect(r.port).toBe(5000);
    expect(r.healthcheckPath).toBe('/health');
  });

  it('Flask app factory -> module:create_app()', async () => {
    const r = await detect(
      {
        'web/__init__.py':
          'from flask import Flask\n\ndef create_app(config=None):\n    app = Flask(__name__)\n    from . import views\n    app.register_blueprint(views.bp)\n    return app\n',
        'web/views.py':
          'from flask import Blueprint\nbp = Blueprint("main", __name__)\n@bp.get("/ping")\ndef ping():\n    return "pong"\n',
      },
      deps('flask', 'gunicorn'),
    );
    expect(r.entrypoint).toBe('web:create_app()');
    expect(r.command).toEqual(['gunicorn', 'web:create_app()', '--bind', '0.0.0.0:8000']);
    expect(r.healthcheckPath).toBe('/ping');
    expect(r.warnings).toEqual([]);
  });

  it('apps made under if/try at module level count; apps made only under the main guard do not', async () => {
    const r = await detect(
      {
        'main.py':
          'import os\nfrom fastapi import FastAPI\nif os.getenv("PROD"):\n    app = FastAPI(docs_url=None)\nelse:\n    app = FastAPI()\n',
        'script.py':
          'from flask import Flask\nif __name__ == "__main__":\n    dev = Flask(__name__)\n    dev.run()\n',
        'models.py': 'from flask import Flask\ndef helper():\n    inner = Flask(__name__)\n',
      },
      deps('fastapi', 'uvicorn'),
    );
    expect(r.entrypoint).toBe('main:app');
    expect(r.decisions.find((d) => d.topic === 'framework')?.source).toEqual({ file: 'main.py', line: 4 });
    expect(r.warnings).toEqual([]);
  });

  it('a factory that needs arguments is flagged', async () => {
    const r = await detect(
      {
        'web/__init__.py':
          'from flask import Flask\n\ndef create_app(config_name, *, debug: bool = False):\n    app = Flask(__name__)\n    return app\n',
      },
      deps('flask', 'gunicorn'),
    );
    expect(r.entrypoint).toBe('web:create_app()');
    expect(r.warnings.map((w) => w.code)).toEqual(['factory-args']);
    expect(r.warnings[0]?.source).toEqual({ file: 'web/__init__.py', line: 3 });
  });

  it('Flask without gunicorn warns server-missing', async () => {
    const r = await detect({ 'app.py': 'import flask\napp = flask.Flask(__name__)\n' }, deps('flask'));
    expect(r.command[0]).toBe('gunicorn');
    expect(r.warnings.map((w) => w.code)).toEqual(['server-missing']);
  });
});

describe('Django', () => {
  const manage = (settings: string) =>
    `#!/usr/bin/env python\nimport os, sys\n\ndef main():\n    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "${settings}")\n    from django.core.management import execute_from_command_line\n    execute_from_command_line(sys.argv)\n\nif __name__ == "__main__":\n    main()\n`;

  it('manage.py + settings: gunicorn proj.wsgi:application, STATIC_ROOT, settings env', async () => {
    const r = await detect(
      {
        'manage.py': manage('proj.settings'),
        'proj/__init__.py': '',
        'proj/settings.py':
          'from pathlib import Path\nBASE_DIR = Path(__file__).resolve().parent.parent\nINSTALLED_APPS = []\nROOT_URLCONF = "proj.urls"\nWSGI_APPLICATION = "proj.wsgi.application"\nSTATIC_URL = "static/"\nSTATIC_ROOT = BASE_DIR / "staticfiles"\n',
        'proj/urls.py': 'from django.urls import path\nurlpatterns = [path("healthz/", views.h)]\n',
        'proj/wsgi.py':
          'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\napplication = get_wsgi_application()\n',
        'proj/celery.py': 'from celery import Celery\napp = Celery("proj")\n',
      },
      deps('django', 'gunicorn', 'celery'),
    );
    expect(r.framework).toBe('django');
    expect(r.command).toEqual(['gunicorn', 'proj.wsgi:application', '--bind', '0.0.0.0:8000']);
    expect(r.entrypoint).toBe('proj.wsgi:application');
    expect(r.env).toEqual({ DJANGO_SETTINGS_MODULE: 'proj.settings' });
    expect(r.django).toEqual({
      settingsModule: 'proj.settings',
      wsgiApplication: 'proj.wsgi.application',
      staticRoot: 'staticfiles',
      managePy: 'manage.py',
    });
    expect(r.healthcheckPath).toBe('/healthz/');
    expect(r.importChecks).toEqual(['proj.wsgi']);
    // The Celery app is not lost: a warning says how to run the worker.
    const w = r.warnings.find((x) => x.code === 'worker-not-run');
    expect(w?.message).toMatch(/celery -A proj\.celery worker --loglevel=INFO/);
  });

  it('split settings via star import, os.path.join STATIC_ROOT, ASGI with channels -> uvicorn', async () => {
    const r = await detect(
      {
        'manage.py': manage('config.settings.production'),
        'config/__init__.py': '',
        'config/settings/__init__.py': '',
        'config/settings/base.py':
          'import os\nBASE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))\nINSTALLED_APPS = ["channels"]\nASGI_APPLICATION = "config.asgi.application"\nWSGI_APPLICATION = "config.wsgi.application"\nSTATIC_ROOT = os.path.join(BASE_DIR, "collected")\n',
        'config/settings/production.py': 'from .base import *  # noqa\nDEBUG = False\n',
        'config/asgi.py': 'application = None\n',
        'config/wsgi.py': 'application = None\n',
      },
      deps('django', 'channels', 'uvicorn'),
    );
    expect(r.command).toEqual(['uvicorn', 'config.asgi:application', '--host', '0.0.0.0', '--port', '8000']);
    expect(r.django).toMatchObject({
      settingsModule: 'config.settings.production',
      asgiApplication: 'config.asgi.application',
      staticRoot: 'collected',
    });
    expect(r.django?.staticRoot).toBe('collected');
  });

  it.each([
    ['STATIC_ROOT = "/var/www/static/"', '/var/www/static'],
    ['STATIC_ROOT = BASE_DIR / "staticfiles"', 'staticfiles'],
    ['STATIC_ROOT = str(BASE_DIR.joinpath("public", "static"))', 'public/static'],
    ['STATIC_ROOT = os.path.join(BASE_DIR, "static")', 'static'],
    ['STATIC_ROOT = os.environ.get("STATIC_ROOT", "/srv/static")', '/srv/static'],
    ['STATIC_ROOT = None', null],
    ['STATIC_ROOT = env("STATIC_ROOT")', 'env("STATIC_ROOT")'],
  ])('STATIC_ROOT: %s', (line, expected) => {
    const tokens = scanPython(line)[0]?.tokens.slice(2);
    expect(staticRootValue(tokens)).toBe(expected);
  });

  it('ASGI-only Django with daphne and no uvicorn -> daphne', async () => {
    const r = await detect(
      {
        'manage.py': manage('chat.settings'),
        'chat/__init__.py': '',
        'chat/settings.py':
          'INSTALLED_APPS = ["daphne", "channels"]\nASGI_APPLICATION = "chat.asgi.application"\n',
        'chat/asgi.py': 'application = None\n',
      },
      deps('django', 'channels', 'daphne'),
    );
    expect(r.command).toEqual(['daphne', '--bind', '0.0.0.0', '--port', '8000', 'chat.asgi:application']);
    expect(r.warnings).toEqual([]);
  });

  it('manage.py in a subfolder -> gunicorn --chdir; no STATIC_ROOT -> null', async () => {
    const r = await detect(
      {
        'src/manage.py': manage('site.settings'),
        'src/site/__init__.py': '',
        'src/site/settings.py': 'INSTALLED_APPS = []\n',
        'src/site/wsgi.py': 'application = None\n',
      },
      deps('django', 'gunicorn'),
    );
    expect(r.command).toEqual([
      'gunicorn',
      '--chdir',
      'src',
      'site.wsgi:application',
      '--bind',
      '0.0.0.0:8000',
    ]);
    expect(r.django?.staticRoot).toBeNull();
    expect(r.django?.managePy).toBe('src/manage.py');
    expect(r.importRoot).toBe('src');
    const s = await detect(
      {
        'web/manage.py': manage('site.settings'),
        'web/site/__init__.py': '',
        'web/site/settings.py':
          'BASE_DIR = Path(__file__).parent.parent\nSTATIC_ROOT = BASE_DIR / "static"\n',
      },
      deps('django', 'gunicorn'),
    );
    // Paths are relative to the app directory, like managePy.
    expect(s.django?.staticRoot).toBe('web/static');
  });
});

describe('workers, scripts and other frameworks', () => {
  it('Celery alone -> worker command, no port, no healthcheck', async () => {
    const r = await detect(
      {
        'proj/__init__.py': '',
        'proj/worker.py': 'from celery import Celery\ncelery_app = Celery("proj", broker="redis://")\n',
      },
      deps('celery'),
    );
    expect(r.framework).toBe('celery');
    expect(r.command).toEqual(['celery', '-A', 'proj.worker:celery_app', 'worker', '--loglevel=INFO']);
    expect(r.port).toBeNull();
    expect(r.healthcheckPath).toBeNull();
  });

  it('Flask + Celery -> the HTTP app wins and the worker is explained', async () => {
    const r = await detect(
      {
        'app.py': 'from flask import Flask\napp = Flask(__name__)\n',
        'tasks.py': 'from celery import Celery\napp = Celery("tasks")\n',
      },
      deps('flask', 'gunicorn', 'celery'),
    );
    expect(r.framework).toBe('flask');
    expect(r.warnings.map((w) => w.code)).toEqual(['worker-not-run']);
    expect(r.warnings[0]?.message).toMatch(/celery -A tasks worker/);
  });

  it('Streamlit: the script that imports streamlit, not its pages; port from .streamlit/config.toml', async () => {
    const r = await detect(
      {
        'dashboard.py': 'import streamlit as st\nst.title("x")\n',
        'pages/1_More.py': 'import streamlit as st\n',
        'helpers.py': 'def f(): pass\n',
      },
      deps('streamlit'),
    );
    expect(r.framework).toBe('streamlit');
    expect(r.command).toEqual([
      'streamlit',
      'run',
      'dashboard.py',
      '--server.port',
      '8501',
      '--server.address',
      '0.0.0.0',
    ]);
    expect(r.healthcheckPath).toBe('/_stcore/health');
    const c = await detect(
      {
        'app.py': 'from streamlit import title\ntitle("x")\n',
        '.streamlit/config.toml': '[server]\nport = 8600\n',
      },
      deps('streamlit'),
    );
    expect(c.port).toBe(8600);
    expect(c.command).toContain('8600');
  });

  it('Gradio: the script launches itself; env makes it listen on 0.0.0.0', async () => {
    const r = await detect(
      {
        'app.py':
          'import gradio as gr\n\ndef greet(n):\n    return n\n\ndemo = gr.Interface(fn=greet, inputs="text", outputs="text")\ndemo.launch(server_port=7000)\n',
      },
      deps('gradio'),
    );
    expect(r.framework).toBe('gradio');
    expect(r.command).toEqual(['python', 'app.py']);
    expect(r.port).toBe(7000);
    expect(r.env).toEqual({ GRADIO_SERVER_NAME: '0.0.0.0', GRADIO_SERVER_PORT: '7000' });
    expect(r.importChecks).toEqual(['gradio']);
    const b = await detect(
      { 'ui.py': 'import gradio as gr\nwith gr.Blocks() as demo:\n    gr.Markdown("x")\ndemo.launch()\n' },
      deps('gradio'),
    );
    expect(b.port).toBe(7860);
  });

  it('aiohttp: module-level app without run_app and without gunicorn', async () => {
    const r = await detect(
      { 'server.py': 'from aiohttp import web\napp = web.Application()\n' },
      deps('aiohttp'),
    );
    expect(r.framework).toBe('aiohttp');
    expect(r.port).toBe(8080);
    expect(r.command).toEqual([
      'python',
      '-c',
      "from aiohttp import web; from server import app; web.run_app(app, host='0.0.0.0', port=8080)",
    ]);
  });

  it('aiohttp: an argv-taking factory -> python -m aiohttp.web', async () => {
    const r = await detect(
      {
        'svc.py': 'from aiohttp import web\n\ndef init(argv):\n    app = web.Application()\n    return app\n',
      },
      deps('aiohttp'),
    );
    expect(r.command).toEqual([
      'python',
      '-m',
      'aiohttp.web',
      '--hostname',
      '0.0.0.0',
      '--port',
      '8080',
      'svc:init',
    ]);
  });

  it('console scripts: the one named like the project', async () => {
    const r = await detect({ 'tool/__init__.py': '', 'tool/cli.py': 'def main(): pass\n' }, deps('click'), {
      scripts: { 'tool-admin': 'tool.admin:main', tool: 'tool.cli:main' },
      projectName: 'Tool',
    });
    expect(r.framework).toBe('cli');
    expect(r.command).toEqual(['tool']);
    expect(r.entrypoint).toBe('tool.cli:main');
    expect(r.port).toBeNull();
    expect(r.warnings.map((w) => w.code)).toEqual(['several-scripts']);
  });

  it('setup.cfg console_scripts when no scripts are passed', async () => {
    const root = await project({
      'setup.cfg':
        '[metadata]\nname = x\n\n[options.entry_points]\nconsole_scripts =\n    xtool = x.cli:main\n    xother = x.other:run\n',
    });
    expect(await setupCfgScripts(root)).toEqual({ xtool: 'x.cli:main', xother: 'x.other:run' });
  });

  it('__main__.py -> python -m pkg', async () => {
    const r = await detect({ 'pkg/__init__.py': '', 'pkg/__main__.py': 'print(1)\n' }, []);
    expect(r.framework).toBe('cli');
    expect(r.command).toEqual(['python', '-m', 'pkg']);
  });

  it('nothing to start -> no-entrypoint warning', async () => {
    const r = await detect({ 'lib.py': 'def f(): pass\n' }, []);
    expect(r.framework).toBe('unknown');
    expect(r.command).toEqual([]);
    expect(r.warnings.map((w) => w.code)).toEqual(['no-entrypoint']);
  });

  it('a plain script with a main guard is the fallback', async () => {
    const r = await detect({ 'main.py': 'def main(): pass\nif __name__ == "__main__":\n    main()\n' }, []);
    expect(r.command).toEqual(['python', 'main.py']);
  });
});

describe('several candidates and layout', () => {
  it('prefers the shallow main module and warns about the others', async () => {
    const r = await detect(
      {
        'main.py': 'from fastapi import FastAPI\napp = FastAPI()\n',
        'tools/admin/panel.py': 'from flask import Flask\nadmin = Flask(__name__)\n',
      },
      deps('fastapi', 'uvicorn', 'flask'),
    );
    expect(r.entrypoint).toBe('main:app');
    const w = r.warnings.find((x) => x.code === 'several-apps');
    expect(w?.message).toMatch(/tools\/admin\/panel\.py:2/);
  });

  it('skips tests, virtualenvs and node_modules', async () => {
    const r = await detect(
      {
        'tests/test_app.py': 'from flask import Flask\napp = Flask(__name__)\n',
        '.venv/lib/python3.12/site-packages/x/app.py': 'from flask import Flask\napp = Flask(__name__)\n',
        'node_modules/y/app.py': 'from flask import Flask\napp = Flask(__name__)\n',
        'service.py': 'from fastapi import FastAPI\napp = FastAPI()\n',
      },
      deps('fastapi', 'uvicorn'),
    );
    expect(r.entrypoint).toBe('service:app');
    expect(r.warnings).toEqual([]);
  });

  it('a plain folder whose modules import each other by bare name is its own import root', async () => {
    const r = await detect(
      {
        'service/main.py': 'from fastapi import FastAPI\nfrom models import Item\napp = FastAPI()\n',
        'service/models.py': 'class Item: pass\n',
      },
      deps('fastapi', 'uvicorn'),
    );
    expect(r.entrypoint).toBe('main:app');
    expect(r.command).toEqual([
      'uvicorn',
      '--app-dir',
      'service',
      'main:app',
      '--host',
      '0.0.0.0',
      '--port',
      '8000',
    ]);
  });

  it('app directory inside the repository: sources relative to the root', async () => {
    const root = await project({ 'backend/api/main.py': 'from fastapi import FastAPI\napp = FastAPI()\n' });
    const r = await detectFramework(root, 'backend', deps('fastapi', 'uvicorn'), { scripts: {} });
    expect(r.entrypoint).toBe('api.main:app');
    expect(r.decisions.find((d) => d.topic === 'framework')?.source).toEqual({
      file: 'backend/api/main.py',
      line: 2,
    });
  });

  it('overrides win: command and port', async () => {
    const r = await detect(
      { 'main.py': 'from fastapi import FastAPI\napp = FastAPI()\n' },
      deps('fastapi', 'uvicorn'),
      {
        overrides: { port: 9999 },
      },
    );
    expect(r.command).toEqual(['uvicorn', 'main:app', '--host', '0.0.0.0', '--port', '9999']);
    expect(r.port).toBe(9999);
    const c = await detect(
      { 'main.py': 'from fastapi import FastAPI\napp = FastAPI()\n' },
      deps('fastapi', 'uvicorn'),
      {
        overrides: { command: ['hypercorn', 'main:app'] },
      },
    );
    expect(c.command).toEqual(['hypercorn', 'main:app']);
    expect(c.framework).toBe('fastapi');
  });
});

describe('robustness', () => {
  it('never throws on arbitrary code-shaped files, and every command is exec-form strings', async () => {
    const piece = fc.constantFrom(
      'app = FastAPI(',
      'app = Flask(__name__)\n',
      'from fastapi import FastAPI\n',
      'from flask import Flask\n',
      'import gradio as gr\n',
      'demo = gr.Blocks()\n',
      'demo.launch(server_port=',
      'def create_app(',
      '):\n    return app\n',
      '@app.get("/health")\n',
      'uvicorn.run("main:app", port=',
      'os.environ.setdefault("DJANGO_SETTINGS_MODULE", "p.settings")\n',
      'if __name__ == "__main__":\n',
      '    ',
      '"""',
      "'",
      '#',
      '(',
      ')',
      '\n',
      '8000',
      'Celery(',
      'web.Application()',
      'from aiohttp import web\n',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(piece, { maxLength: 30 }),
        fc.array(piece, { maxLength: 30 }),
        fc.constantFrom(
          '',
          'web: gunicorn main:app\n',
          'web: python manage.py migrate && uvicorn x:y --port $PORT\n',
        ),
        async (a, b, procfile) => {
          const files: Record<string, string> = {
            'main.py': a.join(''),
            'pkg/__init__.py': '',
            'pkg/mod.py': b.join(''),
          };
          if (procfile) files.Procfile = procfile;
          if (a.length % 3 === 0) files['manage.py'] = b.join('');
          const r = await detect(files, deps('fastapi', 'uvicorn', 'flask', 'gunicorn'));
          for (const arg of r.command) expect(typeof arg).toBe('string');
          if (r.port !== null) expect(Number.isInteger(r.port)).toBe(true);
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe('Procfile', () => {
  it('parses and splits', () => {
    expect(parseProcfile('# c\nweb: gunicorn app:app\nworker: celery -A x worker\n')).toEqual([
      { name: 'web', command: 'gunicorn app:app', line: 2 },
      { name: 'worker', command: 'celery -A x worker', line: 3 },
    ]);
    expect(shellSplit(`gunicorn "app:create_app()" --log-level 'info'`)).toEqual([
      'gunicorn',
      'app:create_app()',
      '--log-level',
      'info',
    ]);
    expect(shellSplit('a | b')).toBeNull();
  });

  it('honours web:, strips migrate &&, fixes the bind and $PORT', async () => {
    const r = await detect(
      {
        Procfile:
          'release: python manage.py migrate\nweb: python manage.py migrate && gunicorn proj.wsgi --bind 127.0.0.1:$PORT --workers 3\n',
        'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "proj.settings")\n',
        'proj/__init__.py': '',
        'proj/settings.py': 'INSTALLED_APPS = []\nWSGI_APPLICATION = "proj.wsgi.application"\n',
        'proj/wsgi.py': 'application = None\n',
      },
      deps('django', 'gunicorn'),
    );
    expect(r.command).toEqual(['gunicorn', 'proj.wsgi', '--bind', '0.0.0.0:8000', '--workers', '3']);
    expect(r.entrypoint).toBe('proj.wsgi:application');
    expect(r.warnings.map((w) => w.code).sort()).toEqual(['procfile-bind', 'procfile-migrate']);
    expect(r.warnings.find((w) => w.code === 'procfile-migrate')?.source).toEqual({
      file: 'Procfile',
      line: 2,
    });
    expect(r.decisions.find((d) => d.topic === 'command')?.source).toEqual({ file: 'Procfile', line: 2 });
    expect(r.port).toBe(8000);
  });

  it('replaces the Flask development server', async () => {
    const r = await detect(
      {
        Procfile: 'web: flask run --host=0.0.0.0\n',
        'app.py': 'from flask import Flask\napp = Flask(__name__)\n',
      },
      deps('flask', 'gunicorn'),
    );
    expect(r.command).toEqual(['gunicorn', 'app:app', '--bind', '0.0.0.0:8000']);
    expect(r.warnings.map((w) => w.code)).toEqual(['dev-server']);
  });

  it('replaces runserver', async () => {
    const r = await detect(
      {
        Procfile: 'web: python manage.py runserver 0.0.0.0:$PORT\n',
        'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "p.settings")\n',
        'p/__init__.py': '',
        'p/settings.py': 'WSGI_APPLICATION = "p.wsgi.application"\n',
        'p/wsgi.py': 'application = None\n',
      },
      deps('django', 'gunicorn'),
    );
    expect(r.command).toEqual(['gunicorn', 'p.wsgi:application', '--bind', '0.0.0.0:8000']);
    expect(r.warnings.map((w) => w.code)).toEqual(['dev-server']);
  });

  it('PORT with a default gives the port; uvicorn gets --host 0.0.0.0', async () => {
    const r = await detect(
      {
        Procfile: `web: uvicorn main:app --port $${'{'}PORT:-5001}\n`,
        'main.py': 'from fastapi import FastAPI\napp = FastAPI()\n',
      },
      deps('fastapi', 'uvicorn'),
    );
    expect(r.command).toEqual(['uvicorn', 'main:app', '--port', '5001', '--host', '0.0.0.0']);
    expect(r.entrypoint).toBe('main:app');
    expect(r.port).toBe(5001);
    expect(r.decisions.filter((d) => d.topic === 'port')).toEqual([
      {
        topic: 'port',
        value: '5001',
        reason: 'the port the Procfile web process listens on',
        source: { file: 'Procfile', line: 1 },
      },
    ]);
  });

  it('shell syntax -> sh -c with a warning', async () => {
    const r = await detect({ Procfile: 'web: bin/start-web | tee log\n' }, []);
    expect(r.command).toEqual(['sh', '-c', 'bin/start-web | tee log']);
    expect(r.warnings.map((w) => w.code)).toEqual(['procfile-shell']);
  });
});

// Real-world layouts, written in the shape of cookiecutter-django and the FastAPI RealWorld app.
describe('fixtures', () => {
  const fx = (name: string) => path.resolve(import.meta.dirname, '__fixtures__/framework', name);

  it('cookiecutter-django: production settings from the WSGI module, Procfile web without a bind, Celery worker', async () => {
    const r = await detectFramework(
      fx('cookiecutter-django'),
      '.',
      deps('django', 'gunicorn', 'celery', 'django-environ'),
      {
        scripts: {},
      },
    );
    expect(r.framework).toBe('django');
    expect(r.command).toEqual(['gunicorn', 'config.wsgi:application', '--bind', '0.0.0.0:8000']);
    expect(r.env).toEqual({ DJANGO_SETTINGS_MODULE: 'config.settings.production' });
    expect(r.django).toEqual({
      settingsModule: 'config.settings.production',
      wsgiApplication: 'config.wsgi.application',
      staticRoot: 'staticfiles',
      managePy: 'manage.py',
    });
    expect(r.decisions.find((d) => d.topic === 'django')?.reason).toMatch(
      /manage\.py defaults to config\.settings\.local/,
    );
    expect(r.healthcheckPath).toBe('/healthz/');
    expect(r.warnings.map((w) => w.code)).toEqual(['worker-not-run']);
    expect(r.warnings[0]?.message).toMatch(/celery -A config\.celery_app worker/);
  });

  it('fastapi-realworld: app = get_application(), Procfile --port with a PORT default, health under a dynamic prefix', async () => {
    const r = await detectFramework(fx('fastapi-realworld'), '.', deps('fastapi', 'uvicorn'), {
      scripts: {},
    });
    expect(r.framework).toBe('fastapi');
    expect(r.entrypoint).toBe('app.main:app');
    expect(r.command).toEqual(['uvicorn', 'app.main:app', '--host', '0.0.0.0', '--port', '5000']);
    expect(r.port).toBe(5000);
    // The health router is mounted under settings.api_prefix, unknown statically: no guess.
    expect(r.healthcheckPath).toBe('/');
    expect(r.warnings).toEqual([]);
  });
});

// The examples of this repository (engineer E's), through the real detector.
describe('examples/', () => {
  const ex = (name: string) => path.resolve(import.meta.dirname, '../../examples', name);
  const cases: [string, string, Dependency[], Partial<Awaited<ReturnType<typeof detectFramework>>>][] = [
    [
      'flask-psycopg2-pip',
      '.',
      deps('flask', 'gunicorn', 'psycopg2'),
      { framework: 'flask', entrypoint: 'app.main:app', healthcheckPath: '/health', port: 8000 },
    ],
    [
      'fastapi-poetry',
      '.',
      deps('fastapi', 'uvicorn'),
      {
        framework: 'fastapi',
        entrypoint: 'inventory.main:app',
        command: ['uvicorn', 'inventory.main:app', '--host', '0.0.0.0', '--port', '8000'],
        healthcheckPath: '/health',
      },
    ],
    [
      'django-pdm',
      '.',
      deps('django', 'gunicorn'),
      {
        framework: 'django',
        entrypoint: 'shop.wsgi:application',
        healthcheckPath: '/health/',
        env: { DJANGO_SETTINGS_MODULE: 'shop.settings' },
      },
    ],
    [
      'django-psycopg2-pipenv',
      '.',
      deps('django', 'gunicorn', 'psycopg2'),
      { framework: 'django', entrypoint: 'blog.wsgi:application', healthcheckPath: '/healthz' },
    ],
    ['fastapi-uv', '.', deps('fastapi', 'uvicorn'), { framework: 'fastapi', entrypoint: 'app.main:app' }],
    [
      'flask-factory-piptools',
      '.',
      deps('flask', 'gunicorn'),
      { framework: 'flask', entrypoint: 'wsgi:app', healthcheckPath: '/healthz', warnings: [] },
    ],
    [
      'celery-worker',
      '.',
      deps('celery', 'redis'),
      {
        framework: 'celery',
        command: ['celery', '-A', 'tasks.celery_app', 'worker', '--loglevel=INFO'],
        port: null,
      },
    ],
    [
      'numpy-report',
      '.',
      deps('flask', 'gunicorn', 'numpy'),
      {
        framework: 'flask',
        command: ['gunicorn', '--bind', '0.0.0.0:8000', '--workers', '2', 'report.web:app'],
      },
    ],
    [
      'src-layout-api',
      '.',
      deps('starlette', 'uvicorn'),
      { framework: 'starlette', entrypoint: 'todo_api.app:app', importRoot: 'src' },
    ],
    ['monorepo', 'backend', deps('fastapi', 'uvicorn'), { framework: 'fastapi', entrypoint: 'api.main:app' }],
    [
      'uv-workspace',
      'packages/api',
      deps('fastapi', 'uvicorn'),
      { framework: 'fastapi', entrypoint: 'api.main:app', importRoot: 'src' },
    ],
    [
      'cli-tool',
      '.',
      deps('click', 'rich'),
      { framework: 'cli', command: ['csvtool'], entrypoint: 'csvtool.cli:main' },
    ],
    [
      'aiohttp-service',
      '.',
      deps('aiohttp'),
      {
        framework: 'aiohttp',
        command: ['python', '-m', 'service.app'],
        port: 8080,
        healthcheckPath: '/health',
      },
    ],
    [
      'starlette-app',
      '.',
      deps('starlette', 'uvicorn'),
      { framework: 'starlette', entrypoint: 'app:app', healthcheckPath: '/health' },
    ],
  ];
  it.each(cases)('%s', async (name, appDir, d, expected) => {
    const r = await detectFramework(ex(name), appDir, d, { scripts: {} });
    expect(r).toMatchObject(expected);
    for (const arg of r.command) expect(arg).not.toMatch(/127\.0\.0\.1|runserver|flask run/);
  });
});

describe('a command-line program with a GUI or web part in its package', () => {
  const cli = 'import sys\n\ndef main():\n    print(sys.argv)\n';
  it('a Streamlit GUI inside the package: the console script runs', async () => {
    const r = await detect(
      {
        'tool/__init__.py': '',
        'tool/main.py': cli,
        'tool/gui.py': 'import streamlit as st\nst.title("tool")\n',
      },
      deps('streamlit'),
      { scripts: { tool: 'tool.main:main' }, projectName: 'tool' },
    );
    expect(r.framework).toBe('cli');
    expect(r.command).toEqual(['tool']);
    expect(r.port).toBeNull();
    const d = r.decisions.find((x) => x.topic === 'framework' && x.value.startsWith('not '));
    expect(d?.source).toEqual({ file: 'tool/gui.py', line: 1 });
  });

  it('a web API two packages down: the console script runs, on the port its settings name', async () => {
    const r = await detect(
      {
        'daemon/__init__.py': '',
        'daemon/cli.py': cli,
        'daemon/config.py': 'LISTEN_PORT = 5050\n',
        'daemon/api/__init__.py': '',
        'daemon/api/app.py': 'from flask import Flask\napi_app = Flask(__name__)\n',
      },
      deps('flask', 'gunicorn'),
      { scripts: { daemon: 'daemon.cli:main' }, projectName: 'daemon' },
    );
    expect(r.framework).toBe('cli');
    expect(r.command).toEqual(['daemon']);
    expect(r.port).toBe(5050);
  });

  it('an app in the package module named to be served (pkg/app.py) stays the app', async () => {
    const r = await detect(
      {
        'svc/__init__.py': '',
        'svc/cli.py': cli,
        'svc/app.py': 'from flask import Flask\napp = Flask(__name__)\n',
      },
      deps('flask', 'gunicorn'),
      { scripts: { svc: 'svc.cli:main' }, projectName: 'svc' },
    );
    expect(r.framework).toBe('flask');
    expect(r.entrypoint).toBe('svc.app:app');
  });

  it('an app outside the program package stays the app', async () => {
    const r = await detect(
      {
        'tool/__init__.py': '',
        'tool/main.py': cli,
        'web/__init__.py': '',
        'web/api/__init__.py': '',
        'web/api/server.py': 'from fastapi import FastAPI\napp = FastAPI()\n',
      },
      deps('fastapi', 'uvicorn'),
      { scripts: { tool: 'tool.main:main' }, projectName: 'tool' },
    );
    expect(r.framework).toBe('fastapi');
  });
});

it('an app in the package of a console script that starts no server, in its __init__.py, stays the app', async () => {
  const r = await detect(
    {
      'src/hello_app/__init__.py':
        'from fastapi import FastAPI\napp = FastAPI()\n\ndef hello():\n    print("hello")\n',
    },
    deps('fastapi', 'uvicorn'),
    { scripts: { hello: 'hello_app:hello' } },
  );
  expect(r.framework).toBe('fastapi');
  expect(r.entrypoint).toBe('hello_app:app');
});

it('an app whose own module holds the console script function stays the app', async () => {
  const r = await detect(
    {
      'search/__init__.py': '',
      'search/webapp.py':
        'from flask import Flask\napp = Flask(__name__)\n\ndef run():\n    app.run(port=8888)\n',
    },
    deps('flask', 'gunicorn'),
    { scripts: { 'search-run': 'search.webapp:run' } },
  );
  expect(r.framework).toBe('flask');
  expect(r.entrypoint).toBe('search.webapp:app');
});

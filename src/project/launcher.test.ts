import { promises as fsp, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanFiles } from './framework.js';
import { findLaunchers, type LaunchInput } from './launcher.js';

const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'pycontain-launcher-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));
let n = 0;

async function launch(
  files: Record<string, string>,
  installed: string[],
  opts: Partial<Pick<LaunchInput, 'scripts' | 'projectName'>> = {},
) {
  const base = path.join(tmpRoot, `p${n++}`);
  for (const [rel, text] of Object.entries(files)) {
    await fsp.mkdir(path.dirname(path.join(base, rel)), { recursive: true });
    await fsp.writeFile(path.join(base, rel), text);
  }
  return findLaunchers({
    base,
    files: await scanFiles(base),
    scripts: opts.scripts ?? {},
    installed: new Set(installed),
    ...(opts.projectName ? { projectName: opts.projectName } : {}),
  });
}

describe('__main__ blocks', () => {
  it('runs a package module whose main block serves the app, port from the literal', async () => {
    const r = await launch(
      {
        'app/__init__.py': '',
        'app/main.py':
          'import uvicorn\nfrom fastapi import FastAPI\napp = FastAPI()\n\nif __name__ == "__main__":\n    uvicorn.run("app.main:app", host="0.0.0.0", port=9001)\n',
      },
      ['fastapi', 'uvicorn'],
    );
    const c = r.candidates[0];
    expect(c?.kind).toBe('main-block');
    expect(c?.command).toEqual(['python', '-m', 'app.main']);
    expect(c?.port).toBe(9001);
    expect(c?.portSource).toEqual({ file: 'app/main.py', line: 6 });
    expect(c?.source).toEqual({ file: 'app/main.py', line: 5 });
    expect(c?.reason).toContain('uvicorn.run() at app/main.py:6');
  });

  it('resolves the port through pydantic BaseSettings, Field defaults and env_prefix', async () => {
    const r = await launch(
      {
        'svc/__init__.py': '',
        'svc/config.py':
          'from pydantic import Field\nfrom pydantic_settings import BaseSettings, SettingsConfigDict\n\nclass Settings(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix="SVC_")\n    HOST: str = "0.0.0.0"\n    PORT: int = Field(9000, description="port")\n\nsettings = Settings()\n',
        'svc/server.py':
          'import uvicorn\nfrom svc.config import settings\n\ndef main():\n    uvicorn.run("svc.api:app", host=settings.HOST, port=settings.PORT)\n\nif __name__ == "__main__":\n    main()\n',
      },
      ['uvicorn'],
    );
    const c = r.candidates[0];
    expect(c?.command).toEqual(['python', '-m', 'svc.server']);
    expect(c?.port).toBe(9000);
    expect(c?.portSource).toEqual({ file: 'svc/config.py', line: 7 });
    expect(c?.portReason).toContain('Settings.PORT = 9000');
    expect(r.settingsPort?.port).toBe(9000);
  });

  it('reads os.environ.get / os.getenv defaults, and int() around them', async () => {
    const r = await launch(
      {
        'app.py':
          'import os\nfrom aiohttp import web\n\ndef build():\n    return web.Application()\n\nif __name__ == "__main__":\n    web.run_app(build(), port=int(os.environ.get("PORT", "8081")))\n',
      },
      ['aiohttp'],
    );
    expect(r.candidates[0]?.command).toEqual(['python', 'app.py']);
    expect(r.candidates[0]?.port).toBe(8081);
    expect(r.candidates[0]?.portReason).toContain('$PORT');
  });

  it('rewrites a loopback host read from the environment to 0.0.0.0, and says so', async () => {
    const r = await launch(
      {
        'server.py':
          'import os\nimport waitress\nfrom web import app\n\nif __name__ == "__main__":\n    waitress.serve(app, host=os.getenv("APP_HOST", "127.0.0.1"), port=os.getenv("APP_PORT", 8080))\n',
        'web.py': 'from flask import Flask\napp = Flask(__name__)\n',
      },
      ['flask', 'waitress'],
    );
    const c = r.candidates[0];
    expect(c?.env).toEqual({ APP_HOST: '0.0.0.0' });
    expect(c?.port).toBe(8080);
    expect(c?.warnings[0]?.code).toBe('launcher-host');
    expect(c?.warnings[0]?.message).toContain('APP_HOST=0.0.0.0');
  });

  it('drops a launcher hard-wired to 127.0.0.1, or relying on uvicorn.run’s loopback default', async () => {
    const r = await launch(
      {
        'main.py':
          'import uvicorn\nfrom fastapi import FastAPI\napp = FastAPI()\nif __name__ == "__main__":\n    uvicorn.run(app, host="127.0.0.1", port=8000)\n',
        'other.py':
          'import uvicorn\nfrom main import app\nif __name__ == "__main__":\n    uvicorn.run(app)\n',
      },
      ['fastapi', 'uvicorn'],
    );
    expect(r.candidates).toEqual([]);
    expect(r.dropped.map((d) => d.source)).toEqual([
      { file: 'main.py', line: 4 },
      { file: 'other.py', line: 3 },
    ]);
    expect(r.dropped[0]?.reason).toContain('127.0.0.1');
    expect(r.dropped[1]?.reason).toContain('when no host is given');
  });

  it('never uses a development server: Flask app.run, reload=True, runserver', async () => {
    const r = await launch(
      {
        'app.py':
          'from flask import Flask\napp = Flask(__name__)\nif __name__ == "__main__":\n    app.run(debug=True)\n',
        'asgi.py':
          'import uvicorn\nif __name__ == "__main__":\n    uvicorn.run("asgi:app", host="0.0.0.0", reload=True)\n',
        'run.py':
          'from django.core.management import execute_from_command_line\nif __name__ == "__main__":\n    execute_from_command_line(["manage.py", "runserver", "0.0.0.0:8000"])\n',
      },
      ['flask', 'uvicorn', 'django'],
    );
    expect(r.candidates).toEqual([]);
    const reasons = r.dropped.map((d) => d.reason).join('\n');
    expect(reasons).toContain("Flask's app.run() is the Werkzeug development server (app.py:4)");
    expect(reasons).toContain('reload=True is a development mode (asgi.py:3)');
    expect(reasons).toContain("runserver is Django's development server");
  });

  it('drops a launcher whose server the dependencies do not install', async () => {
    const r = await launch(
      {
        'serve.py':
          'import granian\nif __name__ == "__main__":\n    granian.Granian("app:app", address="0.0.0.0", port=8000).serve()\n',
      },
      ['flask'],
    );
    expect(r.candidates).toEqual([]);
    expect(r.dropped[0]?.reason).toContain(
      'needs granian, which the dependencies do not install (serve.py:3)',
    );
  });

  it('ignores main blocks in tests, scripts and tool folders', async () => {
    const r = await launch(
      {
        'scripts/dev_server.py':
          'import uvicorn\nif __name__ == "__main__":\n    uvicorn.run("app:app", host="0.0.0.0", port=1234)\n',
        'tools/helper.py':
          'import uvicorn\nif __name__ == "__main__":\n    uvicorn.run("app:app", host="0.0.0.0", port=1235)\n',
        'pkg/__init__.py': '',
        'pkg/test_helpers.py':
          'import uvicorn\nif __name__ == "__main__":\n    uvicorn.run("app:app", host="0.0.0.0", port=1236)\n',
      },
      ['uvicorn'],
    );
    expect(r.candidates).toEqual([]);
    expect(r.dropped).toEqual([]);
  });

  it('prefers the launcher when main() configures the app it serves', async () => {
    const r = await launch(
      {
        'svc/__init__.py': '',
        'svc/app.py':
          'import sys\nfrom aiohttp import web\napp = web.Application()\n\ndef main():\n    app.router.add_get("/", lambda r: None)\n    web.run_app(app, port=8090)\n\nif __name__ == "__main__":\n    main()\n',
      },
      ['aiohttp'],
    );
    expect(r.candidates[0]?.reason).toContain('configured there first (svc/app.py:6)');
    expect(r.candidates[0]?.command).toEqual(['python', '-m', 'svc.app']);
  });

  it('reads a gunicorn application class and its bind option', async () => {
    const r = await launch(
      {
        'run.py':
          'from gunicorn.app.base import BaseApplication\nfrom web import app\n\nclass App(BaseApplication):\n    def load(self):\n        return app\n\nif __name__ == "__main__":\n    options = {"bind": "0.0.0.0:8765", "workers": 2}\n    App(app, options).run()\n',
        'web.py': 'from flask import Flask\napp = Flask(__name__)\n',
      },
      ['gunicorn', 'flask'],
    );
    expect(r.candidates[0]?.port).toBe(8765);
    expect(r.candidates[0]?.server).toBe('gunicorn');
    expect(r.candidates[0]?.portSource).toEqual({ file: 'run.py', line: 9 });
  });

  it('takes an argparse --port default, and passes --host 0.0.0.0 when the default is loopback', async () => {
    const r = await launch(
      {
        'serve.py':
          'import argparse\nimport uvicorn\n\nif __name__ == "__main__":\n    p = argparse.ArgumentParser()\n    p.add_argument("--host", default="127.0.0.1")\n    p.add_argument("--port", type=int, default=7001)\n    args = p.parse_args()\n    uvicorn.run("api:app", host=args.host, port=args.port)\n',
      },
      ['uvicorn'],
    );
    const c = r.candidates[0];
    expect(c?.command).toEqual(['python', 'serve.py', '--host', '0.0.0.0']);
    expect(c?.port).toBe(7001);
    expect(c?.portSource).toEqual({ file: 'serve.py', line: 7 });
  });
});

describe('console scripts', () => {
  it('runs a console script whose function starts a server', async () => {
    const r = await launch(
      {
        'pyproject.toml': '[project]\nname = "svc"\n\n[project.scripts]\nsvc = "svc.cli:main"\n',
        'svc/__init__.py': '',
        'svc/cli.py':
          'import uvicorn\n\ndef main():\n    uvicorn.run("svc.api:app", host="0.0.0.0", port=8123)\n',
      },
      ['uvicorn'],
      { scripts: { svc: 'svc.cli:main' }, projectName: 'svc' },
    );
    const c = r.candidates[0];
    expect(c?.kind).toBe('console-script');
    expect(c?.command).toEqual(['svc']);
    expect(c?.port).toBe(8123);
    expect(c?.source).toEqual({ file: 'pyproject.toml', line: 5 });
  });

  it('picks the serve command of a click group, with the --port option default', async () => {
    const r = await launch(
      {
        'myapp/__init__.py': '',
        'myapp/cli.py':
          'import click\nimport uvicorn\n\n@click.group()\ndef cli():\n    pass\n\n@cli.command()\ndef migrate():\n    pass\n\n@cli.command("serve")\n@click.option("--port", default=8200)\ndef serve_cmd(port):\n    uvicorn.run("myapp.api:app", host="0.0.0.0", port=port)\n',
      },
      ['click', 'uvicorn'],
      { scripts: { myapp: 'myapp.cli:cli' } },
    );
    const c = r.candidates[0];
    expect(c?.command).toEqual(['myapp', 'serve']);
    expect(c?.port).toBe(8200);
    expect(c?.portSource).toEqual({ file: 'myapp/cli.py', line: 13 });
    expect(c?.reason).toContain('serve command');
  });

  it('finds typer commands through a main() that calls the app', async () => {
    const r = await launch(
      {
        'tool/__init__.py': '',
        'tool/cli.py':
          'import typer\nfrom aiohttp import web\nfrom tool.web import make_app\n\napp = typer.Typer()\n\n@app.command()\ndef start(port: int = typer.Option(8300)):\n    web.run_app(make_app(), port=port)\n\ndef main():\n    app()\n',
        'tool/web.py': 'from aiohttp import web\n\ndef make_app():\n    return web.Application()\n',
      },
      ['typer', 'aiohttp'],
      { scripts: { tool: 'tool.cli:main' } },
    );
    expect(r.candidates[0]?.command).toEqual(['tool', 'start']);
    expect(r.candidates[0]?.port).toBe(8300);
  });

  it('a pure CLI with no server is not a launcher, and says why', async () => {
    const r = await launch(
      {
        'conv/__init__.py': '',
        'conv/cli.py': 'import sys\n\ndef main():\n    print(sys.argv)\n',
      },
      [],
      { scripts: { conv: 'conv.cli:main' } },
    );
    expect(r.candidates).toEqual([]);
    expect(r.dropped[0]?.reason).toContain('a command-line tool: main() (conv/cli.py:3) starts no server');
  });

  it('ranks a console script above a __main__ block', async () => {
    const r = await launch(
      {
        'svc/__init__.py': '',
        'svc/cli.py': 'import uvicorn\n\ndef main():\n    uvicorn.run("svc.main:app", host="0.0.0.0")\n',
        'svc/main.py':
          'import uvicorn\napp = None\nif __name__ == "__main__":\n    uvicorn.run(app, host="0.0.0.0", port=5000)\n',
      },
      ['uvicorn'],
      { scripts: { svc: 'svc.cli:main' } },
    );
    expect(r.candidates.map((c) => c.kind)).toEqual(['console-script', 'main-block']);
    expect(r.candidates[0]?.port).toBe(8000);
    expect(r.candidates[0]?.portReason).toContain('when no port is given');
  });

  it('ranks a root launcher script that starts the same server as a console script above it', async () => {
    const r = await launch(
      {
        'svc/__init__.py': 'import uvicorn\n\ndef main():\n    uvicorn.run("svc.api:app", host="0.0.0.0")\n',
        'launch.py': 'import svc\n\nif __name__ == "__main__":\n    svc.main()\n',
      },
      ['uvicorn'],
      { scripts: { svc: 'svc:main' } },
    );
    expect(r.candidates.map((c) => c.command)).toEqual([['python', 'launch.py'], ['svc']]);
    expect(r.candidates[0]?.reason).toContain('root launcher script for console script svc');
  });
});

describe('Procfile', () => {
  it('a Procfile web line comes first, repaired by framework.ts', async () => {
    const r = await launch(
      {
        Procfile: 'web: gunicorn app:app --bind 127.0.0.1:$PORT\n',
        'app.py':
          'import uvicorn\nif __name__ == "__main__":\n    uvicorn.run("app:app", host="0.0.0.0", port=1)\n',
      },
      ['gunicorn', 'uvicorn'],
    );
    expect(r.candidates[0]?.kind).toBe('procfile');
    expect(r.candidates[0]?.command).toEqual(['gunicorn', 'app:app', '--bind', '0.0.0.0:8000']);
    expect(r.candidates[0]?.warnings.map((w) => w.code)).toContain('procfile-bind');
  });

  it('drops a Procfile development server, and one whose server is not installed', async () => {
    const dev = await launch({ Procfile: 'web: flask run --port 5000\n' }, ['flask']);
    expect(dev.candidates).toEqual([]);
    expect(dev.dropped[0]?.reason).toContain("flask run is Flask's development server");
    const missing = await launch({ Procfile: 'web: hypercorn app:app\n' }, ['flask']);
    expect(missing.candidates).toEqual([]);
    expect(missing.dropped[0]?.reason).toContain('hypercorn, which the dependencies do not install');
  });
});

describe('fixes found on real apps', () => {
  it('runs a launcher as a script when its import string names a sibling module of the script', async () => {
    const r = await launch(
      {
        'svc/__init__.py': '',
        'svc/app.py': 'from fastapi import FastAPI\napp = FastAPI()\n',
        'svc/main.py':
          'import uvicorn\n\ndef main():\n    uvicorn.run("app:app", host="0.0.0.0", port=9100)\n\nif __name__ == "__main__":\n    main()\n',
      },
      ['fastapi', 'uvicorn'],
    );
    expect(r.candidates[0]?.command).toEqual(['python', 'svc/main.py']);
    expect(r.candidates[0]?.port).toBe(9100);
  });

  it('keeps python -m when the import string is importable from the root', async () => {
    const r = await launch(
      {
        'svc/__init__.py': '',
        'svc/app.py': 'from fastapi import FastAPI\napp = FastAPI()\n',
        'svc/main.py':
          'import uvicorn\n\nif __name__ == "__main__":\n    uvicorn.run("svc.app:app", host="0.0.0.0")\n',
      },
      ['fastapi', 'uvicorn'],
    );
    expect(r.candidates[0]?.command).toEqual(['python', '-m', 'svc.main']);
  });

  it('follows a Flask-SocketIO server built in another module and set as a module global', async () => {
    const r = await launch(
      {
        'pkg/__init__.py':
          'import os\nfrom pkg.web import make_app\nfrom pkg import web\n\ndef main():\n    app = make_app()\n    global sio\n    sio = web.server\n    port = int(os.environ.get("PORT", 5005))\n    sio.run(app, host=os.environ.get("LISTEN_HOST", "0.0.0.0"), port=int(port))\n',
        'pkg/web.py':
          'from flask import Flask\nfrom pkg.realtime import init_socketio\nserver = None\n\ndef make_app():\n    global server\n    app = Flask(__name__)\n    server = init_socketio(app)\n    return app\n',
        'pkg/realtime.py':
          'from flask_socketio import SocketIO\n\ndef init_socketio(app):\n    socketio = SocketIO(app, async_mode="threading")\n    return socketio\n',
        'run.py': 'import pkg\n\nif __name__ == "__main__":\n    pkg.main()\n',
      },
      ['flask', 'flask-socketio'],
    );
    const c = r.candidates[0];
    expect(c?.command).toEqual(['python', 'run.py']);
    expect(c?.port).toBe(5005);
    expect(c?.reason).toContain('SocketIO.run()');
  });
});

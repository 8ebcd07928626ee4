import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, codes, deps, detect } from './testing.js';

afterAll(cleanup);

describe('Pyramid', () => {
  it('config.make_wsgi_app() at module level -> gunicorn module:app on 6543', async () => {
    const r = await detect(
      {
        'app.py':
          'from pyramid.config import Configurator\n\nwith Configurator() as config:\n    config.add_route("health", "/health")\n    config.scan()\napp = config.make_wsgi_app()\n',
      },
      deps('pyramid', 'gunicorn'),
    );
    expect(r.framework).toBe('pyramid');
    expect(r.command).toEqual(['gunicorn', 'app:app', '--bind', '0.0.0.0:6543']);
    expect(r.port).toBe(6543);
  });

  it('main(global_config, **settings) with production.ini -> gunicorn --paste, the ini port', async () => {
    const r = await detect(
      {
        'tutorial/__init__.py':
          'from pyramid.config import Configurator\n\ndef main(global_config, **settings):\n    with Configurator(settings=settings) as config:\n        config.include("pyramid_jinja2")\n    return config.make_wsgi_app()\n',
        'production.ini':
          '[app:main]\nuse = egg:tutorial\n\n[server:main]\nuse = egg:waitress#main\nlisten = *:6544\n',
        'development.ini': '[app:main]\nuse = egg:tutorial\n',
      },
      deps('pyramid', 'gunicorn', 'waitress'),
    );
    expect(r.framework).toBe('pyramid');
    expect(r.command).toEqual(['gunicorn', '--paste', 'production.ini', '--bind', '0.0.0.0:6544']);
    expect(r.port).toBe(6544);
    expect(r.decisions.find((d) => d.topic === 'port')?.source).toEqual({ file: 'production.ini', line: 6 });
    expect(codes(r)).toEqual([]);
  });

  it('Pyramid served by waitress when it is the only server', async () => {
    const r = await detect(
      {
        'app.py':
          'from pyramid.config import Configurator\nconfig = Configurator()\napp = config.make_wsgi_app()\n',
      },
      deps('pyramid', 'waitress'),
    );
    expect(r.command).toEqual(['waitress-serve', '--listen=0.0.0.0:6543', 'app:app']);
  });

  it('make_wsgi_app in a module that does not import pyramid is not an app', async () => {
    const r = await detect({ 'app.py': 'app = thing.make_wsgi_app()\n' }, deps('pyramid'));
    expect(r.framework).toBe('unknown');
  });
});

describe('Celery and aiohttp', () => {
  it('Celery(...) in proj/celery.py -> celery -A proj.celery worker', async () => {
    const r = await detect(
      { 'proj/__init__.py': '', 'proj/celery.py': 'from celery import Celery\napp = Celery("proj")\n' },
      deps('celery'),
    );
    expect(r.framework).toBe('celery');
    expect(r.command).toEqual(['celery', '-A', 'proj.celery', 'worker', '--loglevel=INFO']);
    expect(r.port).toBeNull();
  });

  it('web.Application() + web.run_app(app, port=...) -> the module runs itself on that port', async () => {
    const r = await detect(
      {
        'service.py':
          'from aiohttp import web\n\napp = web.Application()\n\nif __name__ == "__main__":\n    web.run_app(app, host="0.0.0.0", port=8099)\n',
      },
      deps('aiohttp'),
    );
    expect(r.framework).toBe('aiohttp');
    expect(r.command).toEqual(['python', 'service.py']);
    expect(r.port).toBe(8099);
  });
});

describe('never a development server', () => {
  it('app.run(debug=True, host="127.0.0.1") -> gunicorn on 0.0.0.0', async () => {
    const r = await detect(
      {
        'app.py':
          'from flask import Flask\napp = Flask(__name__)\n\nif __name__ == "__main__":\n    app.run(debug=True, host="127.0.0.1", port=5001)\n',
      },
      deps('flask', 'gunicorn'),
    );
    expect(r.command).toEqual(['gunicorn', 'app:app', '--bind', '0.0.0.0:5001']);
    expect(r.command.join(' ')).not.toMatch(/127\.0\.0\.1|flask run|runserver/);
  });
});

describe('an app configured when the module runs as a program', () => {
  it('main() adds routes then serves with uvicorn.run -> the module is the server', async () => {
    const r = await detect(
      {
        'svc/__init__.py': '',
        'svc/server.py':
          'import uvicorn\nfrom fastapi import FastAPI\nfrom svc import routes\n\napp = FastAPI()\n\ndef main():\n    app.include_router(routes.router)\n    uvicorn.run(app, host="0.0.0.0", port=7000)\n\nif __name__ == "__main__":\n    main()\n',
        'svc/routes.py': 'from fastapi import APIRouter\nrouter = APIRouter()\n',
      },
      deps('fastapi', 'uvicorn'),
    );
    expect(r.framework).toBe('fastapi');
    expect(r.command).toEqual(['python', '-m', 'svc.server']);
    expect(r.port).toBe(7000);
    // The project's own launcher (src/project/launcher.ts) names the call that serves the configured app.
    expect(r.decisions.find((d) => d.topic === 'command')?.reason).toMatch(
      /svc\/server.py.*uvicorn\.run\(\) at svc\/server.py:9/,
    );
  });

  it('the __main__ block registers blueprints then runs the development server: warned, still gunicorn', async () => {
    const r = await detect(
      {
        'app.py':
          'from flask import Flask\nfrom views import bp\n\napp = Flask(__name__)\n\nif __name__ == "__main__":\n    app.register_blueprint(bp)\n    app.run(debug=True)\n',
        'views.py': 'from flask import Blueprint\nbp = Blueprint("v", __name__)\n',
      },
      deps('flask', 'gunicorn'),
    );
    expect(r.command).toEqual(['gunicorn', 'app:app', '--bind', '0.0.0.0:8000']);
    expect(codes(r)).toEqual(['app-configured-in-main']);
    expect(r.warnings[0]?.source).toEqual({ file: 'app.py', line: 7 });
  });

  it('uvicorn.run(app) alone in main(): the project launcher, on its port', async () => {
    const r = await detect(
      {
        'main.py':
          'import uvicorn\nfrom fastapi import FastAPI\napp = FastAPI()\n\ndef main():\n    uvicorn.run(app, host="0.0.0.0", port=8001)\n\nif __name__ == "__main__":\n    main()\n',
      },
      deps('fastapi', 'uvicorn'),
    );
    // Launcher first (issue #10): the __main__ block serves the same app on the same port.
    expect(r.command).toEqual(['python', 'main.py']);
    expect(r.port).toBe(8001);
    expect(codes(r)).toEqual([]);
  });
});

describe('an app factory only the project itself can call', () => {
  it('create_app(container) with a __main__.py -> python -m pkg, the framework stays fastapi', async () => {
    const r = await detect(
      {
        'bot/__init__.py': '',
        'bot/__main__.py': 'from bot.entry import run\nrun()\n',
        'bot/entry.py': 'from bot.web import WebServer\n\ndef run():\n    WebServer(object()).start()\n',
        'bot/web.py':
          'from fastapi import FastAPI\n\ndef create_app(container) -> FastAPI:\n    app = FastAPI()\n    return app\n\nclass WebServer:\n    def __init__(self, container):\n        self.app = create_app(container)\n',
      },
      deps('fastapi', 'hypercorn'),
    );
    expect(r.framework).toBe('fastapi');
    expect(r.command).toEqual(['python', '-m', 'bot']);
    expect(r.decisions.find((d) => d.topic === 'command')?.reason).toMatch(/without its arguments/);
    expect(codes(r)).toEqual([]);
  });
});

describe('a module-level app a function configures with the arguments the program passes', () => {
  it('flask_app.py: app = Flask(); def build(config=None, store=None): ...; return app -> the console script', async () => {
    const r = await detect(
      {
        'watch/__init__.py':
          'def main():\n    from watch.flask_app import build\n    from watch.store import Store\n    app = build({"port": 5000}, Store())\n    app.run(host="0.0.0.0", port=5000)\n',
        'watch/store.py': 'class Store:\n    pass\n',
        'watch/flask_app.py':
          'from flask import Flask\n\napp = Flask(__name__)\n\ndef build(config=None, store=None):\n    app.config["STORE"] = store\n    app.register_blueprint(object())\n    return app\n',
      },
      deps('flask', 'gunicorn'),
      { scripts: { watcher: 'watch:main' } },
    );
    expect(r.framework).toBe('flask');
    expect(r.command).toEqual(['watcher']);
    expect(codes(r)).toEqual([]);
  });

  it('without a program: the factory, with a factory-args warning naming the call', async () => {
    const r = await detect(
      {
        'web/__init__.py':
          'from flask import Flask\n\napp = Flask(__name__)\n\ndef build(config=None):\n    app.config.update(config)\n    return app\n\ndef serve():\n    build({"x": 1}).run()\n',
      },
      deps('flask', 'gunicorn'),
    );
    expect(r.command).toEqual(['gunicorn', 'web:build()', '--bind', '0.0.0.0:8000']);
    expect(codes(r)).toEqual(['factory-args']);
    expect(r.warnings[0]?.message).toMatch(/is called with arguments \(web\/__init__.py:10\)/);
  });
});

describe('apps made under if __name__ == "__main__"', () => {
  it("a factory called only in a script's __main__ block is not an app of that script", async () => {
    const r = await detect(
      {
        'web/__init__.py': '',
        'web/app.py':
          'from flask import Flask\n\ndef create_app():\n    app = Flask(__name__)\n    return app\n',
        'server.py':
          'from web.app import create_app\n\nif __name__ == "__main__":\n    app = create_app()\n    print(app.url_map)\n',
      },
      deps('flask', 'gunicorn'),
    );
    expect(r.entrypoint).toBe('web.app:create_app()');
  });
});

it('an app built by a module that imports unittest.mock (a schema generator) is not served', async () => {
  const r = await detect(
    {
      'gen_schema.py':
        'import json\nfrom unittest.mock import patch\nfrom fastapi import FastAPI\n\napp = FastAPI()\nwith open("openapi.json", "w") as f:\n    json.dump(app.openapi(), f)\n',
      'svc/__init__.py': '',
      'svc/__main__.py': 'print(1)\n',
    },
    deps('fastapi', 'uvicorn'),
  );
  expect(r.framework).toBe('cli');
  expect(r.command).toEqual(['python', '-m', 'svc']);
});

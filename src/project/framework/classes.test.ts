import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, codes, deps, detect } from './testing.js';

afterAll(cleanup);

describe('subclasses of the framework classes', () => {
  it('class MyApp(Flask) in the same module, then app = MyApp(__name__)', async () => {
    const r = await detect(
      {
        'app.py':
          'from flask import Flask\n\nclass MyApp(Flask):\n    def __init__(self, name):\n        super().__init__(name)\n\napp = MyApp(__name__)\n',
      },
      deps('flask', 'gunicorn'),
    );
    expect(r.framework).toBe('flask');
    expect(r.command).toEqual(['gunicorn', 'app:app', '--bind', '0.0.0.0:8000']);
    expect(r.decisions.find((d) => d.topic === 'framework')?.source).toEqual({ file: 'app.py', line: 7 });
  });

  it('a subclass defined in another module, re-exported by a package, subclassed again', async () => {
    const r = await detect(
      {
        'core/__init__.py': 'from .base import BaseAPI\n',
        'core/base.py': 'import fastapi\n\nclass BaseAPI(fastapi.FastAPI):\n    pass\n',
        'service/__init__.py': '',
        'service/main.py':
          'from core import BaseAPI\n\nclass ServiceAPI(BaseAPI):\n    pass\n\napi = ServiceAPI(title="svc")\n',
      },
      deps('fastapi', 'uvicorn'),
    );
    expect(r.framework).toBe('fastapi');
    expect(r.entrypoint).toBe('service.main:api');
    expect(r.command).toEqual(['uvicorn', 'service.main:api', '--host', '0.0.0.0', '--port', '8000']);
  });

  it('a factory that returns a subclass instance', async () => {
    const r = await detect(
      {
        'web/__init__.py':
          'from starlette.applications import Starlette\n\nclass App(Starlette):\n    pass\n\ndef create_app():\n    application = App()\n    return application\n',
      },
      deps('starlette', 'uvicorn'),
    );
    expect(r.framework).toBe('starlette');
    expect(r.command).toEqual([
      'uvicorn',
      '--factory',
      'web:create_app',
      '--host',
      '0.0.0.0',
      '--port',
      '8000',
    ]);
  });

  it('a class named like a framework class but not derived from one is not an app', async () => {
    const r = await detect(
      { 'app.py': 'class Flask:\n    pass\n\nclass MyApp(Flask):\n    pass\n\napp = MyApp()\n' },
      deps('flask', 'gunicorn'),
    );
    expect(r.framework).toBe('unknown');
  });

  it('cyclic bases do not hang', async () => {
    const r = await detect(
      {
        'a.py': 'from b import B\nclass A(B):\n    pass\n',
        'b.py': 'from a import A\nclass B(A):\n    pass\nx = B()\n',
      },
      deps(),
    );
    expect(r.framework).toBe('unknown');
  });
});

describe('apps held on instances', () => {
  it('self.app = FastAPI() in a class, instance made at module level -> module:obj.app', async () => {
    const r = await detect(
      {
        'server.py':
          'from fastapi import FastAPI\n\nclass Server:\n    def __init__(self):\n        self.app = FastAPI()\n        self.app.get("/health")(self.health)\n\n    def health(self):\n        return {}\n\nserver = Server()\n',
      },
      deps('fastapi', 'uvicorn'),
    );
    expect(r.framework).toBe('fastapi');
    expect(r.entrypoint).toBe('server:server.app');
    expect(r.command).toEqual(['uvicorn', 'server:server.app', '--host', '0.0.0.0', '--port', '8000']);
    expect(codes(r)).toEqual([]);
  });

  it('gunicorn cannot import an attribute path: waitress serves it when installed', async () => {
    const r = await detect(
      {
        'web.py':
          'import flask\n\nclass Web:\n    def __init__(self):\n        self.flask_app = flask.Flask(__name__)\n\nweb = Web()\n',
      },
      deps('flask', 'gunicorn', 'waitress'),
    );
    expect(r.entrypoint).toBe('web:web.flask_app');
    expect(r.command).toEqual(['waitress-serve', '--listen=0.0.0.0:8000', 'web:web.flask_app']);
    expect(r.decisions.find((d) => d.topic === 'server')?.reason).toMatch(/gunicorn imports only a name/);
  });

  it('gunicorn alone: the attribute-app warning says what to add', async () => {
    const r = await detect(
      {
        'web.py':
          'import flask\n\nclass Web:\n    def __init__(self):\n        self.flask_app = flask.Flask(__name__)\n\nweb = Web()\n',
      },
      deps('flask', 'gunicorn'),
    );
    expect(r.command[0]).toBe('gunicorn');
    expect(codes(r)).toEqual(['attribute-app']);
    expect(r.warnings[0]?.message).toMatch(/flask_app = web\.flask_app/);
  });
});

describe('re-exported factories', () => {
  it('wsgi.py: app = create_app() imported through the package __init__ is that factory, not a second app', async () => {
    const r = await detect(
      {
        'shop/__init__.py': 'from .app import create_app\n',
        'shop/app.py':
          'from flask import Flask\n\ndef create_app():\n    app = Flask(__name__)\n    return app\n',
        'shop/wsgi.py': 'from shop import create_app\n\napp = create_app()\n',
      },
      deps('flask', 'gunicorn'),
    );
    expect(r.command).toEqual(['gunicorn', 'shop.wsgi:app', '--bind', '0.0.0.0:8000']);
    expect(codes(r)).toEqual([]);
  });
});

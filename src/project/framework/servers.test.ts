import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, codes, deps, detect } from './testing.js';

afterAll(cleanup);

const fastapi = { 'main.py': 'from fastapi import FastAPI\napp = FastAPI()\n' };
const flask = { 'app.py': 'from flask import Flask\napp = Flask(__name__)\n' };
const serverDecision = (r: { decisions: { topic: string; value: string; reason: string }[] }) =>
  r.decisions.find((d) => d.topic === 'server');

describe('only a server the project installs', () => {
  it('FastAPI with hypercorn and no uvicorn -> hypercorn, said in a decision', async () => {
    const r = await detect(fastapi, deps('fastapi', 'hypercorn'));
    expect(r.command).toEqual(['hypercorn', 'main:app', '--bind', '0.0.0.0:8000']);
    expect(serverDecision(r)?.reason).toBe('uvicorn is not a dependency; hypercorn is, so it serves the app');
    expect(codes(r)).toEqual([]);
  });

  it('Starlette with granian -> granian --interface asgi', async () => {
    const r = await detect(
      { 'app.py': 'from starlette.applications import Starlette\napp = Starlette()\n' },
      deps('starlette', 'granian'),
    );
    expect(r.command).toEqual([
      'granian',
      '--interface',
      'asgi',
      '--host',
      '0.0.0.0',
      '--port',
      '8000',
      'app:app',
    ]);
  });

  it('uvicorn wins when both are there (the usual server first)', async () => {
    const r = await detect(fastapi, deps('fastapi', 'hypercorn', 'uvicorn'));
    expect(r.command[0]).toBe('uvicorn');
    expect(serverDecision(r)).toBeUndefined();
  });

  it('Flask with waitress only -> waitress-serve on 0.0.0.0', async () => {
    const r = await detect(flask, deps('flask', 'waitress'));
    expect(r.command).toEqual(['waitress-serve', '--listen=0.0.0.0:8000', 'app:app']);
    expect(codes(r)).toEqual([]);
  });

  it('Flask with uwsgi only -> uwsgi --http 0.0.0.0', async () => {
    const r = await detect(flask, deps('flask', 'uwsgi'));
    expect(r.command).toEqual(['uwsgi', '--http', '0.0.0.0:8000', '--master', '--module', 'app:app']);
  });

  it('a factory skips uwsgi (it cannot call one) for waitress --call', async () => {
    const r = await detect(
      { 'web/__init__.py': 'from flask import Flask\n\ndef create_app():\n    return Flask(__name__)\n' },
      deps('flask', 'uwsgi', 'waitress'),
    );
    expect(r.command).toEqual(['waitress-serve', '--call', '--listen=0.0.0.0:8000', 'web:create_app']);
  });

  it('Django with waitress only', async () => {
    const r = await detect(
      {
        'manage.py':
          'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "site1.settings")\nimport django\n',
        'site1/__init__.py': '',
        'site1/settings.py': 'INSTALLED_APPS = []\nWSGI_APPLICATION = "site1.wsgi.application"\n',
        'site1/wsgi.py':
          'from django.core.wsgi import get_wsgi_application\napplication = get_wsgi_application()\n',
      },
      deps('django', 'waitress'),
    );
    expect(r.command).toEqual(['waitress-serve', '--listen=0.0.0.0:8000', 'site1.wsgi:application']);
  });

  it('no server installed: the usual one, with server-missing', async () => {
    const r = await detect(fastapi, deps('fastapi'));
    expect(r.command[0]).toBe('uvicorn');
    expect(codes(r)).toEqual(['server-missing']);
  });

  it('a server without an import-root flag gets PYTHONPATH for a src layout', async () => {
    const r = await detect(
      { 'src/svc/__init__.py': '', 'src/svc/main.py': 'from fastapi import FastAPI\napp = FastAPI()\n' },
      deps('fastapi', 'hypercorn'),
    );
    expect(r.command).toEqual(['hypercorn', 'svc.main:app', '--bind', '0.0.0.0:8000']);
    expect(r.env.PYTHONPATH).toBe('src');
  });
});

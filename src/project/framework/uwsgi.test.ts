import { afterAll, describe, expect, it } from 'vitest';
import { cleanup, codes, deps, detect } from './testing.js';
import { parseUwsgiIni } from './uwsgi.js';

afterAll(cleanup);

const flask = 'from flask import Flask\napp = Flask(__name__)\n';

describe('uWSGI configuration', () => {
  it('parses the [uwsgi] section only', () => {
    expect(parseUwsgiIni('x.ini', '[app:main]\nhttp = :1\n')).toBeNull();
    expect(parseUwsgiIni('x.ini', '[uwsgi]\n; comment\nmodule = app:app\nhttp-socket = :9090\n')).toEqual({
      file: 'x.ini',
      http: { host: '', port: 9090, line: 4, key: 'http-socket' },
      chdir: null,
    });
  });

  it('uwsgi dependency + uwsgi.ini with http -> uwsgi --ini uwsgi.ini on its port', async () => {
    const r = await detect(
      { 'app.py': flask, 'uwsgi.ini': '[uwsgi]\nmodule = app:app\nmaster = true\nhttp = 0.0.0.0:8080\n' },
      deps('flask', 'uwsgi'),
    );
    expect(r.command).toEqual(['uwsgi', '--ini', 'uwsgi.ini']);
    expect(r.port).toBe(8080);
    expect(r.decisions.find((d) => d.topic === 'port')?.source).toEqual({ file: 'uwsgi.ini', line: 4 });
    expect(r.decisions.find((d) => d.topic === 'command')?.source).toEqual({ file: 'uwsgi.ini' });
    expect(codes(r)).toEqual([]);
  });

  it('an ini that only opens a uwsgi-protocol socket gets --http 0.0.0.0', async () => {
    const r = await detect(
      { 'app.py': flask, 'deploy.ini': '[uwsgi]\nmodule = app:app\nsocket = :3031\n' },
      deps('flask', 'uwsgi', 'gunicorn'),
    );
    expect(r.command).toEqual(['uwsgi', '--ini', 'deploy.ini', '--http', '0.0.0.0:8000']);
  });

  it('a loopback http bind is warned; without uwsgi installed the ini is ignored', async () => {
    const loop = await detect(
      { 'app.py': flask, 'uwsgi.ini': '[uwsgi]\nhttp = 127.0.0.1:5000\n' },
      deps('flask', 'uwsgi'),
    );
    expect(loop.command).toEqual(['uwsgi', '--ini', 'uwsgi.ini', '--http', '0.0.0.0:8000']);
    expect(codes(loop)).toEqual(['loopback-bind']);
    const none = await detect(
      { 'app.py': flask, 'uwsgi.ini': '[uwsgi]\nhttp = :5000\n' },
      deps('flask', 'gunicorn'),
    );
    expect(none.command[0]).toBe('gunicorn');
  });

  it('an ini under docker/ with http-socket = :$(PORT) and an absolute chdir', async () => {
    const r = await detect(
      {
        'app.py': flask,
        'docker/uwsgi.ini': '[uwsgi]\nhttp-socket = :$(PORT)\nchdir = /opt/app\nmodule = app:app\n',
      },
      deps('flask', 'uwsgi'),
      { overrides: { port: 9000 } },
    );
    expect(r.command).toEqual(['uwsgi', '--ini', 'docker/uwsgi.ini']);
    expect(r.env.PORT).toBe('9000');
    expect(r.port).toBe(9000);
    expect(codes(r)).toEqual(['uwsgi-chdir']);
    expect(r.warnings[0]?.source).toEqual({ file: 'docker/uwsgi.ini', line: 3 });
  });
});

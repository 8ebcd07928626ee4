import { promises as fsp, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { scanFiles } from './framework.js';
import { findLaunchers } from './launcher.js';
import { expandWord, gunicornConfig, logicalLines, parseScript, parseUwsgiIni } from './launcher-shell.js';

const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'pycontain-launcher-shell-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));
let n = 0;

async function launch(files: Record<string, string>, installed: string[]) {
  const base = path.join(tmpRoot, `p${n++}`);
  for (const [rel, text] of Object.entries(files)) {
    await fsp.mkdir(path.dirname(path.join(base, rel)), { recursive: true });
    await fsp.writeFile(path.join(base, rel), text);
  }
  return findLaunchers({ base, files: await scanFiles(base), scripts: {}, installed: new Set(installed) });
}

const APP = { 'web.py': 'from flask import Flask\napp = Flask(__name__)\n' };

describe('entry shell scripts', () => {
  it('takes the exec’d server line of boot.sh, bound to 0.0.0.0, and names the migration it also runs', async () => {
    const r = await launch(
      {
        ...APP,
        'boot.sh':
          '#!/bin/bash\nwhile true; do\n    flask db upgrade\n    if [[ "$?" == "0" ]]; then\n        break\n    fi\n    sleep 5\ndone\nexec gunicorn -b :5000 --access-logfile - web:app\n',
      },
      ['flask', 'gunicorn'],
    );
    const c = r.candidates[0];
    expect(c?.kind).toBe('entry-script');
    expect(c?.command).toEqual(['gunicorn', '-b', '0.0.0.0:5000', '--access-logfile', '-', 'web:app']);
    expect(c?.port).toBe(5000);
    expect(c?.source).toEqual({ file: 'boot.sh', line: 9 });
    expect(c?.notes?.[0]?.value).toBe('boot.sh also runs flask db upgrade');
    expect(c?.notes?.[0]?.reason).toContain('boot.sh:3');
  });

  // biome-ignore lint/suspicious/noTemplateCurlyInString: shell ${VAR} syntax
  it('expands ${VAR:-default}, follows gosu and drops "$@" and flags left to the environment', async () => {
    const r = await launch(
      {
        'svc/__init__.py': '',
        'svc/main.py': 'from fastapi import FastAPI\napp = FastAPI()\n',
        'docker-entrypoint.sh':
          // biome-ignore lint/suspicious/noTemplateCurlyInString: shell ${VAR} syntax
          '#!/bin/sh\nPORT=${APP_PORT:-8100}\nHOST=${APP_HOST:-127.0.0.1}\nexec gosu app tini -- uvicorn svc.main:app \\\n  --host $HOST --port "$PORT" --workers $WORKERS "$@"\n',
      },
      ['fastapi', 'uvicorn'],
    );
    const c = r.candidates[0];
    expect(c?.command).toEqual(['uvicorn', 'svc.main:app', '--host', '0.0.0.0', '--port', '8100']);
    expect(c?.port).toBe(8100);
    expect(c?.warnings[0]?.message).toContain('docker-entrypoint.sh listens on 127.0.0.1');
  });

  it('takes the server branch of a case dispatcher, through a shell function, not the dev branch', async () => {
    const r = await launch(
      {
        ...APP,
        'bin/docker-entrypoint':
          // biome-ignore lint/suspicious/noTemplateCurlyInString: shell ${VAR} syntax
          '#!/bin/bash\nset -e\nworker() {\n  exec rq worker\n}\nserver() {\n  BIND=${BIND_ADDRESS:-[::]:5050}\n  exec /usr/local/bin/gunicorn -b "$BIND" -w${WORKERS:-4} web:app\n}\ncase "$1" in\n  dev_server)\n    exec flask run --reload\n    ;;\n  worker) shift; worker ;;\n  server)\n    shift\n    server\n    ;;\n  *) exec "$@" ;;\nesac\n',
      },
      ['flask', 'gunicorn'],
    );
    const c = r.candidates[0];
    expect(c?.command).toEqual(['gunicorn', '-b', '[::]:5050', '-w4', 'web:app']);
    expect(c?.port).toBe(5050);
    expect(c?.reason).toContain('case branch server');
    expect(c?.reason).toContain('server()');
  });

  it('follows a script the entry script runs', async () => {
    const r = await launch(
      {
        'proj/wsgi.py': 'application = None\n',
        'proj/entrypoint.sh':
          '#!/bin/bash\nif [[ ! $SKIP == True ]]; then\n  ./checks.sh && exec ./webserver.sh\nfi\n',
        'proj/webserver.sh':
          // biome-ignore lint/suspicious/noTemplateCurlyInString: shell ${VAR} syntax
          '#!/bin/bash\nexec gunicorn proj.wsgi:application --bind 0.0.0.0:${PORT:-8080}\n',
      },
      ['gunicorn'],
    );
    const c = r.candidates.find((x) => x.kind === 'entry-script');
    expect(c?.command).toEqual(['gunicorn', 'proj.wsgi:application', '--bind', '0.0.0.0:8080']);
    expect(c?.source).toEqual({ file: 'proj/webserver.sh', line: 2 });
    expect(c?.reason).toContain('runs proj/webserver.sh');
  });

  it('does not use a server line whose port only the environment sets, or whose server is not installed', async () => {
    const r = await launch(
      {
        ...APP,
        'start.sh': '#!/bin/bash\neval $(python print_env.py)\nexec gunicorn --bind $ADDR:$PORT web:app\n',
        'run.sh': '#!/bin/bash\nexec uwsgi --http :9000 --module web:app\n',
      },
      ['flask', 'gunicorn'],
    );
    expect(r.candidates.filter((c) => c.kind === 'entry-script')).toEqual([]);
    expect(r.dropped.map((d) => d.reason).join(' | ')).toMatch(
      /--bind \$ADDR:\$PORT comes from the environment/,
    );
    expect(r.dropped.map((d) => d.reason).join(' | ')).toMatch(
      /uwsgi, which the dependencies do not install/,
    );
  });

  it('does not use a unix-socket server meant for a proxy, and drops gunicorn --user/--group', async () => {
    const sock = await launch(
      { ...APP, 'boot.sh': '#!/bin/sh\nnginx\nexec gunicorn --bind unix:/tmp/app.sock web:app\n' },
      ['flask', 'gunicorn'],
    );
    expect(sock.candidates).toEqual([]);
    expect(sock.dropped[0]?.reason).toContain('unix:/tmp/app.sock');
    const user = await launch(
      {
        ...APP,
        'start.sh': '#!/bin/sh\nexec gunicorn web:app -b 0.0.0.0:8000 --user www-data --group=www-data\n',
      },
      ['flask', 'gunicorn'],
    );
    expect(user.candidates[0]?.command).toEqual(['gunicorn', 'web:app', '-b', '0.0.0.0:8000']);
  });

  it('never uses --reload, and a script name that starts something else is not read', async () => {
    const r = await launch(
      {
        ...APP,
        'start.sh': '#!/bin/sh\nexec uvicorn web:app --reload\n',
        'scripts/start-worker.sh': '#!/bin/sh\nexec gunicorn web:app\n',
      },
      ['flask', 'gunicorn', 'uvicorn'],
    );
    expect(r.candidates.filter((c) => c.kind === 'entry-script')).toEqual([]);
    expect(r.dropped[0]?.reason).toContain('--reload is a development server');
  });

  it('reads the bind address of the gunicorn config file -c names, at its path in the repository', async () => {
    const r = await launch(
      {
        'application.py': 'from flask import Flask\napplication = Flask(__name__)\n',
        'gunicorn_config.py': 'import os\nworkers = 4\nbind = "0.0.0.0:" + os.environ.get("PORT", "7000")\n',
        'entrypoint.sh':
          '#!/bin/bash\ncase "$1" in\n  api)\n    exec gunicorn -c /home/app/gunicorn_config.py application\n    ;;\nesac\n',
      },
      ['flask', 'gunicorn'],
    );
    const c = r.candidates[0];
    expect(c?.command).toEqual([
      'gunicorn',
      '-c',
      'gunicorn_config.py',
      'application',
      '--bind',
      '0.0.0.0:7000',
    ]);
    expect(c?.port).toBe(7000);
    expect(c?.portSource).toEqual({ file: 'gunicorn_config.py', line: 3 });
  });

  it('a uwsgi line takes its port from the ini it names', async () => {
    const r = await launch(
      {
        ...APP,
        'bootstrap.sh': '#!/usr/bin/env bash\npython manage.py migrate\nexec uwsgi uwsgi.ini\n',
        'uwsgi.ini': '[uwsgi]\nmodule = web:app\nhttp-socket = :8800\n',
      },
      ['flask', 'uwsgi'],
    );
    const c = r.candidates.find((x) => x.kind === 'entry-script');
    expect(c?.command).toEqual(['uwsgi', 'uwsgi.ini']);
    expect(c?.port).toBe(8800);
  });

  it('an entry script ranks above a Procfile line that needs a shell', async () => {
    const r = await launch(
      {
        ...APP,
        Procfile: 'web: flask db upgrade; gunicorn web:app\n',
        'boot.sh': '#!/bin/sh\nexec gunicorn -b :5000 web:app\n',
      },
      ['flask', 'gunicorn'],
    );
    expect(r.candidates.map((c) => c.kind)).toEqual(['entry-script', 'procfile']);
  });
});

describe('shell and config parsing', () => {
  it('joins continuations and strips comments outside quotes', () => {
    expect(logicalLines('# c\nexec a \\\n  b "#x" # y\n')).toEqual([{ text: 'exec a b "#x"', line: 2 }]);
  });

  it('expands defaults, set variables and "$@"', () => {
    const vars = new Map<string, string | null>([['A', '1']]);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: shell ${VAR} syntax
    expect(expandWord('${A:-2}-${B:-3}-$A-$C', vars)).toBe('1-3-1-$C');
    expect(expandWord('"$@"'.replace(/"/g, ''), vars)).toBe('\u0000');
  });

  it('finds shell functions, multi-line and one-line', () => {
    const s = parseScript('x.sh', 'a() {\n  exec b\n}\nfunction c { exec d; }\nmain\n');
    expect([...s.functions.keys()]).toEqual(['a', 'c']);
    expect(s.top.map((l) => l.text)).toEqual(['main']);
  });

  it('reads gunicorn bind forms: literal, env default, format and f-string', () => {
    expect(gunicornConfig('bind = "[::]:8000"\n').bind).toMatchObject({ host: '[::]', port: '8000' });
    expect(gunicornConfig('wsgi_app = "w.app:application"\n').wsgiApp).toBe('w.app:application');
    expect(
      gunicornConfig('from os import getenv\nbind = f"0.0.0.0:{getenv(\'PORT\', 8000)}"\n').bind,
    ).toMatchObject({ host: '0.0.0.0', port: '8000', portEnv: 'PORT' });
    expect(gunicornConfig('import os\nbind = "0.0.0.0:{}".format(os.getenv("PORT"))\n').bind).toMatchObject({
      port: null,
      portEnv: 'PORT',
    });
  });

  it('reads the first module and http of a [uwsgi] section', () => {
    const ini = parseUwsgiIni(
      '[other]\nmodule=x\n[uwsgi]\nmodule = a.wsgi:application\nhttp-socket = :8000\nhttp-socket = [::]:8000\n',
    );
    expect(ini.module).toBe('a.wsgi:application');
    expect(ini.http).toEqual({ key: 'http-socket', value: ':8000', line: 5 });
  });
});

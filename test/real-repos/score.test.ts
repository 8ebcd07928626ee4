import { describe, expect, it } from 'vitest';
import { isContainerFile } from './corpus.js';
import { launchOf, type PlanView, sameLaunch, scoreEntry } from './score.js';
import { type CorpusEntry, loadCorpus } from './truth.js';

describe('launchOf: what a container command starts', () => {
  it.each([
    [['uvicorn', 'app.main:app', '--host', '0.0.0.0', '--port', '8000'], 'asgi-server', 'app.main:app'],
    [
      ['gunicorn', '-k', 'uvicorn.workers.UvicornWorker', '-b', '0.0.0.0:80', 'app.main:app'],
      'asgi-server',
      'app.main:app',
    ],
    [['gunicorn', '--bind', ':8000', 'config.wsgi'], 'wsgi-server', 'config.wsgi:application'],
    [['python', '-m', 'gunicorn', 'wsgi:app'], 'wsgi-server', 'wsgi:app'],
    [['/app/.venv/bin/fastapi', 'run', '--workers', '4', 'app/main.py'], 'asgi-server', 'app.main:*'],
    [['uvicorn', '--factory', 'pkg.app:create_app'], 'asgi-server', 'pkg.app:create_app()'],
    [['granian', '--interface', 'asgi', 'main:app'], 'asgi-server', 'main:app'],
    [['uwsgi', '--ini', 'uwsgi.ini', '--module', 'searx.webapp:app'], 'wsgi-server', 'searx.webapp:app'],
    [['waitress-serve', '--port=8080', 'app:app'], 'wsgi-server', 'app:app'],
    [['celery', '-A', 'proj.celery', 'worker', '-l', 'info'], 'celery worker', 'proj.celery:*'],
    [['streamlit', 'run', '/app/Home.py', '--server.port=8501'], 'streamlit', 'Home.py'],
    [
      ['sh', '-c', 'python manage.py migrate && exec gunicorn proj.wsgi:application'],
      'wsgi-server',
      'proj.wsgi:application',
    ],
    [['tini', '--', 'gosu', 'app', 'myapp', 'serve'], 'myapp', 'serve'],
    [['uv', 'run', 'myapp', 'serve', '--port', '9000'], 'myapp', 'serve'],
    [['python3.12', '/app/main.py'], 'python main.py', null],
    [['python', '-m', 'freqtrade', 'trade'], 'python -m freqtrade', 'trade'],
  ])('%j', (argv, launcher, target) => {
    const l = launchOf(argv);
    expect(l.launcher).toBe(launcher);
    expect(l.target).toBe(target);
  });

  it('development servers are marked', () => {
    expect(launchOf(['python', 'manage.py', 'runserver', '0.0.0.0:8000']).dev).toBe(true);
    expect(launchOf(['flask', 'run', '--host=0.0.0.0']).dev).toBe(true);
    expect(launchOf(['uvicorn', 'a:app', '--reload']).dev).toBe(true);
    expect(launchOf(['fastapi', 'dev', 'main.py']).dev).toBe(true);
  });
});

describe('sameLaunch', () => {
  it('any ASGI server serving the same object is the same launch', () => {
    expect(sameLaunch(['uvicorn', 'app.main:app'], ['fastapi', 'run', 'app/main.py'])).toBe(true);
    expect(
      sameLaunch(
        ['hypercorn', 'app.main:app'],
        ['gunicorn', '-k', 'uvicorn.workers.UvicornWorker', 'app.main:app'],
      ),
    ).toBe(true);
  });
  it('another object, another kind of server or a dev server is not', () => {
    expect(sameLaunch(['uvicorn', 'app.main:api'], ['uvicorn', 'app.main:app'])).toBe(false);
    expect(sameLaunch(['gunicorn', 'app.main:app'], ['uvicorn', 'app.main:app'])).toBe(false);
    expect(sameLaunch(['python', 'manage.py', 'runserver'], ['gunicorn', 'p.wsgi'])).toBe(false);
  });
  it("a program's subcommand is its first argument, not an option's value", () => {
    expect(sameLaunch(['changedetection.io'], ['changedetection.io', '-d', '/datastore'])).toBe(true);
    expect(sameLaunch(['freqtrade'], ['freqtrade', 'trade', '--config', 'c.json'])).toBe(false);
    expect(sameLaunch(['freqtrade', 'trade'], ['freqtrade', 'trade', '--config', 'c.json'])).toBe(true);
  });

  it('a script path written from another directory is the same script', () => {
    expect(sameLaunch(['python', 'bot/main.py'], ['python3', '/app/bot/main.py'])).toBe(true);
    expect(sameLaunch(['python', 'main.py'], ['python', 'other.py'])).toBe(false);
  });
  it('a package module and the path of its module name the same app', () => {
    expect(sameLaunch(['gunicorn', 'backend.app.main:app'], ['gunicorn', 'app.main:app'])).toBe(true);
  });
});

describe('container files removed from checkouts', () => {
  it.each([
    ['Dockerfile', true],
    ['docker/Dockerfile.prod', true],
    ['backend/api.dockerfile', true],
    ['Containerfile', true],
    ['docker-compose.yml', true],
    ['compose.dev.yaml', true],
    ['deploy/docker-compose.override.yaml', true],
    ['.dockerignore', true],
    ['api/Dockerfile.dockerignore', true],
    ['docker/entrypoint.sh', false],
    ['src/compose.py', false],
    ['composer.json', false],
  ])('%s: %s', (rel, removed) => expect(isContainerFile(rel)).toBe(removed));
});

const entry: CorpusEntry = {
  repo: 'o/r',
  commit: 'a'.repeat(40),
  category: 'api',
  shape: 'test',
  dockerfile: 'Dockerfile',
  truth: {
    appDir: 'backend',
    packageManager: 'uv',
    lockfile: 'backend/uv.lock',
    pythonMinor: '3.12',
    pythonAdmissible: ['3.11', '3.12'],
    framework: 'fastapi',
    entrypoint: 'app.main:app',
    command: ['fastapi', 'run', 'app/main.py'],
    port: 8000,
    runtimeApt: [],
    nativeDeps: [],
  },
  evidence: {},
};
const plan: PlanView = {
  appDir: 'backend',
  packageManager: 'uv',
  lockfile: 'uv.lock',
  pythonVersion: '3.13',
  framework: 'fastapi',
  entrypoint: 'app.main:app',
  command: ['uvicorn', 'app.main:app', '--host', '0.0.0.0', '--port', '8000'],
  port: 8000,
  system: { runtime: [] },
  native: [],
  warnings: [{ code: 'stale-lock', message: 'uv.lock is stale' }],
};

describe('scoreEntry', () => {
  it('scores each field; the lock is found from the app dir; python must be admissible', () => {
    const s = scoreEntry(entry, plan, (rel) => rel === 'backend/uv.lock');
    expect(s.command.ok).toBe(true);
    expect(s.lockfile.ok).toBe(true);
    expect(s.python.ok).toBe(false);
    expect(s.staleLock.ok).toBe(false);
    expect(scoreEntry(entry, { ...plan, port: 80 }, () => false).command.ok).toBe(false);
  });
});

describe('the corpus', () => {
  it('every truth file validates and names its repository', () => {
    const all = loadCorpus();
    for (const e of all) expect(e.truth.pythonAdmissible).toContain(e.truth.pythonAdmissible[0]);
    expect(new Set(all.map((e) => e.repo)).size).toBe(all.length);
  });
});

import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError, type Plan } from '../plan.js';
import { detectProject, wheelCeiling } from './detect.js';

const FIXTURES = path.join(import.meta.dirname, '__fixtures__');
const EXAMPLES = path.join(import.meta.dirname, '..', '..', 'examples');

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'detect-'));
  for (const [f, t] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), t);
  }
  return dir;
}

function copyFixture(name: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `detect-${name}-`));
  cpSync(path.join(FIXTURES, name), dir, { recursive: true });
  return dir;
}

async function inputError(p: Promise<unknown>): Promise<InputError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(InputError);
    return e as InputError;
  }
  throw new Error('expected an InputError');
}

const dep = (plan: Plan, name: string) => plan.dependencies.find((d) => d.name === name);

/** What each example must detect as: manager, framework, Python, app dir. */
const EXPECTED: Record<
  string,
  { manager: string; framework: string; python: string; appDir?: string; lockfile?: string | null }
> = {
  'aiohttp-service': { manager: 'pip', framework: 'aiohttp', python: '3.11' },
  'celery-worker': { manager: 'pip', framework: 'celery', python: '3.11' },
  'cli-tool': { manager: 'setuptools', framework: 'cli', python: '3.11' },
  'django-pdm': { manager: 'pdm', framework: 'django', python: '3.11', lockfile: 'pdm.lock' },
  'django-psycopg2-pipenv': {
    manager: 'pipenv',
    framework: 'django',
    python: '3.11',
    lockfile: 'Pipfile.lock',
  },
  'fastapi-poetry': { manager: 'poetry', framework: 'fastapi', python: '3.11', lockfile: 'poetry.lock' },
  'fastapi-uv': { manager: 'uv', framework: 'fastapi', python: '3.11', lockfile: 'uv.lock' },
  'flask-factory-piptools': {
    manager: 'pip-tools',
    framework: 'flask',
    // greenlet==2.0.2 is pinned: it has no CPython 3.12 build (data/python-ceilings.json).
    python: '3.11',
    lockfile: 'requirements.txt',
  },
  'flask-psycopg2-pip': { manager: 'pip', framework: 'flask', python: '3.11' },
  monorepo: { manager: 'pip', framework: 'fastapi', python: '3.11', appDir: 'backend' },
  'numpy-report': { manager: 'pip', framework: 'flask', python: '3.11' },
  'src-layout-api': { manager: 'setuptools', framework: 'starlette', python: '3.11' },
  'starlette-app': { manager: 'setuptools', framework: 'starlette', python: '3.11' },
  'uv-workspace': {
    manager: 'uv',
    framework: 'fastapi',
    python: '3.11',
    appDir: 'packages/api',
    lockfile: 'uv.lock',
  },
};

describe('every example project', () => {
  const names = readdirSync(EXAMPLES).filter((n) => statSync(path.join(EXAMPLES, n)).isDirectory());
  it('there are examples to check', () => {
    expect(names.length).toBeGreaterThanOrEqual(14);
  });
  for (const name of names) {
    it(`detects ${name}`, async () => {
      const plan = await detectProject(path.join(EXAMPLES, name));
      expect(plan.schemaVersion).toBe(1);
      expect(plan.decisions.length).toBeGreaterThan(3);
      expect(plan.manifests.length).toBeGreaterThan(0);
      const want = EXPECTED[name];
      if (!want) return;
      // An example may gain a .python-version pin later: it then decides (that precedence is tested above).
      const pinFile = path.join(EXAMPLES, name, want.appDir ?? '.', '.python-version');
      const pin = existsSync(pinFile) ? /^(\d+\.\d+)/m.exec(readFileSync(pinFile, 'utf8'))?.[1] : undefined;
      expect({
        manager: plan.packageManager,
        framework: plan.framework,
        python: plan.pythonVersion,
        appDir: plan.appDir,
      }).toEqual({
        manager: want.manager,
        framework: want.framework,
        python: pin ?? want.python,
        appDir: want.appDir ?? '.',
      });
      if (want.lockfile !== undefined) expect(plan.lockfile).toBe(want.lockfile);
      // Locked examples are in sync: their locks were written by the real tools (or by hand, carefully).
      expect(plan.warnings.filter((w) => w.code === 'stale-lock')).toEqual([]);
    });
  }

  it('fastapi-poetry: the README named by `readme =` is a manifest (the seed failure)', async () => {
    const plan = await detectProject(path.join(EXAMPLES, 'fastapi-poetry'));
    expect(plan.installProject).toBe(true);
    expect(plan.manifests).toEqual(['pyproject.toml', 'poetry.lock', 'README.md']);
    expect(dep(plan, 'pytest')?.group).toBe('dev');
    expect(dep(plan, 'fastapi')?.group).toBeUndefined();
  });

  it('flask-psycopg2-pip: psycopg2 needs libpq at run time and headers to build', async () => {
    const plan = await detectProject(path.join(EXAMPLES, 'flask-psycopg2-pip'));
    expect(plan.requirementsFile).toBe('requirements.txt');
    expect(plan.system.runtime).toContain('libpq5');
    expect(plan.system.build).toContain('libpq-dev');
  });

  it('uv-workspace: the app member, every member manifest, the root lock', async () => {
    const plan = await detectProject(path.join(EXAMPLES, 'uv-workspace'));
    expect(plan.workspace).toEqual({
      root: '.',
      members: ['packages/api', 'packages/pricing'],
      package: 'api',
    });
    expect(plan.manifests).toEqual(
      expect.arrayContaining([
        'pyproject.toml',
        'uv.lock',
        'packages/api/pyproject.toml',
        'packages/pricing/pyproject.toml',
      ]),
    );
  });
});

describe('detectProject on reader fixtures', () => {
  it('uv: walks the lock from the project with extras and markers, knows sdist-only packages', async () => {
    const plan = await detectProject(copyFixture('uv-app'));
    expect(plan.pythonVersion).toBe('3.12');
    expect(plan.packageManager).toBe('uv');
    expect(dep(plan, 'numpy')).toMatchObject({ version: '2.0.0' });
    expect(dep(plan, 'numpy')?.buildsFromSource).toBeUndefined();
    expect(dep(plan, 'psycopg2')).toMatchObject({
      version: '2.9.9',
      buildsFromSource: true,
      wheels: ['psycopg2-2.9.9-cp312-cp312-win_amd64.whl'],
    });
    expect(dep(plan, 'uvloop')).toBeDefined(); // via uvicorn[standard], marker true on Linux
    expect(dep(plan, 'httptools')?.buildsFromSource).toBeUndefined();
    expect(dep(plan, 'colorama')).toBeUndefined(); // win32 only
    expect(dep(plan, 'prometheus-client')).toBeUndefined(); // extra not requested
    expect(dep(plan, 'pytest')?.group).toBe('dev');
    expect(dep(plan, 'orders-api')).toBeUndefined(); // the project itself
    expect(plan.index).toEqual({
      url: 'https://pypi.internal.example.com/simple',
      extraUrls: [],
      needsCredentials: false,
      secretId: 'pip-index',
      origin: 'project',
    });
    expect(plan.installProject).toBe(true);
    expect(plan.manifests).toEqual(['pyproject.toml', 'uv.lock', 'README.md']);
    expect(plan.system.build).toContain('libpq-dev');
    expect(plan.decisions.find((d) => d.topic === 'lockfile')?.reason).toMatch(/in sync/);
  });

  it('uv: requested extras are installed; a stale lock is reported with what changed', async () => {
    const dir = copyFixture('uv-app');
    writeFileSync(
      path.join(dir, 'pyproject.toml'),
      `${(await import('node:fs')).readFileSync(path.join(dir, 'pyproject.toml'), 'utf8').replace('"numpy>=1.26",', '"numpy>=1.26",\n    "redis>=5",')}\n[tool.pycontain]\nextras = ["metrics"]\n`,
    );
    const plan = await detectProject(dir);
    expect(dep(plan, 'prometheus-client')).toBeDefined();
    const stale = plan.warnings.find((w) => w.code === 'stale-lock');
    expect(stale?.message).toMatch(
      /uv\.lock is out of date with pyproject\.toml: dependency redis>=5 is declared but not locked/,
    );
    expect(stale?.source?.file).toBe('uv.lock');
  });

  it('pdm: credentials in the source URL are stripped and need the secret', async () => {
    const plan = await detectProject(copyFixture('pdm-4.0'));
    expect(plan.packageManager).toBe('pdm');
    expect(plan.index).toEqual({
      url: 'https://pypi.corp.example.com/simple',
      extraUrls: [],
      needsCredentials: true,
      secretId: 'pip-index',
      origin: 'project',
    });
    expect(plan.warnings.map((w) => w.code)).toContain('index-credentials');
    expect(JSON.stringify(plan)).not.toContain('PYPI_TOKEN}@');
    expect(dep(plan, 'mysqlclient')?.buildsFromSource).toBe(true);
    expect(dep(plan, 'importlib-metadata')).toBeUndefined(); // python_version < "3.10"
    expect(dep(plan, 'pytest')?.group).toBe('dev');
    expect(plan.installProject).toBe(false);
  });

  it('poetry 1.1: hosted private registry needs credentials; optional extras only on request', async () => {
    const dir = copyFixture('poetry-1.1');
    let plan = await detectProject(dir);
    expect(plan.index.needsCredentials).toBe(true);
    expect(plan.index.url).toBe('https://corp.jfrog.io/artifactory/api/pypi/pypi/simple');
    expect(dep(plan, 'lxml')).toBeUndefined();
    expect(dep(plan, 'colorama')).toBeUndefined();
    plan = await detectProject(dir, { extras: ['xml'], pythonVersion: '3.11' });
    expect(dep(plan, 'lxml')).toMatchObject({ version: '4.9.2' });
    expect(dep(plan, 'lxml')?.buildsFromSource).toBeUndefined(); // a cp311 manylinux wheel fits 3.11
    expect(plan.pythonVersion).toBe('3.11');
    expect(plan.decisions.find((d) => d.topic === 'pythonVersion')?.reason).toMatch(/^--python pins 3\.11/);
  });

  it('poetry 2.0 with package-mode = false does not install the project', async () => {
    const plan = await detectProject(copyFixture('poetry-2.0'));
    expect(plan.installProject).toBe(false);
    expect(plan.pythonVersion).toBe('3.12');
    expect(dep(plan, 'numpy')?.version).toBe('1.26.2');
    expect(dep(plan, 'pytest')?.group).toBe('dev');
  });

  it('pipenv: Pipfile [requires], default vs develop, markers', async () => {
    const plan = await detectProject(copyFixture('pipenv-app'));
    expect(plan.pythonVersion).toBe('3.11');
    expect(plan.decisions.find((d) => d.topic === 'pythonVersion')?.source).toEqual({
      file: 'Pipfile',
      line: 16,
    });
    expect(dep(plan, 'pywin32')).toBeUndefined();
    expect(dep(plan, 'pytest-django')?.group).toBe('dev');
    expect(dep(plan, 'psycopg2')?.wheels).toBeUndefined(); // Pipfile.lock records hashes only
    expect(plan.manifests).toEqual(['Pipfile.lock', 'Pipfile']);
  });

  it('setup.cfg project: setuptools, installs itself', async () => {
    const plan = await detectProject(copyFixture('setuptools-cfg'));
    expect(plan.packageManager).toBe('setuptools');
    expect(plan.installProject).toBe(true);
    expect(plan.manifests).toEqual(['setup.py', 'setup.cfg', 'README.rst']);
    expect(plan.dependencies.map((d) => d.name)).toEqual(['requests', 'lxml']);
    expect(plan.decisions.find((d) => d.topic === 'pythonVersion')?.reason).toMatch(
      /python_requires ">=3\.10"/,
    );
  });

  it('a requirements.txt exported from the lock is not a conflict', async () => {
    const dir = copyFixture('poetry-2.0');
    writeFileSync(path.join(dir, 'requirements.txt'), 'gunicorn==21.2.0\npandas==2.1.3\n');
    const plan = await detectProject(dir);
    expect(plan.warnings.filter((w) => w.code === 'pm-conflict')).toEqual([]);
    expect(plan.decisions.find((d) => d.topic === 'packageManager (export)')?.reason).toMatch(
      /all 2 pins equal poetry\.lock's: an export of poetry\.lock/,
    );
  });

  it('a requirements.txt that is not an export is a pm-conflict', async () => {
    const dir = copyFixture('poetry-2.0');
    writeFileSync(path.join(dir, 'requirements.txt'), 'flask\n');
    const plan = await detectProject(dir);
    expect(plan.warnings.find((w) => w.code === 'pm-conflict')?.message).toMatch(
      /requirements\.txt suggests pip, but poetry\.lock \(poetry\) takes precedence/,
    );
  });

  it('[tool.pycontain] overrides, and the CLI wins over it', async () => {
    const root = tree({
      'requirements.txt': 'flask==2.2.2\ngunicorn==20.1.0\n',
      'app.py': 'from flask import Flask\napp = Flask(__name__)\n',
      'pyproject.toml':
        '[tool.pycontain]\npython-version = "3.12"\nport = 9000\napt-packages = ["libmagic1"]\nuid = 12345\nindex-url = "https://mirror.example.com/simple/"\n',
    });
    let plan = await detectProject(root);
    expect(plan.pythonVersion).toBe('3.12');
    expect(plan.port).toBe(9000);
    expect(plan.system.runtime).toContain('libmagic1');
    expect(plan.user).toEqual({ name: 'app', uid: 12345, gid: 12345 });
    expect(plan.index.url).toBe('https://mirror.example.com/simple');
    expect(plan.decisions.find((d) => d.topic === 'pythonVersion')?.source).toEqual({
      file: 'pyproject.toml',
      line: 2,
    });
    plan = await detectProject(root, { pythonVersion: '3.13', port: 7000 });
    expect(plan.pythonVersion).toBe('3.13');
    expect(plan.port).toBe(7000);
  });

  it('build-apt packages and the index origin are decided here, not by the renderer', async () => {
    const root = tree({
      'requirements.txt': 'flask==2.2.2\n',
      'app.py': 'from flask import Flask\napp = Flask(__name__)\n',
      'pyproject.toml': '[tool.pycontain]\nbuild-apt-packages = ["libffi-dev"]\n',
    });
    const plan = await detectProject(root, { indexUrl: 'https://mirror.example.com/simple/' });
    expect(plan.system.build).toContain('libffi-dev');
    expect(plan.system.runtime).not.toContain('libffi-dev');
    expect(plan.index).toMatchObject({ url: 'https://mirror.example.com/simple', origin: 'override' });
    expect((await detectProject(root)).index.origin).toBeUndefined();
  });

  it('a distroless runtime runs as its own nonroot user; a uid override wins everywhere', async () => {
    const root = tree({
      'requirements.txt': 'flask==2.2.2\n',
      'app.py': 'from flask import Flask\napp = Flask(__name__)\n',
    });
    expect((await detectProject(root, { distroless: true, pythonVersion: '3.11' })).user).toEqual({
      name: 'nonroot',
      uid: 65532,
      gid: 65532,
    });
    expect((await detectProject(root)).user.uid).toBe(10001);
    expect((await detectProject(root, { distroless: true, pythonVersion: '3.11', uid: 2000 })).user).toEqual({
      name: 'app',
      uid: 2000,
      gid: 2000,
    });
  });
});

describe('bad input', () => {
  it('an empty directory', async () => {
    const dir = tree({});
    const e = await inputError(detectProject(dir));
    expect(e.message).toMatch(/^no Python project found in .*it is empty/);
  });

  it('a directory that does not exist', async () => {
    const e = await inputError(detectProject('/nonexistent/pycontain-test'));
    expect(e.message).toMatch(/does not exist/);
  });

  it('malformed pyproject.toml: file, line and column', async () => {
    const dir = tree({
      'pyproject.toml':
        '[project]\nname = "x"\ndependencies = [\n  "flask",\n  "gunicorn"\n  "uvicorn",\n]\n',
    });
    const e = await inputError(detectProject(dir));
    expect(e.file).toBe('pyproject.toml');
    expect(e.line).toBe(6);
    expect(e.column).toBeGreaterThan(0);
    expect(e.message).toMatch(/^invalid TOML/);
  });

  it('a wrong type in pyproject.toml names the key line', async () => {
    const dir = tree({ 'pyproject.toml': '[project]\nname = "x"\n\ndependencies = "flask"\n' });
    const e = await inputError(detectProject(dir));
    expect(e.file).toBe('pyproject.toml');
    expect(e.line).toBe(4);
    expect(e.message).toMatch(/^\[project\.dependencies\]/);
  });

  it('a lock from the future', async () => {
    const dir = copyFixture('uv-app');
    const { readFileSync } = await import('node:fs');
    writeFileSync(
      path.join(dir, 'uv.lock'),
      readFileSync(path.join(dir, 'uv.lock'), 'utf8').replace(/^version = 1$/m, 'version = 9'),
    );
    const e = await inputError(detectProject(dir));
    expect(e.message).toMatch(/^uv\.lock version 9 is newer than pycontain understands \(1\)/);
    expect(e.file).toBe('uv.lock');
    expect(e.line).toBe(1);
  });

  it('a requirements include loop', async () => {
    const dir = tree({
      'requirements.txt': 'flask\n-r base.txt\n',
      'base.txt': '# base\n-r requirements.txt\n',
    });
    const e = await inputError(detectProject(dir));
    expect(e.message).toMatch(/include loop/);
    expect(e.file).toBe('base.txt');
    expect(e.line).toBe(2);
  });

  it('an unknown [tool.pycontain] key', async () => {
    const dir = tree({
      'requirements.txt': 'flask\n',
      'pyproject.toml': '[tool.pycontain]\nbase_image = "x"\n',
    });
    const e = await inputError(detectProject(dir));
    expect(e.message).toMatch(/unknown key "base_image"/);
    expect(e.line).toBe(2);
  });
});

describe('requirements details', () => {
  it('local wheels, find-links dirs and -r includes are manifests; credentials stay out of the plan', async () => {
    const root = tree({
      'requirements.txt':
        // biome-ignore lint/suspicious/noTemplateCurlyInString: pip's own ${VAR} syntax
        '--index-url https://${PIP_USER}:${PIP_TOKEN}@pypi.corp.example.com/simple/\n--find-links ./wheels\n-r base.txt\n./vendor/mylib-1.0-py3-none-any.whl\n',
      'base.txt':
        'flask==2.2.2 --hash=sha256:b9c46cc36662a7949f34b52d8ec7bb59c0d74ba08ba6cb9ce9adc1d8676d9526\n',
      'wheels/x-1.0-py3-none-any.whl': '',
      'vendor/mylib-1.0-py3-none-any.whl': '',
      'app.py': 'print(1)\n',
    });
    const plan = await detectProject(root);
    expect(plan.packageManager).toBe('pip');
    expect(plan.requirementsFile).toBe('requirements.txt');
    expect(plan.manifests).toEqual([
      'requirements.txt',
      'base.txt',
      'vendor/mylib-1.0-py3-none-any.whl',
      'wheels',
    ]);
    expect(plan.index).toEqual({
      url: 'https://pypi.corp.example.com/simple',
      extraUrls: [],
      needsCredentials: true,
      secretId: 'pip-index',
      origin: 'project',
    });
    expect(JSON.stringify(plan)).not.toContain('PIP_TOKEN');
    expect(plan.requirementsHashes).toBe(false);
    expect(dep(plan, 'mylib')?.wheels).toEqual(['mylib-1.0-py3-none-any.whl']);
  });

  it('-e . in requirements is the project itself: a warning, not a dependency', async () => {
    const root = tree({
      'requirements.txt': 'flask==2.2.2\n-e .\n',
      'setup.py': 'from setuptools import setup\nsetup(name="x")\n',
    });
    const plan = await detectProject(root);
    expect(plan.installProject).toBe(true);
    expect(plan.warnings.find((w) => w.code === 'requirements-installs-project')?.source).toMatchObject({
      file: 'requirements.txt',
      line: 2,
    });
    expect(plan.dependencies.map((d) => d.name)).toEqual(['flask']);
  });

  it('pip-tools input without a compiled file', async () => {
    const plan = await detectProject(tree({ 'requirements.in': 'flask\n' }));
    expect(plan.packageManager).toBe('pip-tools');
    expect(plan.lockfile).toBeNull();
    expect(plan.requirementsFile).toBe('requirements.in');
    expect(plan.warnings.find((w) => w.code === 'no-lock')?.message).toMatch(
      /requirements\.in is not compiled/,
    );
  });
});

describe('uv workspace staleness', () => {
  it('a change in a library member makes the shared lock stale', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'detect-ws-'));
    cpSync(path.join(EXAMPLES, 'uv-workspace'), dir, { recursive: true });
    const { readFileSync } = await import('node:fs');
    const f = path.join(dir, 'packages', 'pricing', 'pyproject.toml');
    const text = readFileSync(f, 'utf8');
    expect(text).toMatch(/dependencies = \[/);
    writeFileSync(f, text.replace(/dependencies = \[/, 'dependencies = [\n    "redis>=5",'));
    const plan = await detectProject(dir);
    expect(plan.appDir).toBe('packages/api');
    expect(plan.warnings.find((w) => w.code === 'stale-lock')?.message).toMatch(
      /packages\/pricing\/pyproject\.toml: dependency redis>=5 is declared but not locked/,
    );
  });
});

describe('exports', () => {
  it('a requirements.txt with an export header of the winning manager is not a conflict, even without a lock', async () => {
    const root = tree({
      'pyproject.toml':
        '[tool.poetry]\nname = "x"\n[tool.poetry.dependencies]\npython = "^3.11"\nflask = "^2.2"\n',
      'requirements.txt':
        '# poetry export --without-hashes -f requirements.txt\nflask==2.2.2 ; python_version >= "3.11"\n',
    });
    const plan = await detectProject(root);
    expect(plan.packageManager).toBe('poetry');
    expect(plan.warnings.filter((w) => w.code === 'pm-conflict')).toEqual([]);
    expect(plan.decisions.find((d) => d.topic === 'packageManager (export)')?.reason).toMatch(
      /generated by poetry: an export/,
    );
  });
});

describe('index configuration', () => {
  it('poetry sources: primary, supplemental, explicit skipped', async () => {
    const plan = await detectProject(
      tree({
        'pyproject.toml': `[tool.poetry]
name = "x"
[tool.poetry.dependencies]
python = "^3.11"
flask = "^2.2"

[[tool.poetry.source]]
name = "mirror"
url = "https://mirror.example.com/simple/"
priority = "primary"

[[tool.poetry.source]]
name = "extra"
url = "https://extra.example.com/simple/"
priority = "supplemental"

[[tool.poetry.source]]
name = "private"
url = "https://private.example.com/simple/"
priority = "explicit"
`,
      }),
    );
    expect(plan.index).toEqual({
      url: 'https://mirror.example.com/simple',
      extraUrls: ['https://extra.example.com/simple'],
      needsCredentials: false,
      secretId: 'pip-index',
      origin: 'project',
    });
    expect(plan.decisions.find((d) => d.topic === 'index')?.source).toEqual({
      file: 'pyproject.toml',
      line: 7,
    });
  });

  it('uv: legacy index-url / extra-index-url; PyPI itself is null', async () => {
    const plan = await detectProject(
      tree({
        'pyproject.toml':
          '[project]\nname = "x"\ndependencies = []\n[tool.uv]\nindex-url = "https://pypi.org/simple"\nextra-index-url = ["https://user@extra.example.com/simple"]\n',
      }),
    );
    expect(plan.index).toEqual({
      url: null,
      extraUrls: ['https://extra.example.com/simple'],
      needsCredentials: true,
      secretId: 'pip-index',
    });
  });

  it('the CLI --index-url beats the project', async () => {
    const plan = await detectProject(
      tree({ 'requirements.txt': '-i https://a.example.com/simple\nflask==2.2.2\n' }),
      { indexUrl: 'https://b.example.com/simple' },
    );
    expect(plan.index.url).toBe('https://b.example.com/simple');
    expect(plan.decisions.find((d) => d.topic === 'index')?.reason).toMatch(/--index-url/);
  });
});

describe('wheel knowledge from locks', () => {
  it('a locked package without any recorded file is unknown, not sdist-only', async () => {
    const dir = copyFixture('poetry-2.0');
    const { readFileSync } = await import('node:fs');
    const lock = readFileSync(path.join(dir, 'poetry.lock'), 'utf8');
    // gunicorn's files list emptied, as some private indexes leave it
    writeFileSync(
      path.join(dir, 'poetry.lock'),
      lock.replace(/(name = "gunicorn"[\s\S]*?files = )\[[\s\S]*?\n\]/, '$1[]'),
    );
    const plan = await detectProject(dir);
    expect(dep(plan, 'gunicorn')?.wheels).toBeUndefined();
    expect(dep(plan, 'gunicorn')?.buildsFromSource).toBeUndefined();
    expect(dep(plan, 'pandas')?.wheels?.length).toBe(2);
  });
});

describe('requested groups', () => {
  it('a dependency group named in extras is installed (uv, pdm with PEP 735, poetry --with)', async () => {
    let plan = await detectProject(copyFixture('uv-app'), { extras: ['dev'] });
    expect(dep(plan, 'pytest')?.group).toBeUndefined();
    plan = await detectProject(copyFixture('pdm-4.5'));
    expect(dep(plan, 'pytest')?.group).toBe('dev');
    plan = await detectProject(copyFixture('pdm-4.5'), { extras: ['dev'] });
    expect(dep(plan, 'pytest')?.group).toBeUndefined();
    expect(plan.extras).toEqual(['dev']);
    expect(plan.groups).toEqual(['dev']);
    plan = await detectProject(copyFixture('poetry-2.0'), { extras: ['test'] });
    expect(dep(plan, 'pytest')?.group).toBeUndefined();
    expect(dep(plan, 'iniconfig')?.group).toBeUndefined();
  });
});

describe('platforms', () => {
  it('names the packages an arm64 build would compile', async () => {
    const plan = await detectProject(copyFixture('uv-app'));
    const d = plan.decisions.find((x) => x.topic === 'platform');
    // numpy has an aarch64 wheel for 3.12; httptools, pydantic-core and uvloop do not
    expect(d?.reason).toMatch(
      /an arm64 build would compile httptools, pydantic-core, uvloop \(no aarch64 wheel for Python 3\.12 in uv\.lock\)/,
    );
  });
});

describe('base image overrides and the Debian release', () => {
  // cryptography built from source needs libssl3, renamed libssl3t64 in trixie.
  const files = {
    'requirements.txt': 'cryptography==42.0.5 --no-binary cryptography\nflask==3.0.0\n',
    'app.py': 'from flask import Flask\napp = Flask(__name__)\n',
  };

  it('a tag without a release: trixie assumed, said in a decision and, with apt packages, a warning', async () => {
    const plan = await detectProject(tree(files), { baseImage: 'mirror.example/python:3.11-slim' });
    expect(plan.pythonVersion).toBe('3.11');
    expect(plan.decisions.find((d) => d.topic === 'pythonVersion')?.reason).toMatch(
      /the base image mirror\.example\/python:3\.11-slim runs Python 3\.11 \(its tag\)/,
    );
    expect(plan.image.debian).toBe('trixie');
    expect(plan.decisions.find((d) => d.topic === 'debian')?.reason).toMatch(/^assumed: the base image tag/);
    expect(plan.warnings.map((w) => w.code)).toContain('debian-release-assumed');
  });

  it('--debian (or [tool.pycontain] debian) names it: bookworm package names, no warning', async () => {
    const plan = await detectProject(tree(files), {
      baseImage: 'mirror.example/python:3.11-slim',
      debian: 'bookworm',
    });
    expect(plan.image.debian).toBe('bookworm');
    expect(plan.decisions.find((d) => d.topic === 'debian')?.reason).toMatch(/^set by --debian/);
    expect(plan.warnings.map((w) => w.code)).not.toContain('debian-release-assumed');
    const fromFile = await detectProject(
      tree({ ...files, 'pyproject.toml': '[tool.pycontain]\ndebian = "bookworm"\n' }),
      { baseImage: 'mirror.example/python:3.11-slim' },
    );
    expect(fromFile.image.debian).toBe('bookworm');
    expect(fromFile.decisions.find((d) => d.topic === 'debian')?.reason).toMatch(
      /^set by \[tool\.pycontain\] debian/,
    );
  });

  it('a release named in the tag is used as is; a pin that disagrees with the tag is a warning', async () => {
    const plan = await detectProject(tree({ ...files, '.python-version': '3.12\n' }), {
      baseImage: 'mirror.example/python:3.11-slim-bookworm',
    });
    expect(plan.image.debian).toBe('bookworm');
    expect(plan.pythonVersion).toBe('3.12');
    expect(plan.warnings.map((w) => w.code)).toEqual(expect.arrayContaining(['base-image-python-mismatch']));
    expect(plan.warnings.map((w) => w.code)).not.toContain('debian-release-assumed');
  });

  it('an unknown codename is bad input', async () => {
    await expect(
      detectProject(tree(files), { baseImage: 'mirror.example/python:3.11-slim', debian: 'sid' }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(/unknown Debian release 'sid'/),
    });
  });
});

describe('the newest Python the locked wheels support', () => {
  it('steps down from the newest release when the lock has no wheels for it, and says why', async () => {
    const dir = copyFixture('uv-app');
    rmSync(path.join(dir, '.python-version'));
    const plan = await detectProject(dir);
    // uv.lock records cp312 wheels for numpy, httptools, pydantic-core, uvloop: 3.15 would compile them.
    expect(plan.pythonVersion).toBe('3.12');
    expect(plan.decisions.find((d) => d.topic === 'pythonVersion')?.reason).toMatch(
      /^admitted by requires-python ">=3\.11".*: stepped down to 3\.12, the newest that every locked binary dependency has a wheel for \(no wheel for CPython 3\.15 in the lock for httptools, numpy, pydantic-core, uvloop/,
    );
    expect(dep(plan, 'numpy')?.buildsFromSource).toBeUndefined();
    expect(plan.system.build).not.toContain('libblas-dev');
  });

  const whl = (name: string, tag: string) => `${name}-1.0-${tag}-${tag}-manylinux_2_17_x86_64.whl`;
  const base = { extras: [] as string[], pythonVersion: '3.15' };
  const TODAY = '2026-11-25';

  it('wheelCeiling: none when the chosen minor has every wheel, or no older one has more', () => {
    const ok = [
      { name: 'a', wheels: [whl('a', 'cp315'), whl('a', 'cp314')] },
      { name: 'b', wheels: ['b-1-py3-none-any.whl'] },
    ];
    expect(wheelCeiling({ ...base, dependencies: ok }, TODAY)).toBeNull();
    // sdist-only and Windows-only packages compile on every minor: they do not pull the version down.
    const src = [
      { name: 'c', wheels: ['c-1-cp312-cp312-win_amd64.whl'] },
      { name: 'd', wheels: [] },
    ];
    expect(wheelCeiling({ ...base, dependencies: src }, TODAY)).toBeNull();
    // Dev-only dependencies are not installed.
    const dev = [{ name: 'e', group: 'dev', wheels: [whl('e', 'cp313')] }];
    expect(wheelCeiling({ ...base, dependencies: dev }, TODAY)).toBeNull();
  });

  it('wheelCeiling: the newest older minor that compiles the fewest, abi3 wheels count for later minors', () => {
    const deps = [
      { name: 'a', wheels: [whl('a', 'cp313'), whl('a', 'cp312')] },
      { name: 'b', wheels: [whl('b', 'cp312')] },
      { name: 'c', wheels: ['c-1.0-cp311-abi3-manylinux_2_17_x86_64.whl'] },
    ];
    const r = wheelCeiling({ ...base, dependencies: deps }, TODAY);
    expect(r?.minor).toBe('3.12');
    expect(r?.reason).toMatch(
      /every locked binary dependency has a wheel for \(no wheel for CPython 3\.15 in the lock for a, b,/,
    );
    const partial = wheelCeiling(
      { ...base, dependencies: [...deps, { name: 'z', wheels: [whl('z', 'cp315'), whl('z', 'cp311')] }] },
      TODAY,
    );
    expect(partial?.minor).toBe('3.12');
    expect(partial?.reason).toMatch(
      /^leaves the fewest locked binary dependencies to compile from source \(1: z;/,
    );
  });
});

describe('apt packages the release does not have', () => {
  it('an extra apt package named for another Debian release is a warning with the replacement', async () => {
    const dir = tree({
      'requirements.txt': 'flask==3.0.0\n',
      'app.py': 'from flask import Flask\napp = Flask(__name__)\n',
      '.python-version': '3.12\n',
      'pyproject.toml': '[tool.pycontain]\napt-packages = ["libgl1-mesa-glx", "libpq5"]\n',
    });
    const plan = await detectProject(dir);
    expect(plan.image.debian).toBe('trixie');
    const w = plan.warnings.filter((x) => x.code === 'apt-package-not-in-release');
    expect(w.map((x) => x.message)).toEqual([
      'libgl1-mesa-glx is not in Debian trixie (python:3.12-slim-trixie): apt-get will fail to install it; install libgl1 instead',
    ]);
    expect(w[0]?.source).toMatchObject({ file: 'pyproject.toml', line: 2 });
    const bookworm = await detectProject(dir, { debian: 'bookworm' });
    expect(bookworm.warnings.map((x) => x.code)).not.toContain('apt-package-not-in-release');
  });
});

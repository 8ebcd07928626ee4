import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../plan.js';
import { chooseAppDir, findPythonApps, isNotAppDir, launcherOf, severalAppsWarning } from './appdir.js';
import { detectProject } from './detect.js';

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'appdir-'));
  for (const [f, t] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
    writeFileSync(path.join(dir, f), t);
  }
  return dir;
}

describe('findPythonApps / chooseAppDir', () => {
  it('the top directory when it is a project', async () => {
    const root = tree({ 'requirements.txt': 'flask\n', 'app.py': '' });
    expect(await findPythonApps(root)).toEqual(['.']);
    const c = await chooseAppDir(root);
    expect(c.appDir).toBe('.');
    expect(c.warnings).toEqual([]);
  });

  it('a monorepo with the app in backend/ and a JS frontend', async () => {
    const root = tree({
      'frontend/package.json': '{}',
      'backend/pyproject.toml': '[project]\nname = "api"\n',
      'backend/api/main.py': '',
      'README.md': '',
    });
    const c = await chooseAppDir(root);
    expect(c.appDir).toBe('backend');
    expect(c.decision.reason).toMatch(/only Python project/);
  });

  it('a tool-only pyproject.toml at the top is not a project', async () => {
    const root = tree({
      'pyproject.toml': '[tool.ruff]\nline-length = 100\n',
      'server/requirements.txt': 'fastapi\n',
    });
    expect(await findPythonApps(root)).toEqual(['server']);
  });

  it('skips node_modules, virtualenvs, tests and docs', async () => {
    const root = tree({
      'api/requirements.txt': 'flask\n',
      'node_modules/x/setup.py': '',
      '.venv/lib/setup.py': '',
      'tests/fixture/requirements.txt': '',
      'docs/requirements.txt': 'sphinx\n',
    });
    expect(await findPythonApps(root)).toEqual(['api']);
  });

  it('several apps: picks by lock, then app-like name, and warns listing the others', async () => {
    const root = tree({
      'worker/requirements.txt': 'celery\n',
      'api/pyproject.toml': '[project]\nname = "api"\n',
      'api/uv.lock': 'version = 1\n',
      'cli/setup.py': 'from setuptools import setup\nsetup(name="cli")\n',
    });
    expect(await findPythonApps(root)).toEqual(['api', 'cli', 'worker']);
    const c = await chooseAppDir(root);
    expect(c.appDir).toBe('api');
    expect(c.warnings[0]?.code).toBe('several-apps');
    expect(c.warnings[0]?.message).toMatch(/also cli, worker|also worker, cli/);
  });

  it('a Django dir with only manage.py belongs to the enclosing project', async () => {
    const root = tree({ 'requirements.txt': 'django\n', 'src/manage.py': '' });
    expect(await findPythonApps(root)).toEqual(['.']);
    const alone = tree({ 'site/manage.py': '' });
    expect(await findPythonApps(alone)).toEqual(['site']);
  });

  it('uv workspace members are part of the workspace app', async () => {
    const root = tree({
      'pyproject.toml':
        '[project]\nname = "ws"\nversion = "0"\n[tool.uv.workspace]\nmembers = ["packages/*"]\n',
      'packages/api/pyproject.toml': '[project]\nname = "api"\n',
      'packages/lib/pyproject.toml': '[project]\nname = "lib"\n',
    });
    expect(await findPythonApps(root)).toEqual(['.']);
  });

  it('an override wins and must exist', async () => {
    const root = tree({ 'a/requirements.txt': '', 'b/requirements.txt': '' });
    expect((await chooseAppDir(root, { value: 'b/', label: '--app-dir' })).appDir).toBe('b');
    await expect(chooseAppDir(root, { value: 'nope', label: '--app-dir' })).rejects.toThrow(
      /--app-dir: app directory "nope" does not exist/,
    );
    await expect(chooseAppDir(root, { value: '../x', label: '--app-dir' })).rejects.toThrow(/must be inside/);
  });

  it('an empty directory is an InputError', async () => {
    const root = tree({});
    await expect(chooseAppDir(root)).rejects.toBeInstanceOf(InputError);
    await expect(chooseAppDir(root)).rejects.toThrow(
      /^no Python project found in .*: no pyproject\.toml, requirements\*\.txt.*it is empty/,
    );
  });
});

describe('samples and tooling', () => {
  it("a library's examples/ are not apps while the root is one; they are found when nothing else is", async () => {
    const lib = tree({
      'pyproject.toml': '[project]\nname = "lib"\n',
      'examples/demo/requirements.txt': 'lib\n',
    });
    expect(await findPythonApps(lib)).toEqual(['.']);
    const only = tree({ 'examples/demo/requirements.txt': 'flask\n', 'README.md': '' });
    expect(await findPythonApps(only)).toEqual(['examples/demo']);
  });

  it('a requirements-dev.txt at the top of a monorepo does not make the top an app', async () => {
    const root = tree({ 'requirements-dev.txt': 'ruff\n', 'services/api/requirements.txt': 'fastapi\n' });
    expect(await findPythonApps(root)).toEqual(['services/api']);
  });
});

describe('directories that are not the app', () => {
  it('e2e, tests_*, *_tests, scripts, tools, demos and ci are not searched while there is a project', async () => {
    const root = tree({
      'api/requirements.txt': 'flask\n',
      'e2e/requirements.txt': 'playwright\n',
      'tests_integration/requirements.txt': 'pytest\n',
      'load_tests/requirements.txt': 'locust\n',
      'scripts/migrate/requirements.txt': 'psycopg\n',
      'dev/scripts/seed/requirements.txt': 'faker\n',
      'tools/release/pyproject.toml': '[project]\nname = "release"\n',
      'demos/chat/requirements.txt': 'gradio\n',
      'ci/requirements.txt': 'tox\n',
      'templates/{{cookiecutter.name}}/pyproject.toml': '[project]\nname = "{{cookiecutter.name}}"\n',
    });
    expect(await findPythonApps(root)).toEqual(['api']);
  });

  it('a tooling folder is still found when it is the only project', async () => {
    const root = tree({ 'scripts/requirements.txt': 'requests\n' });
    expect(await findPythonApps(root)).toEqual(['scripts']);
    const e2e = tree({ 'e2e/requirements.txt': 'playwright\n' });
    await expect(findPythonApps(e2e)).resolves.toEqual([]);
  });

  it('isNotAppDir names the folders a code scan should skip', () => {
    for (const d of [
      'tests',
      'e2e',
      'tests_integration',
      'integration-tests',
      'docs',
      'examples',
      'scripts',
      'benchmarks',
    ])
      expect(isNotAppDir(d), d).toBe(true);
    for (const d of ['backend', 'app', 'server', 'src', 'testament', 'scriptorium'])
      expect(isNotAppDir(d), d).toBe(false);
  });

  it('a setup.py module inside a package is code, not a manifest', async () => {
    const root = tree({
      'requirements.txt': 'flask\n',
      'shop/__init__.py': '',
      'shop/forms/__init__.py': '',
      'shop/forms/setup.py': 'from wtforms import Form\nclass SetupForm(Form):\n    pass\n',
      'sdk/setup.py': 'from setuptools import setup\nsetup(name="sdk")\n',
      'legacy/setup.py': 'from distutils.core import setup\nsetup(name="legacy")\n',
    });
    expect(await findPythonApps(root)).toEqual(['.', 'legacy', 'sdk']);
  });

  it('requirements-devel.txt alone does not make a project', async () => {
    const root = tree({ 'requirements-devel.txt': 'pytest\n', 'svc/requirements.txt': 'fastapi\n' });
    expect(await findPythonApps(root)).toEqual(['svc']);
  });
});

describe('launcherOf', () => {
  it('console scripts, setup.cfg entry points, manage.py, Procfile, a top-level script; tooling does not count', async () => {
    const root = tree({
      'a/pyproject.toml': '[project]\nname = "a"\n[project.scripts]\na = "a.cli:main"\n',
      'b/setup.cfg': '[options.entry_points]\nconsole_scripts =\n    b = b.cli:main\n',
      'c/manage.py': '',
      'd/Procfile': 'web: gunicorn d.wsgi\n',
      'e/utils.py': '',
      'e/main.py': '',
      'f/setup.py': 'from setuptools import setup\nsetup()\n',
      'f/conftest.py': '',
      'f/noxfile.py': '',
      'f/test_x.py': '',
    });
    const { parsePyProject } = await import('./pyproject.js');
    const { readFileSync } = await import('node:fs');
    const aPy = parsePyProject(readFileSync(path.join(root, 'a/pyproject.toml'), 'utf8'), 'a/pyproject.toml');
    expect(await launcherOf(root, 'a', aPy)).toBe('console script a in a/pyproject.toml');
    expect(await launcherOf(root, 'b', null)).toBe('console script b in b/setup.cfg');
    expect(await launcherOf(root, 'c', null)).toBe('c/manage.py');
    expect(await launcherOf(root, 'd', null)).toBe('d/Procfile');
    expect(await launcherOf(root, 'e', null)).toBe('e/main.py');
    expect(await launcherOf(root, 'f', null)).toBeNull();
  });
});

describe('which project is the app when the top directory is one', () => {
  it('a library at the top and a server with its own requirements in server/: server', async () => {
    const root = tree({
      'pyproject.toml':
        '[build-system]\nrequires = ["hatchling"]\nbuild-backend = "hatchling.build"\n[project]\nname = "memlib"\ndependencies = ["pydantic", "httpx"]\n',
      'poetry.lock': '',
      'memlib/__init__.py': '',
      'server/requirements.txt': 'fastapi==0.115.0\nuvicorn==0.34.0\nmemlib>=1\n',
      'server/main.py': 'from fastapi import FastAPI\napp = FastAPI()\n',
      'server/models.py': '',
    });
    const c = await chooseAppDir(root);
    expect(c.appDir).toBe('server');
    expect(c.decision.reason).toMatch(
      /top directory is a library .* server is an app \(server\/main\.py; depends on fastapi, uvicorn\)/,
    );
    expect(c.decision.source).toEqual({ file: 'server/main.py' });
    expect(c.warnings[0]?.message).toMatch(
      /^found 2 Python projects: using server; also the top directory \(\.\)/,
    );
  });

  it('an app at the top and a helper package in a subdirectory: the top', async () => {
    const root = tree({
      'requirements.txt': 'flask\n',
      'app.py': 'from flask import Flask\napp = Flask(__name__)\n',
      'helpers/pyproject.toml': '[project]\nname = "helpers"\ndependencies = ["flask"]\n',
      'helpers/cli.py': '',
    });
    expect((await chooseAppDir(root)).appDir).toBe('.');
  });

  it('the top declares a framework: it is the app even without a launcher of its own', async () => {
    const root = tree({
      'pyproject.toml': '[project]\nname = "shop"\ndependencies = ["django"]\n',
      'shop/__init__.py': '',
      'shop/wsgi.py': '',
      'admin-api/requirements.txt': 'fastapi\nuvicorn\n',
      'admin-api/main.py': '',
    });
    expect((await chooseAppDir(root)).appDir).toBe('.');
  });

  it("the top's dependencies are read through -r includes", async () => {
    const root = tree({
      'requirements.txt': '-r deps/prod.txt\n',
      'deps/prod.txt': 'django\n',
      'shop/__init__.py': '',
      'shop/wsgi.py': '',
      'admin/requirements.txt': 'flask\n',
      'admin/app.py': '',
    });
    expect((await chooseAppDir(root)).appDir).toBe('.');
  });

  it('a library at the top with only other libraries below stays at the top', async () => {
    const root = tree({
      'pyproject.toml': '[project]\nname = "lib"\ndependencies = ["attrs"]\n',
      'plugins/extra/pyproject.toml': '[project]\nname = "lib-extra"\ndependencies = ["lib"]\n',
    });
    expect((await chooseAppDir(root)).appDir).toBe('.');
  });

  it('a subproject the top depends on by path is its library, never the app', async () => {
    const uvSource = tree({
      'pyproject.toml':
        '[project]\nname = "top"\ndependencies = ["core"]\n[tool.uv.sources]\ncore = { path = "libs/core" }\n',
      'libs/core/pyproject.toml': '[project]\nname = "core"\ndependencies = ["fastapi"]\n',
      'libs/core/main.py': '',
    });
    expect((await chooseAppDir(uvSource)).appDir).toBe('.');
    const poetryPath = tree({
      'pyproject.toml':
        '[tool.poetry]\nname = "top"\n[tool.poetry.dependencies]\npython = "^3.11"\ncore = { path = "core", develop = true }\n',
      'core/requirements.txt': 'flask\n',
      'core/app.py': '',
    });
    expect((await chooseAppDir(poetryPath)).appDir).toBe('.');
    const editable = tree({
      'requirements.txt': '-e ./svc\nattrs\n',
      'svc/requirements.txt': 'flask\n',
      'svc/app.py': '',
    });
    expect((await chooseAppDir(editable)).appDir).toBe('.');
  });

  it('a top pyproject.toml that only manages dependencies for code in backend/: backend', async () => {
    const root = tree({
      'pyproject.toml':
        '[project]\nname = "acme"\ndependencies = ["fastapi", "uvicorn"]\n[tool.uv]\npackage = false\n',
      'uv.lock': 'version = 1\n',
      'backend/requirements/default.txt': 'fastapi==0.1\n',
      'backend/acme/__init__.py': '',
      'backend/acme/main.py': 'from fastapi import FastAPI\napp = FastAPI()\n',
      'cli/pyproject.toml': '[project]\nname = "acme-cli"\n',
    });
    const c = await chooseAppDir(root);
    expect(c.appDir).toBe('backend');
    expect(c.decision.reason).toMatch(
      /project acme\) has no launcher and its code, backend\/acme, lives in the project backend/,
    );
    expect(c.decision.source).toEqual({ file: 'backend/acme' });
  });

  it('the top package at the top, or a launcher at the top, keeps the top', async () => {
    const here = tree({
      'pyproject.toml': '[project]\nname = "acme"\n',
      'acme/__init__.py': '',
      'backend/acme/__init__.py': '',
      'backend/requirements.txt': 'fastapi\n',
    });
    expect((await chooseAppDir(here)).appDir).toBe('.');
    const launched = tree({
      'pyproject.toml': '[project]\nname = "acme"\n[project.scripts]\nacme = "acme:main"\n',
      'backend/acme/__init__.py': '',
      'backend/requirements.txt': 'fastapi\n',
    });
    expect((await chooseAppDir(launched)).appDir).toBe('.');
  });

  it('no project at the top: an app beats a library that has a lock', async () => {
    const root = tree({
      'sdk/pyproject.toml': '[project]\nname = "sdk"\ndependencies = ["httpx"]\n',
      'sdk/uv.lock': 'version = 1\n',
      'service/requirements.txt': 'flask\ngunicorn\n',
      'service/wsgi.py': '',
    });
    const c = await chooseAppDir(root);
    expect(c.appDir).toBe('service');
    expect(c.decision.reason).toMatch(/an app: service\/wsgi\.py; depends on flask, gunicorn/);
  });
});

describe('severalAppsWarning', () => {
  it('names the directory used and the others; none when there is no other', () => {
    expect(severalAppsWarning(['.', 'worker'], '.')?.message).toMatch(
      /^found 2 Python projects: using the top directory \(\.\); also worker /,
    );
    expect(severalAppsWarning(['tools/x'], 'backend')?.message).toMatch(
      /^found 2 Python projects: using backend; also tools\/x /,
    );
    expect(severalAppsWarning(['backend'], 'backend')).toBeNull();
  });
});

describe('through detectProject: uv workspaces and --app-dir', () => {
  const ws = (root: Record<string, string>) =>
    tree({
      'packages/api/pyproject.toml': '[project]\nname = "api"\nversion = "0"\ndependencies = ["fastapi"]\n',
      'packages/api/api/__init__.py': '',
      'packages/lib/pyproject.toml': '[project]\nname = "lib"\nversion = "0"\n',
      ...root,
    });
  const wsRoot = (deps: string) =>
    `[project]\nname = "ws"\nversion = "0"\nrequires-python = ">=3.12"\ndependencies = [${deps}]\n[tool.uv.workspace]\nmembers = ["packages/*"]\n[tool.uv.sources]\napi = { workspace = true }\nlib = { workspace = true }\n`;

  it('a workspace root that only depends on members is not the app; the member is, and the warning says so', async () => {
    const root = ws({ 'pyproject.toml': wsRoot(''), 'tools/seed/requirements.txt': 'faker\n' });
    const plan = await detectProject(root);
    expect(plan.appDir).toBe('packages/api');
    const w = plan.warnings.filter((x) => x.code === 'several-apps');
    expect(w.map((x) => x.message)).toEqual([]);
    const other = ws({ 'pyproject.toml': wsRoot(''), 'worker/requirements.txt': 'celery\n' });
    const p2 = await detectProject(other);
    expect(p2.appDir).toBe('packages/api');
    expect(p2.warnings.find((x) => x.code === 'several-apps')?.message).toMatch(
      /using packages\/api; also worker /,
    );
  });

  it('a workspace root that depends on members and has the launcher is the app', async () => {
    const root = ws({ 'pyproject.toml': wsRoot('"api", "lib"'), 'main.py': 'import api\n' });
    const plan = await detectProject(root);
    expect(plan.appDir).toBe('.');
    expect(plan.workspace?.package ?? null).toBeNull();
  });

  it('--app-dir . is honoured on a workspace root whose members would otherwise be chosen', async () => {
    const root = ws({ 'pyproject.toml': wsRoot('') });
    const plan = await detectProject(root, { appDir: '.' });
    expect(plan.appDir).toBe('.');
    expect(plan.workspace?.package ?? null).toBeNull();
    expect(plan.decisions.find((d) => d.topic === 'appDir')?.reason).toBe('set by --app-dir');
  });

  it('--app-dir . is honoured when the top is a library next to an app', async () => {
    const root = tree({
      'pyproject.toml': '[project]\nname = "lib"\nversion = "0"\ndependencies = ["attrs"]\n',
      'server/requirements.txt': 'fastapi\n',
      'server/main.py': '',
    });
    expect((await detectProject(root)).appDir).toBe('server');
    expect((await detectProject(root, { appDir: '.' })).appDir).toBe('.');
  });
});

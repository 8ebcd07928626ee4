import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../plan.js';
import { chooseAppDir, findPythonApps } from './appdir.js';

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

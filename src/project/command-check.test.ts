import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testPlan } from '../dockerfile/testing.js';
import type { Dependency } from '../plan.js';
import { checkCommand, launchPrograms } from './command-check.js';

function project(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'cmdcheck-'));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), text);
  }
  return root;
}
const deps = (...names: string[]): Dependency[] => names.map((name) => ({ name }));
const codes = (p: ReturnType<typeof checkCommand>) => p.map((x) => x.code);

describe('checkCommand', () => {
  const root = project({
    'app/__init__.py': '',
    'app/main.py': 'app = 1\n',
    'src/pkg/web.py': '',
    'run.py': '',
  });

  it('a server the plan installs, serving a module of the app, binding 0.0.0.0: no problem', () => {
    const plan = testPlan({ root, dependencies: deps('gunicorn', 'flask') });
    expect(checkCommand(plan)).toEqual([]);
    expect(checkCommand({ ...plan, command: ['gunicorn', 'pkg.web:app'] })).toEqual([]); // src layout
  });

  it("a server no dependency installs is an error, unless it is the project's own script", () => {
    const plan = testPlan({ root, dependencies: deps('flask') });
    expect(codes(checkCommand(plan))).toEqual(['command-server-missing']);
    expect(codes(checkCommand({ ...plan, command: ['python', '-m', 'uvicorn', 'app.main:app'] }))).toEqual([
      'command-server-missing',
    ]);
    expect(checkCommand({ ...plan, command: ['gunicorn', 'app.main:app'] }, { gunicorn: 'x:y' })).toEqual([]);
  });

  it('fastapi run needs fastapi-cli, which fastapi[standard] brings', () => {
    const cmd = ['fastapi', 'run', 'app/main.py'];
    const plain = testPlan({ root, command: cmd, dependencies: deps('fastapi') });
    expect(codes(checkCommand(plain))).toEqual(['command-server-missing']);
    const standard = testPlan({
      root,
      command: cmd,
      dependencies: [{ name: 'fastapi', extras: ['standard'] }],
    });
    expect(checkCommand(standard)).toEqual([]);
  });

  it('dev dependencies are not in the image', () => {
    const plan = testPlan({ root, dependencies: [{ name: 'gunicorn', group: 'dev' }] });
    expect(codes(checkCommand(plan))).toEqual(['command-server-missing']);
  });

  it('a module that is neither in the app nor a dependency', () => {
    const plan = testPlan({
      root,
      command: ['gunicorn', '-w', '4', 'nowhere.wsgi:app'],
      dependencies: deps('gunicorn'),
    });
    expect(codes(checkCommand(plan))).toEqual(['command-module-missing']);
    const chdir = testPlan({
      root,
      command: ['gunicorn', '--chdir', 'src', 'pkg.web:app'],
      dependencies: deps('gunicorn'),
    });
    expect(checkCommand(chdir)).toEqual([]);
    const installed = testPlan({
      root,
      command: ['gunicorn', 'myproj.wsgi:app'],
      dependencies: deps('gunicorn'),
      installProject: true,
      projectName: 'myproj',
    });
    expect(checkCommand(installed)).toEqual([]);
    const script = testPlan({ root, command: ['python', 'missing.py'] });
    expect(codes(checkCommand(script))).toEqual(['command-module-missing']);
    expect(checkCommand(testPlan({ root, command: ['python', 'run.py'] }))).toEqual([]);
    expect(codes(checkCommand(testPlan({ root, command: ['python', '-m', 'nothing'] })))).toEqual([
      'command-module-missing',
    ]);
    expect(checkCommand(testPlan({ root, command: ['python', '-m', 'app.main'] }))).toEqual([]);
  });

  it('development servers and loopback binds', () => {
    const dj = testPlan({
      root: project({ 'manage.py': '' }),
      command: ['python', 'manage.py', 'runserver', '0.0.0.0:8000'],
    });
    expect(codes(checkCommand(dj))).toEqual(['command-dev-server']);
    const flask = testPlan({
      root,
      command: ['flask', 'run', '--host', '0.0.0.0'],
      dependencies: deps('flask'),
    });
    expect(codes(checkCommand(flask))).toEqual(['command-dev-server']);
    const reload = testPlan({
      root,
      command: ['uvicorn', 'app.main:app', '--reload'],
      dependencies: deps('uvicorn'),
    });
    expect(codes(checkCommand(reload))).toEqual(['command-dev-server']);
    const lo = testPlan({
      root,
      command: ['uvicorn', 'app.main:app', '--host', '127.0.0.1'],
      dependencies: deps('uvicorn'),
    });
    expect(codes(checkCommand(lo))).toEqual(['command-loopback']);
    const bind = testPlan({
      root,
      command: ['gunicorn', '--bind=localhost:8000', 'app.main:app'],
      dependencies: deps('gunicorn'),
    });
    expect(codes(checkCommand(bind))).toEqual(['command-loopback']);
  });

  it('the data table: every program names distributions, every module maps to a program', () => {
    const d = launchPrograms();
    for (const [prog, spec] of Object.entries(d.programs)) {
      expect(spec.packages.length, prog).toBeGreaterThan(0);
      for (const p of spec.packages) expect(p).toMatch(/^[a-z0-9][a-z0-9-]*$/);
    }
    for (const [mod, prog] of Object.entries(d.modules)) expect(d.programs[prog], mod).toBeDefined();
  });
});

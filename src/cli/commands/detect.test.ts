import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.join(import.meta.dirname, '..', '..', '..');
const MAIN = path.join(ROOT, 'src', 'cli', 'main.ts');

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', MAIN, ...args],
      { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

describe('pycontain detect (CLI)', () => {
  it('--json prints the plan with the stable fields', async () => {
    const r = await run(['detect', 'examples/flask-psycopg2-pip', '--json']);
    expect(r.code).toBe(0);
    const plan = JSON.parse(r.stdout);
    expect(plan).toMatchObject({
      pythonVersion: '3.11',
      packageManager: 'pip',
      lockfile: null,
      framework: 'flask',
      port: 8000,
      appDir: '.',
    });
    expect(plan.system.runtime).toContain('libpq5');
    expect(Array.isArray(plan.command)).toBe(true);
    expect(Array.isArray(plan.warnings)).toBe(true);
  }, 60_000);

  it('human output without colour when not a TTY; --python and --app-dir', async () => {
    const r = await run(['detect', 'examples/monorepo', '--python', '3.12', '--app-dir', 'backend']);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toMatch(/\u001b\[/);
    expect(r.stdout).toMatch(/^pycontain detect .*monorepo \(app in backend\/\)/);
    expect(r.stdout).toMatch(/\n {2}python {12}3\.12\n/);
    expect(r.stdout).toMatch(/pythonVersion +3\.12 +--python pins 3\.12/);
  }, 60_000);

  it('bad input: file:line:col on stderr, exit 2, nothing on stdout', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-detect-'));
    writeFileSync(path.join(dir, 'pyproject.toml'), '[project]\nname = "x"\ndependencies = ["a",\n');
    const r = await run(['detect', dir]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    // Named from where the command ran (here an absolute path: the project is outside the cwd).
    expect(r.stderr.startsWith(`error: ${path.join(dir, 'pyproject.toml')}:4:`)).toBe(true);
    expect(r.stderr).toMatch(/invalid TOML/);
  }, 60_000);

  it('empty directory and a bad --python are usage errors (exit 2)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cli-detect-empty-'));
    const r = await run(['detect', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no Python project found in/);
    const r2 = await run(['detect', 'examples/monorepo', '--python', 'latest']);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/--python: "latest" is not a version/);
  }, 60_000);
});

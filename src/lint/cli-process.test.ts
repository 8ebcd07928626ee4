import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The real command line (src/cli/main.ts through tsx): exit codes are the contract hooks and CI rely on.
const root = mkdtempSync(path.join(tmpdir(), 'pycontain-lint-cli-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const main = path.join(process.cwd(), 'src', 'cli', 'main.ts');
const tsx = pathToFileURL(path.join(process.cwd(), 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;

function pycontain(...args: string[]) {
  const r = spawnSync(process.execPath, ['--import', tsx, main, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

writeFileSync(
  path.join(root, 'Dockerfile'),
  'FROM python:3.12-slim-bookworm\nENV PYTHONUNBUFFERED=1\nUSER 10001\nCMD ["python", "-m", "http.server"]\n',
);
writeFileSync(path.join(root, 'bad.Dockerfile'), 'FROM python:3\nRUN pip install flask\n');
writeFileSync(path.join(root, 'junk'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]));

describe('pycontain lint (process)', () => {
  it('exits 0 on a clean ./Dockerfile by default', () => {
    const r = pycontain('lint');
    expect(r.stderr).toBe('note: no Python project beside Dockerfile: project-aware rules skipped\n');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no problems');
  });
  it('exits 1 with findings at the fail level, 0 with --fail-level none', () => {
    const r = pycontain('lint', 'bad.Dockerfile', '--format', 'json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).findings.length).toBeGreaterThan(0);
    expect(pycontain('lint', 'bad.Dockerfile', '--fail-level', 'none').code).toBe(0);
  });
  it('exits 2 on bad input, naming the file', () => {
    const missing = pycontain('lint', 'nope.Dockerfile');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('nope.Dockerfile');
    const junk = pycontain('lint', 'junk');
    expect(junk.code).toBe(2);
    expect(junk.stderr).toContain('junk');
    expect(pycontain('lint', '--format', 'xml').code).toBe(2);
  });
});

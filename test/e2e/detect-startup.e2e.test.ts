/**
 * `pycontain detect` and `init` from the built package run from their bundle (dist/cli/detect.cjs,
 * src/cli/fastload.ts) and print exactly what the unbundled CLI prints (PYCONTAIN_NO_BUNDLE=1).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = path.join(repo, 'dist', 'cli');
const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
};
const BIN = path.join(repo, pkg.bin.pycontain!);
const MAIN = path.join(dist, 'main.js');

const work = mkdtempSync(path.join(tmpdir(), 'pycontain-detect-startup-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const project = path.join(work, 'project');

beforeAll(() => {
  mkdirSync(project);
  writeFileSync(path.join(project, 'requirements.txt'), 'flask==3.0.0\ngunicorn==22.0.0\n');
  writeFileSync(path.join(project, 'app.py'), 'from flask import Flask\napp = Flask(__name__)\n');
});

function run(entry: string, args: string[], bundle: boolean) {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    PYCONTAIN_CACHE_DIR: path.join(work, 'cache'),
  };
  delete env.NODE_OPTIONS;
  delete env.FORCE_COLOR;
  if (!bundle) env.PYCONTAIN_NO_BUNDLE = '1';
  else delete env.PYCONTAIN_NO_BUNDLE;
  const r = spawnSync(process.execPath, [entry, ...args], { cwd: work, encoding: 'utf8', env });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('detect and init from the bundle', () => {
  it('the bundle holds the project readers and no image, engine or other command code', () => {
    const modules = [
      ...readFileSync(path.join(dist, 'detect.cjs'), 'utf8').matchAll(/^\/\/ ((?:src|node_modules)\/\S+)$/gm),
    ].map((m) => m[1]!);
    expect(modules).toContain('src/project/detect.ts');
    expect(modules).toContain('src/cli/commands/init.ts');
    for (const m of modules)
      expect(m).not.toMatch(
        /^src\/(image|engine|verify)\/|^src\/cli\/commands\/(lint|build|verify|analyze)\.ts$/,
      );
  });

  it.each([
    [['detect', 'project', '--json']],
    [['detect', 'project']],
    [['detect', 'missing', '--json']],
    [['detect', '--help']],
    [['init', '--help']],
  ])('%j prints the same as the unbundled CLI', (args) => {
    const bundled = run(BIN, args, true);
    expect(bundled).toEqual(run(MAIN, args, false));
    expect(bundled.stdout + bundled.stderr).not.toBe('');
  });

  it('init writes the same files', () => {
    const a = path.join(work, 'init-a');
    const b = path.join(work, 'init-b');
    cpSync(project, a, { recursive: true });
    cpSync(project, b, { recursive: true });
    const ra = run(BIN, ['init', a], true);
    const rb = run(MAIN, ['init', b], false);
    expect(ra.code).toBe(rb.code);
    expect(ra.stdout.replaceAll(a, 'DIR')).toBe(rb.stdout.replaceAll(b, 'DIR'));
    const files = readdirSync(a).sort();
    expect(files).toEqual(readdirSync(b).sort());
    for (const f of files)
      expect(readFileSync(path.join(a, f), 'utf8')).toBe(readFileSync(path.join(b, f), 'utf8'));
  });
});

import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../plan.js';
import { listRules, runLint } from './cli.js';
import { loadLintConfig } from './config.js';
import { loadProject } from './project.js';

const root = mkdtempSync(path.join(tmpdir(), 'pycontain-lint-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function dir(files: Record<string, string>): string {
  const d = mkdtempSync(path.join(root, 'p-'));
  for (const [rel, text] of Object.entries(files)) {
    const f = path.join(d, rel);
    rmSync(f, { force: true });
    writeFileSync(f, text);
  }
  return d;
}

async function run(files: string[], opts: Partial<Parameters<typeof runLint>[1]> = {}) {
  let stdout = '';
  let stderr = '';
  const code = await runLint(
    files,
    { format: 'json', ...opts },
    { stdout: (s) => (stdout += s), stderr: (s) => (stderr += s) },
  );
  return { code, stdout, stderr, json: opts.format && opts.format !== 'json' ? null : JSON.parse(stdout) };
}

const CLEAN =
  'FROM python:3.12-slim-bookworm\nENV PYTHONUNBUFFERED=1\nRUN useradd --uid 10001 app\nUSER 10001\nCMD ["python", "-m", "http.server"]\n';

describe('exit codes and fail levels', () => {
  it('0 when clean, 1 at or above the fail level, 0 below it', async () => {
    const d = dir({ Dockerfile: CLEAN, 'Dockerfile.info': `${CLEAN}RUN cd /tmp\n` });
    expect((await run([path.join(d, 'Dockerfile')])).code).toBe(0);
    const info = path.join(d, 'Dockerfile.info');
    expect((await run([info])).code).toBe(0); // default fail level: warning
    expect((await run([info], { failLevel: 'info' })).code).toBe(1);
    expect((await run([info], { failLevel: 'none' })).code).toBe(0);
  });
  it('2 (InputError naming the file) for a missing or binary file', async () => {
    const d = dir({ junk: '\u0000\u0001\u0002ELF' });
    await expect(run([path.join(d, 'nope')])).rejects.toThrow(InputError);
    await expect(run([path.join(d, 'junk')])).rejects.toThrow(/junk|NUL/);
    await expect(run([d])).rejects.toThrow(/directory/);
  });
});

describe('[tool.pycontain.lint]', () => {
  it('select/ignore/severity/fail-level apply', async () => {
    const d = dir({
      Dockerfile: 'FROM python:3.12-slim\nRUN pip install flask\n',
      'pyproject.toml':
        '[project]\nname = "x"\nversion = "1"\n\n[tool.pycontain.lint]\nignore = ["PC104", "missing-pythonunbuffered"]\nseverity = { PC103 = "error", PC206 = "off" }\nfail-level = "error"\n',
    });
    const r = await run([path.join(d, 'Dockerfile')]);
    const ids = r.json.findings.map((f: { ruleId: string }) => f.ruleId);
    expect(ids).not.toContain('PC104');
    expect(ids).not.toContain('PC108');
    expect(ids).not.toContain('PC206');
    expect(r.json.findings.find((f: { ruleId: string }) => f.ruleId === 'PC103').severity).toBe('error');
    expect(r.code).toBe(1);
    // The command line wins over the file.
    expect((await run([path.join(d, 'Dockerfile')], { failLevel: 'none' })).code).toBe(0);
  });
  it('bad configuration is an InputError with file and line', async () => {
    const d = dir({ 'pyproject.toml': '[tool.pycontain.lint]\nselect = ["PC1"]\nignroe = ["PC101"]\n' });
    const err = await loadLintConfig(path.join(d, 'Dockerfile')).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect(err.message).toContain("unknown key 'ignroe'");
    expect(err.line).toBe(3);
    const d2 = dir({ 'pyproject.toml': '[tool.pycontain.lint]\nseverity = { PC999 = "error" }\n' });
    await expect(loadLintConfig(path.join(d2, 'Dockerfile'))).rejects.toThrow(/PC999/);
    const d3 = dir({ 'pyproject.toml': '[tool.pycontain.lint\nselect = 1\n' });
    const e3 = await loadLintConfig(path.join(d3, 'Dockerfile')).catch((e) => e);
    expect(e3).toBeInstanceOf(InputError);
    expect(e3.line).toBe(1);
  });
});

describe('--fix', () => {
  it('rewrites only when asked, atomically, and reports what is left', async () => {
    const before =
      'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*\n';
    const d = dir({ Dockerfile: before });
    const f = path.join(d, 'Dockerfile');
    chmodSync(f, 0o640);
    await run([f]);
    expect(readFileSync(f, 'utf8')).toBe(before);
    const r = await run([f], { fix: true, format: 'text' });
    const after = readFileSync(f, 'utf8');
    expect(after).toContain('apt-get install --no-install-recommends -y libpq5');
    expect(after).toContain('ENV PYTHONUNBUFFERED=1');
    expect(r.stdout).toContain('fixes applied');
    expect(statSync(f).mode & 0o777).toBe(0o640);
    expect(readdirSync(d)).toEqual(['Dockerfile']);
    expect(r.stdout).toContain('PC104');
  });
});

describe('project-aware rules', () => {
  it('run with the project beside the Dockerfile (real detection)', async () => {
    const d = dir({
      'pyproject.toml':
        '[project]\nname = "app"\nversion = "1.0"\nrequires-python = ">=3.12"\ndependencies = []\n',
      'app.py': 'print(1)\n',
      Dockerfile: `FROM python:3.11-slim\nENV PYTHONUNBUFFERED=1\nUSER 1000\nCOPY . /app\n`,
    });
    const r = await run([path.join(d, 'Dockerfile')]);
    const f = r.json.findings.find((x: { ruleId: string }) => x.ruleId === 'PC401');
    expect(f?.message).toContain('requires >=3.12');
    expect(r.code).toBe(1);
  });
  it('are skipped with a note when there is no project, or with --no-project', async () => {
    const d = dir({ Dockerfile: CLEAN });
    const r = await run([path.join(d, 'Dockerfile')], { format: 'text' });
    expect(r.stderr).toContain('no Python project beside');
    const d2 = dir({
      Dockerfile: 'FROM python:3.11-slim\n',
      'pyproject.toml': '[project]\nname="a"\nversion="1"\nrequires-python=">=3.12"\n',
    });
    const r2 = await run([path.join(d2, 'Dockerfile')], { project: false });
    expect(r2.json.findings.map((x: { ruleId: string }) => x.ruleId)).not.toContain('PC401');
    expect(r2.json.notes.join()).toContain('--no-project');
  });
  it('loads the example projects without failing', async () => {
    for (const ex of ['fastapi-uv', 'django-psycopg2-pipenv', 'flask-psycopg2-pip']) {
      const p = path.join(process.cwd(), 'examples', ex, 'Dockerfile');
      const { project, notes } = await loadProject(p);
      expect(project, notes.join()).not.toBeNull();
      expect(project!.plan, notes.join()).not.toBeNull();
    }
  });
});

describe('--list-rules', () => {
  it('lists every rule once', () => {
    const out = listRules();
    expect(out.split('\n').filter((l) => /^PC\d{3}/.test(l))).toHaveLength(42);
  });
});

import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InputError } from '../plan.js';
import { checkDockerignore } from './dockerignore.js';
import { ExistingFileError, initProject } from './init.js';

const EXAMPLES = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../examples');
let dir = '';

async function copyExample(name: string): Promise<string> {
  const d = await fsp.mkdtemp(path.join(tmpdir(), `pycontain-init-${name}-`));
  await fsp.cp(path.join(EXAMPLES, name), d, { recursive: true });
  return d;
}
const read = (f: string) => fsp.readFile(path.join(dir, f), 'utf8');
const exists = (f: string) =>
  fsp.access(path.join(dir, f)).then(
    () => true,
    () => false,
  );
const listing = async () => (await fsp.readdir(dir)).sort();

beforeEach(async () => {
  dir = await copyExample('fastapi-poetry');
});
afterEach(async () => {
  await fsp.chmod(dir, 0o755).catch(() => {});
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('initProject', () => {
  it('writes Dockerfile and .dockerignore that need nothing the ignore file excludes', async () => {
    const r = await initProject(dir);
    expect(r.written).toEqual(['Dockerfile', '.dockerignore']);
    const df = await read('Dockerfile');
    expect(df).toMatch(/^# syntax=docker\/dockerfile:1\n/);
    expect(df).toContain('poetry install --only main --no-root');
    // the lock was written by Poetry 1.3 (lock-version 2.0, no version in the header)
    expect(df).toContain('ARG POETRY_VERSION=1.3.2');
    const ignore = await read('.dockerignore');
    expect(ignore).toContain('**/.venv');
    const { detectProject } = await import('../project/detect.js');
    expect(checkDockerignore(await detectProject(dir), ignore, df)).toEqual([]);
    expect(r.output).toMatch(/wrote Dockerfile/);
    expect((await listing()).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('re-includes the README when the project .gitignore excludes *.md', async () => {
    await fsp.appendFile(path.join(dir, '.gitignore'), '\n*.md\n');
    await initProject(dir);
    const ignore = await read('.dockerignore');
    expect(ignore).toContain('**/*.md');
    expect(ignore).toMatch(/\n!README\.md\n/);
  });

  it('never overwrites without force: exit code 1, a message naming the file, nothing changed', async () => {
    await fsp.writeFile(path.join(dir, 'Dockerfile'), 'FROM scratch\n');
    const err = await initProject(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExistingFileError);
    expect((err as ExistingFileError).exitCode).toBe(1);
    expect((err as Error).message).toMatch(/Dockerfile already exists/);
    expect((err as Error).message).toMatch(/--force/);
    expect(await read('Dockerfile')).toBe('FROM scratch\n');
    expect(await exists('.dockerignore')).toBe(false);
  });

  it('overwrites with force, and skips files already up to date', async () => {
    await fsp.writeFile(path.join(dir, 'Dockerfile'), 'FROM scratch\n');
    const r = await initProject(dir, { force: true });
    expect(r.written).toEqual(['Dockerfile', '.dockerignore']);
    expect(await read('Dockerfile')).toContain('AS runtime');
    const again = await initProject(dir);
    expect(again.written).toEqual([]);
    expect(again.skipped).toEqual(['Dockerfile', '.dockerignore']);
  });

  it('--dry-run prints both files and writes nothing', async () => {
    const before = await listing();
    const r = await initProject(dir, { dryRun: true });
    expect(r.written).toEqual([]);
    expect(r.output).toContain('# ----- Dockerfile -----');
    expect(r.output).toContain('# ----- .dockerignore -----');
    expect(r.output).toContain('FROM python:3.11-slim');
    expect(await listing()).toEqual(before);
  });

  it('--diff shows a unified diff against the existing files and writes nothing', async () => {
    await initProject(dir, { overrides: { port: 8000 } });
    const df = await read('Dockerfile');
    const r = await initProject(dir, { diff: true, overrides: { port: 9000 } });
    expect(r.written).toEqual([]);
    expect(r.output).toContain('--- a/Dockerfile\n+++ b/Dockerfile\n@@');
    expect(r.output).toContain('-EXPOSE 8000\n+EXPOSE 9000');
    expect(r.output).toContain('.dockerignore: unchanged');
    expect(await read('Dockerfile')).toBe(df);
  });

  it('bad input writes nothing and names the file', async () => {
    await fsp.writeFile(path.join(dir, 'pyproject.toml'), '[tool.poetry\nname = "x"\n');
    const err = await initProject(dir).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).file).toBe('pyproject.toml');
    expect(await exists('Dockerfile')).toBe(false);
    expect(await exists('.dockerignore')).toBe(false);
  });

  it('both files or neither: when the second write fails the first is rolled back', async () => {
    // A non-empty directory named .dockerignore: renaming the new file over it fails.
    await fsp.mkdir(path.join(dir, '.dockerignore'));
    await fsp.writeFile(path.join(dir, '.dockerignore', 'x'), 'x');
    await expect(initProject(dir, { force: true })).rejects.toThrow();
    expect(await exists('Dockerfile')).toBe(false);
    expect((await listing()).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a pre-existing Dockerfile is restored when the second write fails', async () => {
    await fsp.writeFile(path.join(dir, 'Dockerfile'), 'FROM scratch\n');
    await fsp.mkdir(path.join(dir, '.dockerignore'));
    await fsp.writeFile(path.join(dir, '.dockerignore', 'x'), 'x');
    await expect(initProject(dir, { force: true })).rejects.toThrow();
    expect(await read('Dockerfile')).toBe('FROM scratch\n');
  });

  it('applies CLI overrides (base image, index, distroless refusal is an InputError)', async () => {
    const r = await initProject(dir, {
      dryRun: true,
      overrides: {
        baseImage: 'registry.example/python:3.11-slim',
        indexUrl: 'https://mirror.example/simple',
      },
    });
    expect(r.output).toContain('FROM registry.example/python:3.11-slim AS builder');
    expect(r.output).toContain('ARG PIP_INDEX_URL=https://mirror.example/simple');
    await expect(
      initProject(dir, { dryRun: true, overrides: { distroless: true, pythonVersion: '3.12' } }),
    ).rejects.toBeInstanceOf(InputError);
  });

  it.each(['fastapi-uv', 'uv-workspace'])(
    '%s renders for uv (static: uv cannot run in the testenv, so its Dockerfile is checked, not built)',
    async (name) => {
      dir = await copyExample(name);
      const r = await initProject(dir, { dryRun: true });
      expect(r.output).toContain('COPY --from=uv /uv /opt/tools/bin/uv');
      expect(r.output).toMatch(
        /uv sync (--directory \S+ )?(--locked --no-dev --no-install-project|--frozen --no-dev --no-install-workspace)/,
      );
      const { detectProject } = await import('../project/detect.js');
      const plan = await detectProject(dir);
      // The project itself (or the workspace members) only when there is something to install.
      expect(/uv sync (--directory \S+ )?--locked --no-dev --no-editable/.test(r.output)).toBe(
        plan.installProject || Boolean(plan.workspace?.members.length),
      );
      // --frozen only for a workspace's first sync, which a --locked sync always follows
      if (/uv sync[^\n]*--frozen/.test(r.output))
        expect(r.output).toMatch(/uv sync (--directory \S+ )?--locked --no-dev --no-editable/);
    },
  );
});

import { spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');

describe('pycontain init (CLI)', () => {
  const cli = (args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', path.join(repo, 'src/cli/main.ts'), 'init', ...args], {
      encoding: 'utf8',
      cwd: repo,
      env: { ...process.env, NO_COLOR: '1' },
    });

  it('exit 0 and files written; exit 1 with a clear message when they exist; exit 2 on bad flags', async () => {
    const dir = await fsp.mkdtemp(path.join(tmpdir(), 'pycontain-cli-init-'));
    try {
      await fsp.cp(path.join(repo, 'examples/flask-psycopg2-pip'), dir, { recursive: true });
      const first = cli([dir, '--port', '8000']);
      expect(first.status, first.stderr).toBe(0);
      expect(first.stdout).toContain('wrote Dockerfile');
      const second = cli([dir, '--port', '8001']);
      expect(second.status).toBe(1);
      expect(second.stderr).toMatch(/Dockerfile already exists.*--force/s);
      const bad = cli([dir, '--port', 'http']);
      expect(bad.status).toBe(2);
      expect(bad.stderr).toMatch(/--port/);
      const dry = cli([dir, '--dry-run', '--apt', 'ffmpeg']);
      expect(dry.status).toBe(0);
      expect(dry.stdout).toMatch(/apt-get install -y --no-install-recommends ffmpeg libpq5|libpq5 ffmpeg/);
      expect(dry.stdout).toContain('# syntax=docker/dockerfile:1');
      const offline = cli([dir, '--dry-run', '--no-syntax']);
      expect(offline.status).toBe(0);
      expect(offline.stdout).not.toContain('# syntax=');
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });
});

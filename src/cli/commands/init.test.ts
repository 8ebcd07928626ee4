import { spawnSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../plan.js';
import { overridesFromFlags, splitCommand } from './init.js';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../..');

describe('splitCommand', () => {
  it('splits like a shell, honouring quotes and backslashes', () => {
    expect(splitCommand('gunicorn "app:create_app()" --bind 0.0.0.0:8000')).toEqual([
      'gunicorn',
      'app:create_app()',
      '--bind',
      '0.0.0.0:8000',
    ]);
    expect(splitCommand(`python -c 'print("hi there")'`)).toEqual(['python', '-c', 'print("hi there")']);
    expect(splitCommand('a\\ b "c\\"d" \'\'')).toEqual(['a b', 'c"d', '']);
  });
  it('accepts a JSON array', () => {
    expect(splitCommand('["uvicorn", "app:app"]')).toEqual(['uvicorn', 'app:app']);
  });
  it('rejects unterminated quotes and empty commands', () => {
    expect(() => splitCommand('python "x')).toThrow(InputError);
    expect(() => splitCommand('   ')).toThrow(InputError);
    expect(() => splitCommand('[1, 2]')).toThrow(InputError);
  });
  it('round-trips single-quoted words (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 5 }),
        (argv) => {
          const line = argv.map((a) => `'${a.replace(/'/g, `'"'"'`)}'`).join(' ');
          expect(splitCommand(line)).toEqual(argv);
        },
      ),
    );
  });
});

describe('overridesFromFlags', () => {
  it('maps every flag', () => {
    expect(
      overridesFromFlags({
        python: '3.11',
        baseImage: 'b',
        builderImage: 'bb',
        distrolessImage: 'd',
        indexUrl: 'https://i.example/simple',
        extraIndexUrl: ['https://e.example/simple'],
        port: '8080',
        command: 'gunicorn app:app',
        apt: ['libpq5', 'ffmpeg'],
        uid: '2000',
        appDir: 'backend',
      }),
    ).toEqual({
      pythonVersion: '3.11',
      baseImage: 'b',
      builderImage: 'bb',
      distrolessImage: 'd',
      distroless: true,
      indexUrl: 'https://i.example/simple',
      extraIndexUrls: ['https://e.example/simple'],
      port: 8080,
      command: ['gunicorn', 'app:app'],
      aptPackages: ['libpq5', 'ffmpeg'],
      uid: 2000,
      appDir: 'backend',
    });
  });
  it('refuses bad values, and credentials in an index URL', () => {
    expect(() => overridesFromFlags({ port: '0' })).toThrow(InputError);
    expect(() => overridesFromFlags({ uid: '0' })).toThrow(/root/);
    expect(() => overridesFromFlags({ python: 'three' })).toThrow(InputError);
    expect(() => overridesFromFlags({ apt: ['Bad Name'] })).toThrow(InputError);
    expect(() => overridesFromFlags({ indexUrl: 'https://user:tok@pkgs.example/simple' })).toThrow(
      /--secret/,
    );
  });
});

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

import { spawnSync } from 'node:child_process';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../plan.js';
import { registerBuild } from './commands/build.js';
import { registerDetect } from './commands/detect.js';
import { registerInit } from './commands/init.js';
import { overridesFromFlags, parseCommandFlag } from './plan-flags.js';
import { createProgram } from './program.js';

const repo = path.resolve(import.meta.dirname, '../..');

describe('parseCommandFlag', () => {
  it('splits like a shell, honouring quotes and backslashes', () => {
    expect(parseCommandFlag('gunicorn "app:create_app()" --bind 0.0.0.0:8000')).toEqual([
      'gunicorn',
      'app:create_app()',
      '--bind',
      '0.0.0.0:8000',
    ]);
    expect(parseCommandFlag(`python -c 'print("hi there")'`)).toEqual(['python', '-c', 'print("hi there")']);
    expect(parseCommandFlag('a\\ b "c\\"d" \'\'')).toEqual(['a b', 'c"d', '']);
  });
  it('accepts a JSON array', () => {
    expect(parseCommandFlag('["uvicorn", "app:app"]')).toEqual(['uvicorn', 'app:app']);
  });
  it('rejects unterminated quotes and empty commands', () => {
    expect(() => parseCommandFlag('python "x')).toThrow(InputError);
    expect(() => parseCommandFlag('   ')).toThrow(InputError);
    expect(() => parseCommandFlag('[1, 2]')).toThrow(InputError);
  });
  it('round-trips single-quoted words (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 5 }),
        (argv) => {
          const line = argv.map((a) => `'${a.replace(/'/g, `'"'"'`)}'`).join(' ');
          expect(parseCommandFlag(line)).toEqual(argv);
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

describe('one set of plan flags', () => {
  it('detect, init and build take the same plan flags', () => {
    const program = createProgram();
    registerDetect(program);
    registerInit(program);
    registerBuild(program);
    const flags = (name: string) =>
      new Set(program.commands.find((c) => c.name() === name)!.options.map((o) => o.long!));
    const init = flags('init');
    for (const f of [
      '--python',
      '--distroless',
      '--distroless-image',
      '--index-url',
      '--command',
      '--apt',
      '--uid',
    ])
      expect(init).toContain(f);
    const shared = [...init].filter((f) => !['--force', '--dry-run', '--diff', '--no-syntax'].includes(f));
    for (const name of ['detect', 'build'])
      for (const f of shared) expect(flags(name), `${name} ${f}`).toContain(f);
  });

  it('--distroless-image implies distroless', () => {
    expect(overridesFromFlags({ distrolessImage: 'mirror/distroless-python:nonroot' })).toMatchObject({
      distroless: true,
    });
  });

  it('detect --distroless --json prints the plan init --distroless renders (the nonroot user included)', () => {
    const run = (cmd: string, ...args: string[]) =>
      spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          path.join(repo, 'src/cli/main.ts'),
          cmd,
          path.join(repo, 'examples/fastapi-uv'),
          ...args,
        ],
        { encoding: 'utf8', cwd: repo, env: { ...process.env, NO_COLOR: '1' } },
      );
    const detect = run('detect', '--distroless', '--python', '3.11', '--json');
    expect(detect.status, detect.stderr).toBe(0);
    const plan = JSON.parse(detect.stdout);
    expect(plan.image.distroless).toBe(true);
    const init = run('init', '--distroless', '--python', '3.11', '--dry-run');
    expect(init.status, init.stderr).toBe(0);
    expect(init.stdout).toContain(`USER ${plan.user.uid}:${plan.user.gid}`);
    expect(init.stdout).toContain(`FROM ${plan.image.runtime}`);
  });
});

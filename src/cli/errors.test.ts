import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { EngineError } from '../engine/errors.js';
import { CheckFailedError, EXIT } from '../errors.js';
import { InputError } from '../plan.js';
import { VERSION } from '../version.js';
import { locationFrom, runCommand } from './errors.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'pycontain-errors-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('locationFrom', () => {
  it('turns a project-relative file into a path from the current directory', () => {
    const dir = path.join(tmp, 'proj');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'pyproject.toml'), '[project\n');
    const err = new InputError('invalid TOML', 'pyproject.toml', 1, 9);
    // The temp dir is outside the cwd: absolute rather than ../../..
    expect(locationFrom(err, dir)).toBe(`${path.join(dir, 'pyproject.toml')}:1:9`);
  });

  it('leaves what it cannot place alone: no project dir, no file, a file not in the project, absolute paths', () => {
    const err = new InputError('x', 'nowhere.toml', 3);
    expect(locationFrom(err)).toBe('nowhere.toml:3');
    expect(locationFrom(err, tmp)).toBe('nowhere.toml:3');
    expect(locationFrom(new InputError('x'), tmp)).toBe('');
    expect(locationFrom(new InputError('x', '/abs/file', 2), tmp)).toBe('/abs/file:2');
  });
});

describe('runCommand: one exit code per kind of outcome', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
    process.exitCode = 0;
  });
  async function outcome(body: () => Promise<number | undefined>): Promise<{ code: number; err: string }> {
    let err = '';
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      err += String(chunk);
      return true;
    });
    await runCommand(body);
    const code = Number(process.exitCode ?? 0);
    process.exitCode = 0;
    return { code, err };
  }

  it('0 ok, 1 check failed, 2 bad input, 4 no engine', async () => {
    expect((await outcome(async () => EXIT.ok)).code).toBe(0);
    expect((await outcome(async () => EXIT.failed)).code).toBe(1);
    expect((await outcome(async () => Promise.reject(new CheckFailedError('gate exceeded')))).code).toBe(1);
    const bad = await outcome(async () => Promise.reject(new InputError('invalid TOML', '/abs/p.toml', 2)));
    expect(bad).toEqual({ code: 2, err: expect.stringContaining('/abs/p.toml:2: invalid TOML') });
    expect((await outcome(async () => Promise.reject(new EngineError('no engine')))).code).toBe(4);
  });

  it('an error carrying its code from another copy of the classes (a worker thread) keeps it', async () => {
    const revived = Object.assign(new Error('revived'), { exitCode: 2 });
    expect((await outcome(async () => Promise.reject(revived))).code).toBe(2);
  });

  it('3 for an unexpected exception, with a "please report" line; the stack only under PYCONTAIN_DEBUG', async () => {
    const quiet = await outcome(async () => Promise.reject(new TypeError('x is undefined')));
    expect(quiet.code).toBe(3);
    expect(quiet.err).toContain('x is undefined');
    expect(quiet.err).toContain(`this is a bug in pycontain ${VERSION}, please report it`);
    expect(quiet.err).not.toContain('errors.test.ts');
    vi.stubEnv('PYCONTAIN_DEBUG', '1');
    const debug = await outcome(async () => Promise.reject(new TypeError('x is undefined')));
    expect(debug.code).toBe(3);
    expect(debug.err).toContain('errors.test.ts');
  });
});

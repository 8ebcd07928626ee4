import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { InputError } from '../plan.js';
import { locationFrom } from './errors.js';

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

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../plan.js';
import { parsePipfile, parsePipfileLock, pipfileHashes, pipfileLockStaleness } from './pipfile.js';

const fx = (f: string) => readFileSync(path.join(import.meta.dirname, '..', '__fixtures__', f), 'utf8');

describe('Pipfile and Pipfile.lock', () => {
  const pipfile = parsePipfile(fx('pipenv-app/Pipfile'), 'Pipfile');
  const lock = parsePipfileLock(fx('pipenv-app/Pipfile.lock'), 'Pipfile.lock');
  it('reads the Pipfile', () => {
    expect(pipfile.sources[0]?.url).toBe('https://pypi.org/simple');
    expect(Object.keys(pipfile.packages)).toEqual(['django', 'psycopg2', 'gunicorn', 'pywin32']);
    expect(pipfile.requires.python_version).toBe('3.11');
    expect(pipfile.line('requires', 'python_version')).toBe(16);
  });
  it('reads default and develop with versions, markers and lines', () => {
    const django = lock.packages.find((p) => p.name === 'django');
    expect(django).toMatchObject({
      version: '4.2.7',
      groups: ['default'],
      marker: "python_version >= '3.8'",
    });
    expect(django?.line).toBe(
      fx('pipenv-app/Pipfile.lock')
        .split('\n')
        .findIndex((l) => l.includes('"django": {')) + 1,
    );
    expect(lock.packages.find((p) => p.name === 'pytest-django')?.groups).toEqual(['develop']);
    expect(lock.formatVersion).toBe('6');
  });
  it("matches pipenv's Pipfile hash", () => {
    expect(pipfileHashes(pipfile)).toContain(lock.contentHash);
    expect(pipfileLockStaleness(lock, pipfile).stale).toBe(false);
  });
  it('a changed Pipfile makes it stale, with the new package named', () => {
    const changed = parsePipfile(
      fx('pipenv-app/Pipfile').replace('psycopg2 = "*"', 'psycopg2 = "*"\nredis = "*"'),
      'Pipfile',
    );
    expect(pipfileLockStaleness(lock, changed)).toEqual({
      stale: true,
      method: 'content-hash',
      changes: ['redis is in Pipfile but not in Pipfile.lock'],
    });
  });
  it('without [[source]] pipenv hashes the default PyPI source', () => {
    const noSource = parsePipfile('[packages]\nrequests = "*"\n', 'Pipfile');
    const withSource = parsePipfile(
      '[[source]]\nname = "pypi"\nurl = "https://pypi.org/simple"\nverify_ssl = true\n\n[packages]\nrequests = "*"\n',
      'Pipfile',
    );
    expect(pipfileHashes(noSource)[0]).toBe(pipfileHashes(withSource)[0]);
  });
  it('refuses a newer pipfile-spec at its line', () => {
    const text = fx('pipenv-app/Pipfile.lock').replace('"pipfile-spec": 6', '"pipfile-spec": 7');
    try {
      parsePipfileLock(text, 'Pipfile.lock');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).message).toMatch(
        /^Pipfile\.lock version 7 is newer than pycontain understands \(6\)/,
      );
      expect((e as InputError).line).toBe(6);
    }
  });
  it('broken JSON is an InputError with a line', () => {
    try {
      parsePipfileLock('{\n  "_meta": {\n    "hash": \n}', 'Pipfile.lock');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).file).toBe('Pipfile.lock');
      expect((e as InputError).line).toBeGreaterThanOrEqual(3);
    }
  });
});

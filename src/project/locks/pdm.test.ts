import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../plan.js';
import { parsePyProject } from '../pyproject.js';
import { parsePdmLock, pdmLockStaleness } from './pdm.js';

const fx = (f: string) => readFileSync(path.join(import.meta.dirname, '..', '__fixtures__', f), 'utf8');
const ex = (f: string) =>
  readFileSync(path.join(import.meta.dirname, '..', '..', '..', 'examples', f), 'utf8');

describe('pdm.lock 4.1 ([metadata.files] keyed "name version")', () => {
  const lock = parsePdmLock(fx('pdm-4.0/pdm.lock'), 'pdm.lock');
  const project = parsePyProject(fx('pdm-4.0/pyproject.toml'), 'pyproject.toml');
  it('reads packages, dependencies and files', () => {
    expect(lock.formatVersion).toBe('4.1');
    const mysql = lock.packages.find((p) => p.name === 'mysqlclient');
    expect(mysql?.wheels).toEqual(['mysqlclient-2.1.1-cp311-cp311-win_amd64.whl']);
    expect(mysql?.sdist).toBe(true);
    const flask = lock.packages.find((p) => p.name === 'flask');
    expect(flask?.dependencies.map((d) => d.name)).toEqual([
      'jinja2',
      'werkzeug',
      'click',
      'importlib-metadata',
      'itsdangerous',
    ]);
    expect(flask?.dependencies.find((d) => d.name === 'importlib-metadata')?.marker).toBe(
      'python_version < "3.10"',
    );
  });
  it('matches PDM content_hash', () => {
    expect(pdmLockStaleness(lock, project)).toEqual({ stale: false, method: 'content-hash', changes: [] });
  });
  it('names a dependency added since locking', () => {
    const changed = parsePyProject(
      fx('pdm-4.0/pyproject.toml').replace('"mysqlclient>=2.1",', '"mysqlclient>=2.1",\n    "celery>=5",'),
      'pyproject.toml',
    );
    expect(pdmLockStaleness(lock, changed)).toEqual({
      stale: true,
      method: 'content-hash',
      changes: ['celery is declared in pyproject.toml but not in pdm.lock'],
    });
  });
  it('a source change alone is caught by the hash', () => {
    const changed = parsePyProject(
      fx('pdm-4.0/pyproject.toml').replace('verify_ssl = true', 'verify_ssl = false'),
      'pyproject.toml',
    );
    expect(pdmLockStaleness(lock, changed).changes[0]).toMatch(/^content_hash differs/);
  });
});

describe('pdm.lock 4.5 (files and groups per package)', () => {
  const lock = parsePdmLock(fx('pdm-4.5/pdm.lock'), 'pdm.lock');
  it('reads groups and file names', () => {
    expect(lock.formatVersion).toBe('4.5.0');
    expect(lock.packages.find((p) => p.name === 'pytest')?.groups).toEqual(['dev']);
    expect(lock.packages.find((p) => p.name === 'pillow')?.wheels).toEqual([
      'pillow-10.3.0-cp312-cp312-manylinux_2_28_x86_64.whl',
    ]);
    expect(lock.notes).toEqual([]);
  });
  it('is in sync', () => {
    expect(pdmLockStaleness(lock, parsePyProject(fx('pdm-4.5/pyproject.toml'), 'pyproject.toml')).stale).toBe(
      false,
    );
  });
  it('refuses lock_version 5', () => {
    const text = fx('pdm-4.5/pdm.lock').replace('lock_version = "4.5.0"', 'lock_version = "5.0.0"');
    try {
      parsePdmLock(text, 'pdm.lock');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).message).toMatch(
        /^pdm\.lock version 5\.0\.0 is newer than pycontain understands \(4\.5\)/,
      );
      expect((e as InputError).line).toBe(7);
    }
  });
});

describe('a real lock written by PDM 2.2.1 (examples/django-pdm)', () => {
  it('is in sync by content_hash', () => {
    const lock = parsePdmLock(ex('django-pdm/pdm.lock'), 'pdm.lock');
    expect(pdmLockStaleness(lock, parsePyProject(ex('django-pdm/pyproject.toml'), 'pyproject.toml'))).toEqual(
      {
        stale: false,
        method: 'content-hash',
        changes: [],
      },
    );
  });
});

describe('PDM 2.20+ hashes [tool.pdm.resolution] whole and dev groups under normalized names', () => {
  const pyproject = `[project]
name = "app"
requires-python = ">=3.11"
dependencies = ["flask>=2"]

[tool.pdm.resolution]
allow-prereleases = false

[tool.pdm.dev-dependencies]
Test = ["pytest"]
`;
  // sha256 of json.dumps({sources, dependencies, dev-dependencies: {"test": [...]}, optional-dependencies,
  // requires-python, resolution}, sort_keys=True), as PDM 2.20+ computes it.
  const lockText = `[metadata]
groups = ["default", "test"]
strategy = ["inherit_metadata"]
lock_version = "4.5.0"
content_hash = "sha256:7c1d680d2c5d2293c9d01ca9c7ee18ce77105e4ad299d1f212931da31f3953f5"
`;
  it('is in sync', () => {
    const lock = parsePdmLock(lockText, 'pdm.lock');
    expect(pdmLockStaleness(lock, parsePyProject(pyproject, 'pyproject.toml')).stale).toBe(false);
  });
  it('a changed resolution setting is caught', () => {
    const lock = parsePdmLock(lockText, 'pdm.lock');
    const changed = parsePyProject(pyproject.replace('= false', '= true'), 'pyproject.toml');
    expect(pdmLockStaleness(lock, changed).stale).toBe(true);
  });
});

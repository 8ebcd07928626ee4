import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../plan.js';
import { parsePyProject } from '../pyproject.js';
import { parseUvLock, uvLockStaleness } from './uv.js';

const fx = (f: string) => readFileSync(path.join(import.meta.dirname, '..', '__fixtures__', f), 'utf8');

describe('uv.lock', () => {
  const lock = parseUvLock(fx('uv-app/uv.lock'), 'uv.lock');
  const project = parsePyProject(fx('uv-app/pyproject.toml'), 'pyproject.toml');

  it('reads version, requires-python, packages, wheel names and sdists', () => {
    expect(lock.formatVersion).toBe('1');
    expect(lock.formatVersionLine).toBe(1);
    expect(lock.requiresPython).toBe('>=3.11');
    expect(lock.requiresPythonLine).toBe(3);
    const numpy = lock.packages.find((p) => p.name === 'numpy');
    expect(numpy?.version).toBe('2.0.0');
    expect(numpy?.wheels).toContain('numpy-2.0.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl');
    expect(numpy?.sdist).toBe(true);
    expect(numpy?.line).toBe(fx('uv-app/uv.lock').split('\n').indexOf('name = "numpy"'));
    const self = lock.packages.find((p) => p.name === 'orders-api');
    expect(self?.sourceKind).toBe('editable');
    expect(self?.dependencies.find((d) => d.name === 'uvicorn')?.extras).toEqual(['standard']);
    expect(self?.devDependencies?.dev?.[0]?.name).toBe('pytest');
    expect(lock.packages.find((p) => p.name === 'click')?.dependencies[0]).toEqual({
      name: 'colorama',
      marker: "sys_platform == 'win32'",
    });
  });

  it('is fresh when requires-dist matches pyproject.toml', () => {
    expect(uvLockStaleness(lock, project, 'orders-api')).toEqual({
      stale: false,
      method: 'requires-dist',
      changes: [],
    });
  });

  it('names what changed when pyproject.toml moved on', () => {
    const changed = parsePyProject(
      fx('uv-app/pyproject.toml')
        .replace('"numpy>=1.26",', '"numpy>=2.1",\n    "redis>=5",')
        .replace('requires-python = ">=3.11"', 'requires-python = ">=3.12"'),
      'pyproject.toml',
    );
    const s = uvLockStaleness(lock, changed, 'orders-api');
    expect(s.stale).toBe(true);
    expect(s.changes).toContain('dependency numpy>=2.1 is declared but not locked');
    expect(s.changes).toContain('dependency redis>=5 is declared but not locked');
    expect(s.changes).toContain('dependency numpy>=1.26 is locked but no longer declared');
    expect(s.changes.some((c) => c.startsWith('requires-python is ">=3.12"'))).toBe(true);
  });

  it('notices a dev group change', () => {
    const changed = parsePyProject(
      fx('uv-app/pyproject.toml').replace('dev = ["pytest>=8.0"]', 'dev = ["pytest>=8.0", "ruff"]'),
      'pyproject.toml',
    );
    expect(uvLockStaleness(lock, changed, 'orders-api').changes).toEqual([
      'dev dependency dev: ruff is declared but not locked',
    ]);
  });

  it('refuses a lock from the future, at the version line', () => {
    const text = fx('uv-app/uv.lock').replace(/^version = 1$/m, 'version = 9');
    try {
      parseUvLock(text, 'uv.lock');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      const err = e as InputError;
      expect(err.message).toMatch(/^uv\.lock version 9 is newer than pycontain understands \(1\)/);
      expect(err.file).toBe('uv.lock');
      expect(err.line).toBe(1);
    }
  });

  it('reports broken TOML with line and column', () => {
    try {
      parseUvLock('version = 1\n[[package]]\nname = "x\n', 'uv.lock');
      expect.unreachable();
    } catch (e) {
      const err = e as InputError;
      expect(err).toBeInstanceOf(InputError);
      expect(err.file).toBe('uv.lock');
      expect(err.line).toBe(3);
      expect(err.column).toBeGreaterThan(0);
    }
  });

  it('refuses a file without a version', () => {
    expect(() => parseUvLock('[[package]]\nname = "x"\n', 'uv.lock')).toThrow(
      /no numeric top-level `version`/,
    );
  });
});

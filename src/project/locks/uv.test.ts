import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../plan.js';
import { linuxEnvironment } from '../pep508.js';
import { parsePyProject } from '../pyproject.js';
import { forkApplies, lockedPackageIndex } from './select.js';
import type { LockedPackage } from './types.js';
import { expandExtra, expandGroup, parseUvLock, sameRequiresPython, uvLockStaleness } from './uv.js';

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

describe("uv.lock staleness follows uv's own normalisation (no false stale-lock)", () => {
  // A minimal lock as uv writes it for the project below.
  const lockText = `version = 1
revision = 3
requires-python = "==3.12.*"

[[package]]
name = "app"
version = "0.1.0"
source = { editable = "." }
dependencies = [
    { name = "flask" },
    { name = "mylib" },
    { name = "shared" },
]

[package.optional-dependencies]
postgres = [
    { name = "psycopg", extra = ["binary"] },
]

[package.metadata]
requires-dist = [
    { name = "flask", specifier = ">=1.0" },
    { name = "mylib", git = "https://github.com/example/mylib?rev=v2#0123456789abcdef" },
    { name = "shared", editable = "libs/shared" },
    { name = "psycopg", extras = ["binary"], marker = "extra == 'postgres'", specifier = ">=3.1" },
    { name = "gunicorn", marker = "extra == 'prod'", specifier = "==22.0.0" },
    { name = "gunicorn", marker = "extra == 'full'", specifier = "==22.0.0" },
    { name = "psycopg-c", marker = "platform_machine == 'x86_64' and sys_platform == 'linux' and extra == 'full'", url = "https://example.com/psycopg_c-3.3.0-cp312-cp312-linux_x86_64.whl" },
    { name = "psycopg-c", marker = "(platform_machine != 'x86_64' and extra == 'full') or (sys_platform != 'linux' and extra == 'full')", specifier = "==3.3" },
]
provides-extras = ["full", "postgres", "prod"]

[package.metadata.requires-dev]
dev = [
    { name = "pytest", specifier = ">=8" },
    { name = "ruff" },
]
test = [{ name = "pytest", specifier = ">=8" }]
`;
  const pyproject = `[project]
name = "app"
version = "0.1.0"
requires-python = ">= 3.12, < 3.13"
dependencies = ["Flask >= v1.0", "mylib", "shared"]

[project.optional-dependencies]
Postgres = ["psycopg[Binary]>=3.1"]
prod = ["gunicorn==22.0.0"]
# uv records the project's own extras expanded, under this one.
full = ["app[prod]", "psycopg-c==3.3"]

[dependency-groups]
test = ["pytest>=8"]
dev = [{ include-group = "test" }, "ruff"]

[tool.uv.sources]
mylib = { git = "https://github.com/example/mylib", rev = "v2" }
shared = { path = "libs/shared", editable = true }
psycopg-c = [{ url = "https://example.com/psycopg_c-3.3.0-cp312-cp312-linux_x86_64.whl", marker = "sys_platform == 'linux' and platform_machine == 'x86_64'" }]
`;
  const lock = parseUvLock(lockText, 'uv.lock');

  it('is in sync: ==3.12.* vs >=3.12,<3.13, include-group, git/path sources, a v prefix, extra spelling, self-referencing extras, sources with markers', () => {
    const s = uvLockStaleness(lock, parsePyProject(pyproject, 'pyproject.toml'), 'app');
    expect(s.changes).toEqual([]);
    expect(s.stale).toBe(false);
  });

  it('still notices real changes', () => {
    const changed = parsePyProject(
      pyproject.replace('"ruff"]', '"ruff", "mypy"]').replace('< 3.13', '< 3.14'),
      'pyproject.toml',
    );
    const s = uvLockStaleness(lock, changed, 'app');
    expect(s.changes).toContain('dev dependency dev: mypy is declared but not locked');
    expect(s.changes.some((c) => c.startsWith('requires-python is ">= 3.12, < 3.14"'))).toBe(true);
  });

  it('notices a self-referencing extra that changed', () => {
    const changed = parsePyProject(pyproject.replace('full = ["app[prod]", ', 'full = ['), 'pyproject.toml');
    expect(uvLockStaleness(lock, changed, 'app').changes).toEqual([
      'dependency gunicorn==22.0.0 (extra full) is locked but no longer declared',
    ]);
  });

  it('a self-referencing extra recorded as written (newer uv) is in sync too', () => {
    const asWritten = parseUvLock(
      lockText.replace(
        `{ name = "gunicorn", marker = "extra == 'full'", specifier = "==22.0.0" },`,
        `{ name = "app", extras = ["prod"], marker = "extra == 'full'" },`,
      ),
      'uv.lock',
    );
    expect(uvLockStaleness(asWritten, parsePyProject(pyproject, 'pyproject.toml'), 'app').changes).toEqual(
      [],
    );
  });

  it('expandExtra replaces references to the project by the extras they name (cycles stop)', () => {
    const extras = { prod: ['gunicorn', 'app[full]'], Full: ['App[prod]', 'psycopg'], other: ['lib[prod]'] };
    expect(expandExtra(extras, 'full', 'app')).toEqual(['gunicorn', 'psycopg']);
    expect(expandExtra(extras, 'other', 'app')).toEqual(['lib[prod]']);
  });

  it('sameRequiresPython compares what the specifiers admit', () => {
    expect(sameRequiresPython('>=3.12,<3.13', '==3.12.*')).toBe(true);
    expect(sameRequiresPython('~=3.11', '>=3.11,<4')).toBe(true);
    expect(sameRequiresPython('>=3.11', '>=3.12')).toBe(false);
    expect(sameRequiresPython('>=3.11.2', '>=3.11')).toBe(false);
  });

  it('expandGroup follows include-group (normalized names, cycles stop)', () => {
    const groups = {
      Test: ['pytest'],
      dev: [{ 'include-group': 'test' }, 'ruff', { 'include-group': 'dev' }],
    };
    expect(expandGroup(groups, 'dev')).toEqual(['pytest', 'ruff']);
  });
});

describe('uv forks (resolution-markers)', () => {
  const text = `version = 1
requires-python = ">=3.10"
resolution-markers = [
    "python_full_version >= '3.12'",
    "python_full_version < '3.12'",
]

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "numpy", version = "1.26.4", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version < '3.12'" },
    { name = "numpy", version = "2.1.0", source = { registry = "https://pypi.org/simple" }, marker = "python_full_version >= '3.12'" },
]

[[package]]
name = "numpy"
version = "1.26.4"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version < '3.12'"]

[[package]]
name = "numpy"
version = "2.1.0"
source = { registry = "https://pypi.org/simple" }
resolution-markers = ["python_full_version >= '3.12'"]
`;
  const lock = parseUvLock(text, 'uv.lock');

  it('keeps each version with its markers and the dependency with the version it means', () => {
    expect(lock.packages.filter((p) => p.name === 'numpy').map((p) => p.resolutionMarkers)).toEqual([
      ["python_full_version < '3.12'"],
      ["python_full_version >= '3.12'"],
    ]);
    expect(lock.packages[0]?.dependencies.map((d) => d.version)).toEqual(['1.26.4', '2.1.0']);
  });

  it('lockedPackageIndex picks the fork of the environment, or the named version', () => {
    const at = (py: string) => lockedPackageIndex(lock, linuxEnvironment(py));
    expect(at('3.11')({ name: 'numpy' })?.version).toBe('1.26.4');
    expect(at('3.13')({ name: 'numpy' })?.version).toBe('2.1.0');
    expect(at('3.13')({ name: 'numpy', version: '1.26.4' })?.version).toBe('1.26.4');
    expect(at('3.13')({ name: 'app' })?.version).toBe('0.1.0');
    expect(forkApplies(lock.packages[1] as LockedPackage, linuxEnvironment('3.13'))).toBe(false);
  });
});

import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../plan.js';
import { parsePyProject } from '../pyproject.js';
import { parsePoetryLock, poetryContentHashes, poetryDeclared, poetryLockStaleness } from './poetry.js';

const fx = (f: string) => readFileSync(path.join(import.meta.dirname, '..', '__fixtures__', f), 'utf8');
const ex = (f: string) =>
  readFileSync(path.join(import.meta.dirname, '..', '..', '..', 'examples', f), 'utf8');

describe('poetry.lock 1.1 (Poetry <= 1.1: categories, [metadata.files])', () => {
  const lock = parsePoetryLock(fx('poetry-1.1/poetry.lock'), 'poetry.lock');
  const project = parsePyProject(fx('poetry-1.1/pyproject.toml'), 'pyproject.toml');
  it('reads packages with categories and wheel names from [metadata.files]', () => {
    expect(lock.formatVersion).toBe('1.1');
    expect(lock.requiresPython).toBe('^3.9');
    const psycopg2 = lock.packages.find((p) => p.name === 'psycopg2');
    expect(psycopg2?.groups).toEqual(['main']);
    expect(psycopg2?.wheels).toEqual(['psycopg2-2.9.5-cp311-cp311-win_amd64.whl']);
    expect(psycopg2?.sdist).toBe(true);
    expect(lock.packages.find((p) => p.name === 'pytest')?.groups).toEqual(['dev']);
    expect(lock.packages.find((p) => p.name === 'lxml')?.optional).toBe(true);
    expect(lock.packages.find((p) => p.name === 'flask')?.dependencies.map((d) => d.name)).toEqual([
      'click',
      'itsdangerous',
      'jinja2',
      'werkzeug',
    ]);
    expect(lock.packages.find((p) => p.name === 'click')?.dependencies[0]?.marker).toBe(
      'platform_system == "Windows"',
    );
  });
  it('matches Poetry 1.x content-hash', () => {
    expect(poetryLockStaleness(lock, project)).toEqual({ stale: false, method: 'content-hash', changes: [] });
  });
  it('declared roots skip python and optional main deps', () => {
    const d = poetryDeclared(project);
    expect(d.main.map((x) => x.name)).toEqual(['flask', 'psycopg2']);
    expect(d.dev.map((x) => x.name)).toEqual(['pytest']);
  });
  it('a new dependency makes it stale and is named', () => {
    const changed = parsePyProject(
      fx('poetry-1.1/pyproject.toml').replace('psycopg2 = "^2.9"', 'psycopg2 = "^2.9"\nredis = "^5.0"'),
      'pyproject.toml',
    );
    const s = poetryLockStaleness(lock, changed);
    expect(s.stale).toBe(true);
    expect(s.changes).toEqual(['redis is declared in pyproject.toml but not in poetry.lock']);
  });
  it('a changed constraint is caught by the hash alone', () => {
    const changed = parsePyProject(
      fx('poetry-1.1/pyproject.toml').replace('flask = "^2.0"', 'flask = "^2.2"'),
      'pyproject.toml',
    );
    const s = poetryLockStaleness(lock, changed);
    expect(s.stale).toBe(true);
    expect(s.method).toBe('content-hash');
    expect(s.changes[0]).toMatch(/^content-hash differs/);
  });
  it('metadata outside the hashed sections does not make it stale', () => {
    const changed = parsePyProject(
      fx('poetry-1.1/pyproject.toml').replace('version = "1.2.0"', 'version = "1.3.0"'),
      'pyproject.toml',
    );
    expect(poetryLockStaleness(lock, changed).stale).toBe(false);
  });
});

describe('poetry.lock 2.0 (Poetry 1.5-1.8: files per package, no categories)', () => {
  const lock = parsePoetryLock(fx('poetry-2.0/poetry.lock'), 'poetry.lock');
  const project = parsePyProject(fx('poetry-2.0/pyproject.toml'), 'pyproject.toml');
  it('reads files per package and multi-constraint dependencies', () => {
    expect(lock.formatVersion).toBe('2.0');
    expect(lock.packages.find((p) => p.name === 'pandas')?.wheels).toHaveLength(2);
    expect(
      lock.packages.find((p) => p.name === 'pandas')?.dependencies.filter((d) => d.name === 'numpy'),
    ).toHaveLength(3);
    expect(lock.packages.find((p) => p.name === 'pandas')?.groups).toBeUndefined();
  });
  it('matches the content-hash with a group table', () => {
    expect(poetryLockStaleness(lock, project).stale).toBe(false);
  });
});

describe('poetry.lock 2.1 (Poetry 2: PEP 621 project, groups, markers)', () => {
  const lock = parsePoetryLock(fx('poetry-2.1/poetry.lock'), 'poetry.lock');
  const project = parsePyProject(fx('poetry-2.1/pyproject.toml'), 'pyproject.toml');
  it('reads groups and package markers', () => {
    expect(lock.formatVersion).toBe('2.1');
    expect(lock.packages.find((p) => p.name === 'ruff')?.groups).toEqual(['dev']);
    expect(lock.packages.find((p) => p.name === 'colorama')?.marker).toBe('platform_system == "Windows"');
  });
  it('matches the Poetry 2 content-hash over [project] and [tool.poetry]', () => {
    expect(poetryContentHashes(project)[0]?.algorithm).toBe('poetry-2');
    expect(poetryLockStaleness(lock, project)).toEqual({ stale: false, method: 'content-hash', changes: [] });
  });
  it('PEP 621 dependencies are declared roots', () => {
    expect(poetryDeclared(project).main.map((d) => d.name)).toEqual(['starlette', 'uvicorn']);
  });
  it('a changed requires-python makes it stale', () => {
    const changed = parsePyProject(
      fx('poetry-2.1/pyproject.toml').replace('>=3.11,<3.13', '>=3.12,<3.13'),
      'pyproject.toml',
    );
    expect(poetryLockStaleness(lock, changed).stale).toBe(true);
  });
});

describe('a real lock written by Poetry 1.3.2 (examples/fastapi-poetry)', () => {
  it('is in sync by content-hash', () => {
    const lock = parsePoetryLock(ex('fastapi-poetry/poetry.lock'), 'poetry.lock');
    const project = parsePyProject(ex('fastapi-poetry/pyproject.toml'), 'pyproject.toml');
    expect(poetryLockStaleness(lock, project)).toEqual({ stale: false, method: 'content-hash', changes: [] });
  });
});

describe('poetry.lock format versions', () => {
  it('refuses a newer major at the lock-version line', () => {
    const text = fx('poetry-2.1/poetry.lock').replace('lock-version = "2.1"', 'lock-version = "3.0"');
    try {
      parsePoetryLock(text, 'poetry.lock');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(InputError);
      expect((e as InputError).message).toMatch(
        /^poetry\.lock version 3\.0 is newer than pycontain understands \(2\.1\)/,
      );
      expect((e as InputError).line).toBe(text.split('\n').indexOf('lock-version = "3.0"') + 1);
    }
  });
  it('reads a newer minor with a note, as Poetry does', () => {
    const lock = parsePoetryLock(
      fx('poetry-2.1/poetry.lock').replace('lock-version = "2.1"', 'lock-version = "2.2"'),
      'poetry.lock',
    );
    expect(lock.notes[0]).toMatch(/newer than the 2\.1 pycontain knows/);
  });
  it('needs [metadata]', () => {
    expect(() => parsePoetryLock('[[package]]\nname = "x"\nversion = "1"\n', 'poetry.lock')).toThrow(
      /no \[metadata\] table/,
    );
  });
});

import { describe, expect, it } from 'vitest';
import { parsePyProject } from '../../pyproject.js';
import type { AppStage } from '../app.js';
import { LOCK_STAGES, lockStageFor } from './registry.js';

const app = (pyproject: string): AppStage => ({
  root: '/nowhere',
  dir: '/nowhere',
  appDir: '.',
  lockDir: '.',
  appPy: parsePyProject(pyproject, 'pyproject.toml'),
  ws: null,
  merged: {},
  overrideSources: {},
});

describe('lock stages', () => {
  it('has one stage per lock format and none for managers without a lock of their own', () => {
    expect(Object.keys(LOCK_STAGES).sort()).toEqual(['pdm', 'pipenv', 'poetry', 'uv']);
    expect(lockStageFor('pip')).toBeUndefined();
    expect(lockStageFor('constructor')).toBeUndefined();
  });

  it('walks a uv.lock from the project package, a requested group joining the main roots', () => {
    const lock = `version = 1
requires-python = ">=3.11"

[[package]]
name = "demo"
version = "0.1.0"
source = { virtual = "." }
dependencies = [{ name = "flask" }]

[package.dev-dependencies]
dev = [{ name = "pytest" }]
docs = [{ name = "mkdocs" }]
`;
    const stage = lockStageFor('uv');
    const parsed = stage?.parse(lock, 'uv.lock');
    if (!stage || !parsed) throw new Error('no uv stage');
    const roots = stage.roots(parsed, {
      app: app('[project]\nname = "demo"\nversion = "0.1.0"\ndependencies = ["flask"]\n'),
      pipfile: null,
      extras: ['docs'],
      projectName: 'demo',
    });
    expect(roots.mainRoots.map((d) => d.name)).toEqual(['flask', 'mkdocs']);
    expect(roots.devRoots.map((d) => d.name)).toEqual(['pytest']);
    expect(roots.wheelsKnown).toBe(true);
  });

  it('reads Pipfile.lock sections as roots and says its wheels are unknown (it records hashes only)', () => {
    const lock = JSON.stringify({
      _meta: { 'pipfile-spec': 6, hash: { sha256: 'x' }, requires: {}, sources: [] },
      default: { flask: { version: '==3.0.0' } },
      develop: { pytest: { version: '==8.0.0' } },
    });
    const stage = lockStageFor('pipenv');
    const parsed = stage?.parse(lock, 'Pipfile.lock');
    if (!stage || !parsed) throw new Error('no pipenv stage');
    const roots = stage.roots(parsed, { app: app(''), pipfile: null, extras: [], projectName: null });
    expect(roots).toMatchObject({ wheelsKnown: false, staleness: null });
    expect(roots.mainRoots.map((d) => d.name)).toEqual(['flask']);
    expect(roots.devRoots.map((d) => d.name)).toEqual(['pytest']);
  });
});

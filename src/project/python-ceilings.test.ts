import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectProject } from './detect.js';
import { compareMinor, satisfiesVersion } from './pep440.js';
import {
  lockHasWheelData,
  lowerCeiling,
  parsePythonCeilings,
  pinnedCeilingHits,
  pinnedPackageCeiling,
  pinnedPackageWarnings,
  pythonCeilingsTable,
} from './python-ceilings.js';
import { findRelease } from './python-releases.js';

describe('data/python-ceilings.json', () => {
  const table = pythonCeilingsTable();

  it('names known minors, with a reason each', () => {
    for (const e of table) {
      expect(findRelease(e.lastMinor), `${e.name} ${e.versions}`).toBeDefined();
      expect(e.why).toMatch(new RegExp(e.name.replace(/-/g, '[-_ ]?'), 'i'));
    }
  });

  it("a package's rows nest: a lower bound release, a lower last minor", () => {
    const byName = new Map<string, typeof table>();
    for (const e of table) byName.set(e.name, [...(byName.get(e.name) ?? []), e]);
    for (const [name, rows] of byName) {
      // Each row is "<X": the first release that supports the next minor is X itself.
      for (const r of rows) expect(r.versions, name).toMatch(/^<\d+(\.\d+)*$/);
      const sorted = [...rows].sort((a, b) => compareMinor(a.lastMinor, b.lastMinor));
      for (let i = 1; i < sorted.length; i++) {
        const lower = (sorted[i - 1]?.versions ?? '').slice(1);
        const upper = sorted[i]?.versions ?? '';
        expect(satisfiesVersion(lower, upper), `${name}: ${lower} is inside ${upper}`).toBe(true);
        expect(compareMinor(sorted[i - 1]?.lastMinor ?? '', sorted[i]?.lastMinor ?? '')).toBeLessThan(0);
      }
    }
  });

  it('rejects a bad row with a clear message', () => {
    const row = { name: 'Greenlet', versions: '<3', lastMinor: '3.11', why: 'x' };
    expect(() => parsePythonCeilings(JSON.stringify({ packages: [row] }))).toThrow(/PEP 503/);
    const spec = { name: 'greenlet', versions: 'three', lastMinor: '3.11', why: 'x' };
    expect(() => parsePythonCeilings(JSON.stringify({ packages: [spec] }))).toThrow(/PEP 440/);
  });
});

describe('pinned package ceilings', () => {
  const src = (line: number) => ({ file: 'requirements.txt', line });
  const plan = (deps: { name: string; version?: string; group?: string }[], py = '3.15') => ({
    pythonVersion: py,
    extras: [] as string[],
    dependencies: deps.map((d, i) => ({ ...d, source: src(i + 1) })),
  });

  it('the lowest entry that matches each exact pin; specifiers and dev groups do not count', () => {
    const hits = pinnedCeilingHits(
      plan([
        { name: 'numpy', version: '1.24.4' },
        { name: 'greenlet', version: 'v2.0.2' },
        { name: 'pandas', version: '2.3.3' },
        { name: 'uvloop', version: '0.16.0', group: 'dev' },
        { name: 'flask' },
      ]).dependencies,
    );
    expect(hits.map((h) => [h.dep.name, h.entry.lastMinor])).toEqual([
      ['numpy', '3.11'],
      ['greenlet', '3.11'],
    ]);
  });

  it('a specifier bounded from above counts when every version it admits is inside a row', () => {
    const minor = (specifier: string) =>
      pinnedCeilingHits([{ name: 'numpy', specifier, source: src(1) }])[0]?.entry.lastMinor ?? null;
    expect(minor('<=1.26.4')).toBe('3.12');
    expect(minor('>=1.20,<2')).toBe('3.12');
    expect(minor('<2.1.0')).toBe('3.12');
    expect(minor('~=1.26.0')).toBe('3.12');
    expect(minor('==1.24.*')).toBeNull();
    expect(minor('<=2.1.0')).toBe('3.13');
    expect(minor('>=1.26')).toBeNull();
    expect(minor('<3')).toBeNull();
  });

  it('a lock that records wheel names is trusted over the table', () => {
    const deps = [
      { name: 'numpy', version: '1.26.4', wheels: ['numpy-1.26.4-cp313-cp313-manylinux_2_17_x86_64.whl'] },
    ];
    expect(pinnedCeilingHits(deps)).toEqual([]);
  });

  it('numpy 1.26 and pandas 1.5 cap at 3.12 and 3.11: the lower wins, at its pin', () => {
    const c = pinnedPackageCeiling(
      plan([
        { name: 'numpy', version: '1.26.4' },
        { name: 'pandas', version: '1.5.3' },
      ]),
    );
    expect(c?.minor).toBe('3.11');
    expect(c?.source).toEqual(src(2));
    expect(c?.reason).toMatch(/^pandas==1\.5\.3 \(requirements\.txt:2\) supports \(pandas 2\.1\.1/);
  });

  it('nothing when the chosen minor is already low enough', () => {
    expect(pinnedPackageCeiling(plan([{ name: 'greenlet', version: '2.0.2' }], '3.11'))).toBeNull();
    expect(pinnedPackageWarnings(plan([{ name: 'greenlet', version: '2.0.2' }], '3.11'))).toEqual([]);
  });

  it('a pinned Python newer than a package supports: a warning at the package pin', () => {
    const w = pinnedPackageWarnings(plan([{ name: 'psycopg2-binary', version: '2.9.3' }], '3.12'));
    expect(w).toEqual([
      expect.objectContaining({
        code: 'python-too-new',
        source: src(1),
        message: expect.stringMatching(/psycopg2-binary==2\.9\.3 supports CPython 3\.10 at most/),
      }),
    ]);
  });

  it('lowerCeiling keeps the lower one', () => {
    const a = { minor: '3.12', reason: 'a' };
    const b = { minor: '3.11', reason: 'b' };
    expect(lowerCeiling(a, b)).toBe(b);
    expect(lowerCeiling(null, a)).toBe(a);
    expect(lowerCeiling(a, null)).toBe(a);
  });

  it('wheel evidence: uv/Poetry/PDM locks with wheel names, never Pipfile.lock', () => {
    const pkg = { name: 'a', version: '1', sdist: false, sourceKind: 'registry', dependencies: [] };
    const lock = (kind: 'uv' | 'pipenv', wheels: string[]) => ({
      kind,
      file: 'x',
      formatVersion: '1',
      notes: [],
      packages: [{ ...pkg, wheels, optionalDependencies: {} }],
    });
    expect(lockHasWheelData(lock('uv', ['a-1-py3-none-any.whl']))).toBe(true);
    expect(lockHasWheelData(lock('uv', []))).toBe(false);
    expect(lockHasWheelData(lock('pipenv', ['a-1-py3-none-any.whl']))).toBe(false);
    expect(lockHasWheelData(null)).toBe(false);
  });
});

describe('detect: the Python a pinned project builds on', () => {
  const H = '--hash=sha256:0000000000000000000000000000000000000000000000000000000000000000';
  const project = (files: Record<string, string>) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pc-ceil-'));
    for (const [f, text] of Object.entries(files)) writeFileSync(path.join(dir, f), text);
    return dir;
  };
  const app = 'from flask import Flask\napp = Flask(__name__)\n';

  it('hashed requirements pinning greenlet 2.0.2: 3.11, with the pin line in the decision', async () => {
    const dir = project({
      'requirements.txt': `flask==2.2.2 ${H}\ngunicorn==20.1.0 ${H}\ngreenlet==2.0.2 ${H}\n`,
      'app.py': app,
    });
    const plan = await detectProject(dir);
    expect(plan.pythonVersion).toBe('3.11');
    const d = plan.decisions.find((x) => x.topic === 'pythonVersion');
    expect(d?.source).toEqual({ file: 'requirements.txt', line: 3, column: 1 });
    expect(d?.reason).toMatch(
      /stepped down to 3\.11, the newest that greenlet==2\.0\.2 \(requirements\.txt:3\)/,
    );
  });

  it('PyYAML 6.0.2 predates CPython 3.14: the newest mature minor (3.14) steps down to 3.13', async () => {
    const dir = project({ 'requirements.txt': 'flask==3.0.0\npyyaml==6.0.2\n', 'app.py': app });
    const plan = await detectProject(dir);
    expect(plan.pythonVersion).toBe('3.13');
    expect(plan.decisions.find((x) => x.topic === 'pythonVersion')?.reason).toMatch(
      /stepped down to 3\.13, the newest that pyyaml==6\.0\.2 \(requirements\.txt:2\) supports \(PyYAML 6\.0\.3/,
    );
  });

  it('an upper-bound specifier (numpy<=1.26.4) caps the minor like a pin, at its line', async () => {
    const dir = project({ 'requirements.txt': 'flask>=3\nnumpy<=1.26.4\n', 'app.py': app });
    const plan = await detectProject(dir);
    expect(plan.pythonVersion).toBe('3.12');
    const d = plan.decisions.find((x) => x.topic === 'pythonVersion');
    expect(d?.reason).toMatch(/numpy<=1\.26\.4 \(requirements\.txt:2\) supports/);
  });

  it('requires-python caps it from above; the pin table only steps down inside it', async () => {
    const dir = project({
      'pyproject.toml': '[project]\nname = "x"\nversion = "1"\nrequires-python = ">=3.9,<3.11"\n',
      'requirements.txt': 'flask==2.2.2\nnumpy==1.24.4\n',
      'app.py': app,
    });
    expect((await detectProject(dir)).pythonVersion).toBe('3.10');
  });

  it('a .python-version pin is kept, with python-too-new at the package pin', async () => {
    const dir = project({
      '.python-version': '3.13\n',
      'requirements.txt': 'flask==2.2.2\npandas==1.5.3\n',
      'app.py': app,
    });
    const plan = await detectProject(dir);
    expect(plan.pythonVersion).toBe('3.13');
    expect(plan.warnings).toContainEqual(
      expect.objectContaining({ code: 'python-too-new', source: expect.objectContaining({ line: 2 }) }),
    );
  });

  it('--distroless picks a distroless minor (3.11 under a greenlet 2 pin, else 3.13)', async () => {
    const pinned = project({
      'requirements.txt': `flask==2.2.2 ${H}\ngreenlet==2.0.2 ${H}\n`,
      'app.py': app,
    });
    const p1 = await detectProject(pinned, { distroless: true });
    expect(p1.pythonVersion).toBe('3.11');
    expect(p1.image.runtime).toMatch(/distroless\/python3-debian12/);
    const free = project({ 'requirements.txt': 'flask==3.0.0\n', 'app.py': app });
    const p2 = await detectProject(free, { distroless: true });
    expect(p2.pythonVersion).toBe('3.13');
    expect(p2.decisions.find((x) => x.topic === 'pythonVersion')?.reason).toMatch(/--distroless/);
  });
});

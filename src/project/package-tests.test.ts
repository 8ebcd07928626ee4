import { describe, expect, it } from 'vitest';
import type { Dependency } from '../plan.js';
import { packageTestsFor, packageTestsTable, parsePackageTests } from './package-tests.js';

const NUMPY_WHEEL = ['numpy-1.24.2-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl'];

describe('package test suites table (data/package-tests.json)', () => {
  it('validates, and never names a public testing module', () => {
    const table = packageTestsTable();
    expect(table.length).toBeGreaterThanOrEqual(10);
    for (const e of table) {
      // numpy.testing, pandas.testing, tornado.testing, sympy.testing are API: only suites go.
      for (const d of e.dirs) expect(d).toMatch(/^tests?$/);
      expect(e.note.length).toBeGreaterThan(5);
    }
    // Django's django.test is public API (TestCase, Client): it must never be in the table.
    expect(table.map((e) => e.name)).not.toContain('django');
  });

  it('the entries checked against real wheels say so', () => {
    const verified = packageTestsTable()
      .filter((e) => e.verified)
      .map((e) => e.name);
    expect(verified).toEqual(expect.arrayContaining(['numpy', 'pandas', 'greenlet']));
  });

  it('rejects duplicates, bad names and directory names that are not test suites', () => {
    const one = { name: 'numpy', roots: ['numpy'], dirs: ['tests'], note: 'the suite' };
    expect(() => parsePackageTests(JSON.stringify({ packages: [one, one] }))).toThrow(
      /duplicate entry numpy/,
    );
    expect(() => parsePackageTests(JSON.stringify({ packages: [{ ...one, dirs: ['testing'] }] }))).toThrow();
    expect(() =>
      parsePackageTests(JSON.stringify({ packages: [{ ...one, roots: ['numpy; rm -rf /'] }] })),
    ).toThrow();
    expect(() => parsePackageTests(JSON.stringify({ packages: [{ ...one, name: 'NumPy' }] }))).toThrow();
  });
});

describe('packageTestsFor', () => {
  it('picks the locked distributions that ship a suite, with one decision', () => {
    const deps: Dependency[] = [
      { name: 'pandas', version: '1.5.3', wheels: ['pandas-1.5.3-cp311-cp311-linux_x86_64.whl'] },
      { name: 'numpy', version: '1.24.2', wheels: NUMPY_WHEEL },
      { name: 'flask', version: '2.2.2', wheels: ['flask-2.2.2-py3-none-any.whl'] },
    ];
    const r = packageTestsFor(deps);
    expect(r.packageTests.map((p) => p.distribution)).toEqual(['pandas', 'numpy']);
    expect(r.packageTests[0]).toMatchObject({ roots: ['pandas'], dirs: ['tests'] });
    expect(r.decisions).toHaveLength(1);
    expect(r.decisions[0]?.value).toBe('removed: pandas/**/tests numpy/**/tests');
    expect(r.decisions[0]?.reason).toMatch(/keep-package-tests/);
  });

  it('without a lock, adds what a dependency is known to pull in (pandas brings numpy)', () => {
    const r = packageTestsFor([{ name: 'Pandas', specifier: '>=1.5' }]);
    expect(r.packageTests.map((p) => p.distribution)).toEqual(['pandas', 'numpy']);
    expect(r.packageTests[1]?.reason).toMatch(/pulled in by pandas/);
  });

  it('a lock is the whole closure: nothing is implied', () => {
    const r = packageTestsFor([
      { name: 'pandas', version: '1.5.3', wheels: ['pandas-1.5.3-py3-none-any.whl'] },
    ]);
    expect(r.packageTests.map((p) => p.distribution)).toEqual(['pandas']);
  });

  it('dev groups are not installed, so their suites are not removed; requested groups are', () => {
    const deps: Dependency[] = [{ name: 'numpy', version: '1.24.2', group: 'dev', wheels: NUMPY_WHEEL }];
    expect(packageTestsFor(deps).packageTests).toEqual([]);
    expect(packageTestsFor(deps, { groups: ['dev'] }).packageTests).toHaveLength(1);
  });

  it('keep-package-tests keeps them and says so; no table match, no decision', () => {
    const r = packageTestsFor([{ name: 'numpy', version: '1.24.2', wheels: NUMPY_WHEEL }], { keep: true });
    expect(r.packageTests).toEqual([]);
    expect(r.decisions[0]).toMatchObject({ topic: 'package test suites', value: 'kept' });
    expect(packageTestsFor([{ name: 'flask' }])).toEqual({ packageTests: [], decisions: [] });
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ORACLE_TIMEOUT, type OracleResult, runOracle, seed } from './oracle-testing.js';
import {
  compareVersions,
  isValidSpecifier,
  minorsSatisfying,
  newestMinorSatisfying,
  normalizeVersion,
  parseVersion,
  satisfiesVersion,
} from './pep440.js';

const MINORS = ['3.6', '3.7', '3.8', '3.9', '3.10', '3.11', '3.12', '3.13', '3.14'];

describe('newestMinorSatisfying', () => {
  it('resolves requires-python ranges to the newest admitted minor', () => {
    expect(newestMinorSatisfying('>=3.9,<3.13', MINORS)).toBe('3.12');
    expect(newestMinorSatisfying('>=3.10,<4.0', MINORS)).toBe('3.14');
    expect(newestMinorSatisfying('>=3.11.4', MINORS)).toBe('3.14');
    expect(newestMinorSatisfying('==3.11.*', MINORS)).toBe('3.11');
    expect(newestMinorSatisfying('<3.12', MINORS)).toBe('3.11');
    expect(newestMinorSatisfying('!=3.14.*,>=3.12', MINORS)).toBe('3.13');
    expect(newestMinorSatisfying('~=3.10', MINORS)).toBe('3.14');
    expect(newestMinorSatisfying('~=3.10.0', MINORS)).toBe('3.10');
    expect(newestMinorSatisfying('>3.11', MINORS)).toBe('3.14');
    expect(newestMinorSatisfying('<=3.11', MINORS)).toBe('3.11');
    expect(newestMinorSatisfying('<3.11.0', MINORS)).toBe('3.10');
    expect(newestMinorSatisfying('', MINORS)).toBe('3.14');
  });

  it('uses known patch numbers: a minor is admitted only if a real patch release satisfies', () => {
    // 3.8's last release was 3.8.20.
    expect(newestMinorSatisfying('>=3.8.21,<3.9', MINORS, { '3.8': 20 })).toBeNull();
    expect(newestMinorSatisfying('>=3.8.20,<3.9', MINORS, { '3.8': 20 })).toBe('3.8');
  });

  it('returns null when nothing fits, and throws on a bad specifier', () => {
    expect(newestMinorSatisfying('>=4', MINORS)).toBeNull();
    expect(newestMinorSatisfying('<3.0', MINORS)).toBeNull();
    expect(() => newestMinorSatisfying('^3.10', MINORS)).toThrow(/invalid version specifier/);
  });

  it('lists all admitted minors in order', () => {
    expect(minorsSatisfying('>=3.9,<3.12,!=3.10.*', ['3.11', '3.9', '3.10', '3.8'])).toEqual(['3.9', '3.11']);
  });
});

describe('satisfiesVersion', () => {
  it('follows PEP 440 where the npm library simplifies', () => {
    expect(satisfiesVersion('1.0', '>1.0rc1')).toBe(true);
    expect(satisfiesVersion('1.0b1', '<1.0rc1')).toBe(true);
    expect(satisfiesVersion('1.0.post1', '>1.0')).toBe(false);
    expect(satisfiesVersion('1.0.post2', '>1.0.post1')).toBe(true);
    expect(satisfiesVersion('1.0.dev1', '<1.0')).toBe(false);
    expect(satisfiesVersion('1.0+local', '==1.0')).toBe(true);
    expect(satisfiesVersion('1.0+local', '>1.0')).toBe(false);
    expect(satisfiesVersion('3.11.4', '==3.11.*')).toBe(true);
    expect(satisfiesVersion('1.4.5', '~=1.4.2')).toBe(true);
    expect(satisfiesVersion('1.0rc1', '>=0.9', { prereleases: false })).toBe(false);
    expect(satisfiesVersion('1.0.0-weird', '===1.0.0-WEIRD')).toBe(true);
  });

  it('normalizes and orders versions', () => {
    expect(normalizeVersion('1.0-1')).toBe('1.0.post1');
    expect(normalizeVersion(' v1.0RC1 ')).toBe('1.0rc1');
    expect(normalizeVersion('1.0+Local-7')).toBe('1.0+local.7');
    expect(normalizeVersion('1.0.*')).toBeNull();
    expect(compareVersions('1.0.dev1', '1.0rc1')).toBe(-1);
    expect(compareVersions('1.0+abc', '1.0.post1')).toBe(-1);
    expect(parseVersion('1!2.0')?.epoch).toBe(1);
    expect(isValidSpecifier('>=1.0,,<2')).toBe(true);
    expect(isValidSpecifier('>=1.0.*')).toBe(false);
  });
});

// ---------------------------------------------------------------------------------------------
// Differential property tests against `packaging`.

const num = fc.oneof(fc.nat(3), fc.nat(30));
const sep = fc.constantFrom('', '.', '-', '_');
const versionArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.option(
      num.map((e) => `${e}!`),
      { nil: '' },
    ),
    fc.array(num, { minLength: 1, maxLength: 4 }).map((r) => r.join('.')),
    fc.option(
      fc
        .tuple(
          sep,
          fc.constantFrom('a', 'b', 'c', 'rc', 'alpha', 'beta', 'pre', 'preview', 'A', 'RC'),
          sep,
          fc.option(num, { nil: '' }),
        )
        .map((p) => p.join('')),
      { nil: '' },
    ),
    fc.option(
      fc.oneof(
        num.map((n) => `-${n}`),
        fc
          .tuple(sep, fc.constantFrom('post', 'rev', 'r'), sep, fc.option(num, { nil: '' }))
          .map((p) => p.join('')),
      ),
      { nil: '' },
    ),
    fc.option(
      fc.tuple(sep, fc.constantFrom('dev', 'DEV'), sep, fc.option(num, { nil: '' })).map((p) => p.join('')),
      { nil: '' },
    ),
    fc.option(fc.constantFrom('+local', '+abc.5', '+Ubuntu-1', '+1_2'), { nil: '' }),
    fc.constantFrom('', '', '', 'v', ' ', 'x'),
  )
  .map(([e, r, pre, post, dev, local, extra]) =>
    extra === 'v' ? `v${e}${r}${pre}${post}${dev}${local}` : `${e}${r}${pre}${post}${dev}${local}${extra}`,
  );
const specOp = fc.constantFrom('==', '!=', '<=', '>=', '<', '>', '~=', '===');
const specArb = fc
  .array(
    fc.oneof(
      fc.tuple(specOp, fc.constantFrom('', ' '), versionArb).map(([o, w, v]) => `${o}${w}${v}`),
      fc
        .tuple(fc.constantFrom('==', '!='), fc.array(num, { minLength: 1, maxLength: 3 }))
        .map(([o, r]) => `${o}${r.join('.')}.*`),
    ),
    { minLength: 0, maxLength: 3 },
  )
  .map((xs) => xs.join(', '));

describe('differential: PEP 440 vs packaging', () => {
  it(
    'agrees on validity, normalization and ordering of versions',
    () => {
      const versions = fc.sample(versionArb, { numRuns: 2000, seed: seed(440) });
      const results = runOracle(versions.map((text) => ({ kind: 'version', text })));
      const mismatches: string[] = [];
      versions.forEach((v, i) => {
        const want = results[i] as OracleResult;
        const got = normalizeVersion(v);
        if ((got !== null) !== want.ok || (want.ok && got !== want.normalized)) {
          mismatches.push(
            `${JSON.stringify(v)}: packaging ${JSON.stringify(want)}, we ${JSON.stringify(got)}`,
          );
        }
      });
      expect(mismatches.slice(0, 20)).toEqual([]);
      const valid = versions.filter((_, i) => results[i]?.ok);
      expect(valid.length).toBeGreaterThan(versions.length / 3);
      const pairs = fc.sample(fc.tuple(fc.constantFrom(...valid), fc.constantFrom(...valid)), {
        numRuns: 2000,
        seed: seed(441),
      });
      const order = runOracle(pairs.map(([a, b]) => ({ kind: 'compare', a, b })));
      pairs.forEach(([a, b], i) => {
        const want = order[i]?.value;
        const got = compareVersions(a, b);
        if (got !== want) mismatches.push(`compare ${a} ${b}: packaging ${want}, we ${got}`);
      });
      expect(mismatches.slice(0, 20)).toEqual([]);
    },
    ORACLE_TIMEOUT,
  );

  it(
    'agrees on SpecifierSet.contains, with and without pre-releases',
    () => {
      const cases = fc.sample(fc.tuple(versionArb, specArb, fc.constantFrom(true, false, undefined)), {
        numRuns: 4000,
        seed: seed(442),
      });
      const results = runOracle(
        cases.map(([version, spec, prereleases]) => ({ kind: 'contains', version, spec, prereleases })),
      );
      const mismatches: string[] = [];
      let contained = 0;
      let valid = 0;
      cases.forEach(([version, spec, prereleases], i) => {
        const want = results[i] as OracleResult;
        let got: OracleResult;
        try {
          got = {
            ok: true,
            value: satisfiesVersion(version, spec, prereleases === undefined ? {} : { prereleases }),
          };
        } catch {
          got = { ok: false };
        }
        if (want.ok) valid++;
        if (want.value) contained++;
        if (got.ok !== want.ok || got.value !== want.value) {
          mismatches.push(
            `${JSON.stringify(version)} in ${JSON.stringify(spec)} (pre=${prereleases}): packaging ${JSON.stringify(want)}, we ${JSON.stringify(got)}`,
          );
        }
      });
      expect(mismatches.slice(0, 20)).toEqual([]);
      expect(valid).toBeGreaterThan(cases.length / 4);
      expect(contained).toBeGreaterThan(cases.length / 20);
    },
    ORACLE_TIMEOUT,
  );
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidSpecifier, newestMinorSatisfying, satisfiesVersion } from './pep440.js';
import { PoetryConstraintError, poetryToPep440, poetryToPep440Alternatives } from './poetry-constraint.js';

describe('poetryToPep440', () => {
  it.each([
    ['^3.10', '>=3.10,<4.0'],
    ['^1.2.3', '>=1.2.3,<2.0.0'],
    ['^0.2.3', '>=0.2.3,<0.3.0'],
    ['^0.0.3', '>=0.0.3,<0.0.4'],
    ['^0.0', '>=0.0,<0.1'],
    ['^0', '>=0,<1.0'],
    ['^ 3.11', '>=3.11,<4.0'],
    ['~1.2.3', '>=1.2.3,<1.3.0'],
    ['~3.11', '>=3.11,<3.12'],
    ['~3', '>=3,<4.0'],
    ['~=3.10', '~=3.10'],
    ['*', ''],
    ['', ''],
    ['3.11.*', '==3.11.*'],
    ['3.*', '==3.*'],
    ['!=3.12.*', '!=3.12.*'],
    ['>=3.8.*', '>=3.8'],
    ['3.11', '==3.11'],
    ['=3.11.4', '==3.11.4'],
    ['==3.11.4', '==3.11.4'],
    ['>=3.8,<3.12', '>=3.8,<3.12'],
    ['>= 3.8, < 3.12', '>=3.8,<3.12'],
    ['>=3.8 <3.12', '>=3.8,<3.12'],
    ['>=3.9,!=3.9.1,<4', '>=3.9,!=3.9.1,<4'],
    ['^3.10, <3.13', '>=3.10,<4.0,<3.13'],
    ['^1.0.0-beta.1', '>=1.0.0-beta.1,<2.0.0'],
  ])('%s → %s', (poetry, pep440) => {
    expect(poetryToPep440(poetry)).toBe(pep440);
    expect(isValidSpecifier(pep440)).toBe(true);
  });

  it('returns OR alternatives as an array', () => {
    expect(poetryToPep440('^3.8 || ^3.10')).toEqual(['>=3.8,<4.0', '>=3.10,<4.0']);
    expect(poetryToPep440('>=2.7,<2.8 | >=3.6')).toEqual(['>=2.7,<2.8', '>=3.6']);
    expect(poetryToPep440Alternatives('^3.11')).toEqual(['>=3.11,<4.0']);
    expect(poetryToPep440('3.10.* || *')).toBe('');
  });

  it('rejects what Poetry rejects', () => {
    for (const bad of ['abc', '>=', '^', '~x', '^3.10 ||', '>=3.8 <<3.9', '==3.*.1']) {
      expect(() => poetryToPep440(bad), bad).toThrow(PoetryConstraintError);
    }
  });

  it('resolves Poetry python constraints to a minor', () => {
    const minors = ['3.9', '3.10', '3.11', '3.12', '3.13', '3.14'];
    expect(newestMinorSatisfying(poetryToPep440('^3.10') as string, minors)).toBe('3.14');
    expect(newestMinorSatisfying(poetryToPep440('~3.11') as string, minors)).toBe('3.11');
    expect(newestMinorSatisfying(poetryToPep440('>=3.9,<3.12') as string, minors)).toBe('3.11');
  });

  it('keeps caret and tilde semantics on random versions (property)', () => {
    const release = fc.array(fc.nat(12), { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(release, release, fc.constantFrom('^', '~'), (base, probe, op) => {
        const spec = poetryToPep440(`${op}${base.join('.')}`) as string;
        const v = probe.join('.');
        const ok = satisfiesVersion(v, spec, { prereleases: false });
        const pad = (r: number[]) => [...r, 0, 0, 0].slice(0, 3);
        const [b0, b1, b2] = pad(base) as [number, number, number];
        const [p0, p1, p2] = pad(probe) as [number, number, number];
        const ge = p0 !== b0 ? p0 > b0 : p1 !== b1 ? p1 > b1 : p2 >= b2;
        let inRange: boolean;
        if (op === '~') inRange = base.length === 1 ? p0 === b0 : p0 === b0 && p1 === b1;
        else if (b0 > 0 || base.length === 1) inRange = p0 === b0;
        else if (b1 > 0 || base.length === 2) inRange = p0 === 0 && p1 === b1;
        else inRange = p0 === 0 && p1 === 0 && p2 === b2;
        expect(ok).toBe(ge && inRange);
      }),
      { numRuns: 2000, seed: Number(process.env.PYCONTAIN_FC_SEED ?? 9) },
    );
  });
});

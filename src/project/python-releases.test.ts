import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compareMinor, parseVersion } from './pep440.js';
import {
  findRelease,
  isEndOfLife,
  isMature,
  latestPatch,
  MATURE_MONTHS,
  monthsBefore,
  newestStableMinor,
  officialImageTag,
  pythonReleases,
  releasesAsOf,
  supportedMinors,
} from './python-releases.js';

const ISO = /^\d{4}-\d{2}-\d{2}$/;
const raw = JSON.parse(
  readFileSync(path.resolve(import.meta.dirname, '../../data/python-releases.json'), 'utf8'),
) as {
  asOf: string;
  releases: Record<string, unknown>[];
};

describe('data/python-releases.json', () => {
  const releases = pythonReleases();

  it('covers CPython 3.6 to 3.15, in order, without gaps', () => {
    expect(releases.map((r) => r.minor)).toEqual([
      '3.6',
      '3.7',
      '3.8',
      '3.9',
      '3.10',
      '3.11',
      '3.12',
      '3.13',
      '3.14',
      '3.15',
    ]);
    expect(
      raw.releases.every(
        (r) =>
          Object.keys(r).sort().join() ===
          Object.keys(releases[0] ?? {})
            .sort()
            .join(),
      ),
    ).toBe(true);
    expect(releasesAsOf()).toMatch(ISO);
  });

  for (const r of pythonReleases()) {
    it(`${r.minor}: dates, latest patch and image tags are consistent`, () => {
      expect(r.released).toMatch(ISO);
      expect(r.endOfLife).toMatch(ISO);
      expect(Number.isNaN(Date.parse(r.released))).toBe(false);
      expect(Number.isNaN(Date.parse(r.endOfLife))).toBe(false);
      // CPython's policy: five years of support, give or take a few weeks.
      const years = (Date.parse(r.endOfLife) - Date.parse(r.released)) / (365.25 * 24 * 3600 * 1000);
      expect(years).toBeGreaterThan(4.9);
      expect(years).toBeLessThan(5.2);
      expect(r.released <= releasesAsOf()).toBe(true);
      expect(r.latestPatch.startsWith(`${r.minor}.`)).toBe(true);
      expect(parseVersion(r.latestPatch)?.release.length).toBe(3);
      expect(latestPatch(r.minor)).toBe(Number(r.latestPatch.split('.')[2]));
      expect(r.imageSuffixes.length).toBeGreaterThan(0);
      for (const s of r.imageSuffixes) expect(s).toMatch(/^slim-(buster|bullseye|bookworm|trixie)$/);
      expect(r.imageSuffixes).toContain(r.preferredSuffix);
      expect(r.imageSuffixes[0]).toBe(r.preferredSuffix);
      // Debian trixie (2025-08-09) images exist only for minors still supported then.
      if (r.imageSuffixes.includes('slim-trixie')) expect(r.endOfLife >= '2025-08-09').toBe(true);
      // Every minor supported in 2026 has both current Debian variants.
      if (r.endOfLife >= '2026-01-01')
        expect(r.imageSuffixes).toEqual(expect.arrayContaining(['slim-trixie', 'slim-bookworm']));
    });
  }

  it('orders consecutive minors by release and end of life', () => {
    for (let i = 1; i < releases.length; i++) {
      const prev = releases[i - 1];
      const cur = releases[i];
      if (!prev || !cur) throw new Error('unreachable');
      expect(compareMinor(prev.minor, cur.minor)).toBeLessThan(0);
      expect(prev.released < cur.released).toBe(true);
      expect(prev.endOfLife < cur.endOfLife).toBe(true);
    }
  });
});

describe('python-releases API', () => {
  it('tells end of life by date (the EOL day itself is still supported)', () => {
    expect(isEndOfLife('3.9', '2025-10-31')).toBe(false);
    expect(isEndOfLife('3.9', '2025-11-01')).toBe(true);
    expect(isEndOfLife('3.10', '2026-11-25')).toBe(true);
    expect(isEndOfLife('3.11', new Date('2026-11-25T12:00:00Z'))).toBe(false);
    expect(isEndOfLife('2.7', '2026-11-25')).toBe(true);
    expect(isEndOfLife('3.5', '2026-11-25')).toBe(true);
    expect(isEndOfLife('3.15', '2026-11-25')).toBe(false);
  });

  it('lists supported minors on a date', () => {
    expect(supportedMinors('2026-11-25')).toEqual(['3.11', '3.12', '3.13', '3.14', '3.15']);
    expect(supportedMinors('2025-06-01')).toEqual(['3.9', '3.10', '3.11', '3.12', '3.13']);
  });

  it('knows the newest stable minor', () => {
    expect(newestStableMinor('2026-11-25')).toBe('3.15');
    expect(newestStableMinor('2026-10-08')).toBe('3.14');
    expect(newestStableMinor('2025-01-01')).toBe('3.13');
  });

  it('names official image tags', () => {
    expect(officialImageTag('3.12')).toBe('3.12-slim-trixie');
    expect(officialImageTag('3.12', 'slim-bookworm')).toBe('3.12-slim-bookworm');
    expect(officialImageTag('3.8')).toBe('3.8-slim-bookworm');
    expect(() => officialImageTag('3.8', 'slim-trixie')).toThrow(/no slim-trixie/);
    expect(() => officialImageTag('4.0')).toThrow(/unknown/);
    expect(findRelease('3.13')?.latestPatch).toMatch(/^3\.13\.\d+$/);
    expect(findRelease('9.9')).toBeUndefined();
  });
});

describe('release age (MATURE_MONTHS)', () => {
  it('monthsBefore counts calendar months, clamped to the month end', () => {
    expect(monthsBefore('2026-12-08', 6)).toBe('2026-06-08');
    expect(monthsBefore('2026-03-01', 6)).toBe('2025-09-01');
    expect(monthsBefore('2026-08-31', 6)).toBe('2026-02-28');
  });

  it('3.15 (2026-10-09) is mature six months later, not before', () => {
    expect(MATURE_MONTHS).toBe(6);
    expect(isMature('3.15', '2026-12-08')).toBe(false);
    expect(isMature('3.15', '2027-04-08')).toBe(false);
    expect(isMature('3.15', '2027-04-09')).toBe(true);
    expect(isMature('3.14', '2026-12-08')).toBe(true);
    expect(isMature('3.99', '2026-12-08')).toBe(false);
  });
});

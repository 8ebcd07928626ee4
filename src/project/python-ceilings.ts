/**
 * Which CPython minor pinned packages still install on. A pin like `greenlet==2.0.2` predates
 * CPython 3.12: no wheel for it, and its sdist does not compile there. Without wheel file names
 * (requirements with hashes only, Pipfile.lock, no lock at all) the only evidence is the version,
 * so the knowledge is a table (data/python-ceilings.json): package version range -> the last minor
 * those releases support.
 */

import { z } from 'zod';
import type { Dependency, Plan, Source, Warning } from '../plan.js';
import { loadData, parseData } from '../util/data.js';
import type { LockFile } from './locks/types.js';
import {
  compareMinor,
  compareVersions,
  isValidSpecifier,
  parseSpecifierSet,
  satisfiesVersion,
} from './pep440.js';

const Entry = z.strictObject({
  name: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'PEP 503 normalized name'),
  versions: z.string().refine(isValidSpecifier, 'a PEP 440 specifier'),
  lastMinor: z.string().regex(/^3\.\d+$/),
  why: z.string().min(1),
});
const File = z.object({ packages: z.array(Entry).min(1) });

export type PythonCeilingEntry = z.infer<typeof Entry>;

export function parsePythonCeilings(text: string): PythonCeilingEntry[] {
  return parseData('python-ceilings.json', text, File, (d) => d.packages);
}

export function pythonCeilingsTable(): PythonCeilingEntry[] {
  return loadData('python-ceilings.json', File, (d) => d.packages);
}

/** A ceiling on the minor pycontain picks, with why and where (the pin's file:line). */
export interface PythonCeiling {
  minor: string;
  /** Completes "the newest minor that ...", e.g. "greenlet==2.0.2 (requirements.txt:21) supports (...)". */
  reason: string;
  source?: Source;
}

export interface PinCeilingHit {
  dep: Dependency;
  entry: PythonCeilingEntry;
}

/**
 * The highest version a specifier admits, when it has an upper bound: `<=1.26.4` and `==1.26.4`
 * admit 1.26.4 (inclusive), `<2` and `~=1.26.0` everything below 2 and 1.27 (exclusive).
 */
function upperBound(specifier: string): { version: string; inclusive: boolean } | null {
  let best: { version: string; inclusive: boolean } | null = null;
  for (const s of parseSpecifierSet(specifier.replace(/^\s*\[[^\]]*\]/, '')) ?? []) {
    let b: { version: string; inclusive: boolean } | null = null;
    if ((s.operator === '<=' || s.operator === '==' || s.operator === '===') && !s.version.includes('*'))
      b = { version: s.version, inclusive: true };
    else if (s.operator === '<') b = { version: s.version, inclusive: false };
    else if (s.operator === '~=') {
      // ~=1.26.0 means >=1.26.0,==1.26.*: below 1.27.
      const parts = s.version.split('.');
      if (parts.length < 2) continue;
      const kept = parts.slice(0, -1);
      const last = Number.parseInt(kept[kept.length - 1] ?? '', 10);
      if (!Number.isFinite(last)) continue;
      kept[kept.length - 1] = String(last + 1);
      b = { version: kept.join('.'), inclusive: false };
    }
    if (!b) continue;
    try {
      const c = best ? compareVersions(b.version, best.version) : -1;
      if (c < 0 || (c === 0 && !b.inclusive)) best = b;
    } catch {
      // An unparsable version bounds nothing we can compare.
    }
  }
  return best;
}

/** Does the row's `<X` cover every version the bound admits? Rows of another shape never do. */
function boundWithin(bound: { version: string; inclusive: boolean }, rowVersions: string): boolean {
  const m = /^<\s*([^<>=!~,\s]+)$/.exec(rowVersions.trim());
  if (!m?.[1]) return false;
  try {
    const c = compareVersions(bound.version, m[1]);
    return bound.inclusive ? c < 0 : c <= 0;
  } catch {
    return false;
  }
}

/** `numpy==1.24.4`, or `numpy<=1.26.4` for a dependency bounded from above only. */
export function pinLabel(dep: Dependency): string {
  return dep.version ? `${dep.name}==${dep.version}` : `${dep.name}${dep.specifier ?? ''}`;
}

/**
 * The installed dependencies the table limits, each with its lowest matching entry, lowest ceiling
 * first: exact pins, and specifiers whose upper bound keeps every admitted version inside an entry
 * (`numpy<=1.26.4` installs 1.26.4 at most, whatever Python it runs on). Dev groups not requested by
 * `extras` are not installed and do not count; nor do dependencies whose wheel file names the lock
 * records.
 */
export function pinnedCeilingHits(
  deps: Dependency[],
  extras: string[] = [],
  table: PythonCeilingEntry[] = pythonCeilingsTable(),
): PinCeilingHit[] {
  const hits: PinCeilingHit[] = [];
  for (const dep of deps) {
    if (dep.group && !extras.includes(dep.group)) continue;
    // Wheel names the lock records are the evidence itself (the locked-wheel ceiling reads them).
    if (dep.wheels?.length) continue;
    const version = dep.version?.replace(/^v/i, '');
    const bound = version ? null : dep.specifier ? upperBound(dep.specifier) : null;
    if (!version && !bound) continue;
    let best: PythonCeilingEntry | undefined;
    for (const e of table) {
      if (e.name !== dep.name) continue;
      let matches = false;
      try {
        matches = version
          ? satisfiesVersion(version, e.versions)
          : bound
            ? boundWithin(bound, e.versions)
            : false;
      } catch {
        matches = false;
      }
      if (matches && (!best || compareMinor(e.lastMinor, best.lastMinor) < 0)) best = e;
    }
    if (best) hits.push({ dep, entry: best });
  }
  return hits.sort((a, b) => compareMinor(a.entry.lastMinor, b.entry.lastMinor));
}

const where = (s: Source | undefined) => (s ? `${s.file}${s.line ? `:${s.line}` : ''}` : '');

/**
 * The minor the pinned packages cap the choice at, when it is older than `plan.pythonVersion`:
 * the lowest `lastMinor` of the pins the table knows. Null when nothing limits the chosen minor.
 */
export function pinnedPackageCeiling(
  plan: Pick<Plan, 'pythonVersion' | 'dependencies' | 'extras'>,
  table?: PythonCeilingEntry[],
): PythonCeiling | null {
  const hits = pinnedCeilingHits(plan.dependencies, plan.extras, table);
  const first = hits[0];
  if (!first || compareMinor(first.entry.lastMinor, plan.pythonVersion) >= 0) return null;
  const same = hits.filter((h) => h.entry.lastMinor === first.entry.lastMinor);
  const named = same.map((h) => `${pinLabel(h.dep)} (${where(h.dep.source)})`).join(', ');
  return {
    minor: first.entry.lastMinor,
    // Read after "the newest minor that": see PythonCeiling.reason.
    reason: `${named} support${same.length === 1 ? 's' : ''} (${first.entry.why})`,
    ...(first.dep.source ? { source: first.dep.source } : {}),
  };
}

/** Warnings for a minor the project pins itself (kept as asked) that pinned packages predate. */
export function pinnedPackageWarnings(
  plan: Pick<Plan, 'pythonVersion' | 'dependencies' | 'extras'>,
  table?: PythonCeilingEntry[],
): Warning[] {
  return pinnedCeilingHits(plan.dependencies, plan.extras, table)
    .filter((h) => compareMinor(h.entry.lastMinor, plan.pythonVersion) < 0)
    .map((h) => ({
      code: 'python-too-new',
      message: `${pinLabel(h.dep)} supports CPython ${h.entry.lastMinor} at most (${h.entry.why}), but Python ${plan.pythonVersion} is pinned: upgrade ${h.dep.name} or pin Python ${h.entry.lastMinor}`,
      ...(h.dep.source ? { source: h.dep.source } : {}),
    }));
}

/** The lower of two ceilings (either may be absent). */
export function lowerCeiling(a: PythonCeiling | null, b: PythonCeiling | null): PythonCeiling | null {
  if (!a) return b;
  if (!b) return a;
  return compareMinor(b.minor, a.minor) < 0 ? b : a;
}

/**
 * Does the lock name the wheel files it installs? uv.lock, poetry.lock and pdm.lock do; Pipfile.lock
 * and hashed requirements record hashes only. With wheel names the lock itself tells which minors
 * have binaries; without them the choice falls back to the release-age rule.
 */
export function lockHasWheelData(lock: LockFile | null | undefined): boolean {
  return Boolean(lock && lock.kind !== 'pipenv' && lock.packages.some((p) => p.wheels.length > 0));
}

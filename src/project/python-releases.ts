/**
 * CPython release table (data/python-releases.json): release and end-of-life dates, latest patch,
 * and which slim variants of the official `python` image exist for each minor.
 */
import { z } from 'zod';
import { loadData } from '../util/data.js';

export interface PythonRelease {
  /** '3.12' */
  minor: string;
  /** First final release, 'YYYY-MM-DD'. */
  released: string;
  /** End of life (no more security fixes), 'YYYY-MM-DD'. */
  endOfLife: string;
  /** Newest patch release as of the table's `asOf`, e.g. '3.12.15'. */
  latestPatch: string;
  /** Tag suffixes of the official image, e.g. ['slim-trixie', 'slim-bookworm'] (preferred first). */
  imageSuffixes: string[];
  /** The suffix pycontain uses by default (see the table's $comment for why). */
  preferredSuffix: string;
}

const DATE = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const Table = z.object({
  asOf: DATE,
  releases: z.array(
    z.object({
      minor: z.string().regex(/^\d+\.\d+$/),
      released: DATE,
      endOfLife: DATE,
      latestPatch: z.string().regex(/^\d+\.\d+\.\d+$/),
      imageSuffixes: z.array(z.string()),
      preferredSuffix: z.string(),
    }),
  ),
});

const table = (): z.output<typeof Table> => loadData('python-releases.json', Table);

/** All known minors, oldest first. */
export function pythonReleases(): PythonRelease[] {
  return table().releases.map((r) => ({ ...r, imageSuffixes: [...r.imageSuffixes] }));
}

/** Date the table was last checked, 'YYYY-MM-DD'. */
export function releasesAsOf(): string {
  return table().asOf;
}

export function findRelease(minor: string): PythonRelease | undefined {
  const r = table().releases.find((x) => x.minor === minor);
  return r ? { ...r, imageSuffixes: [...r.imageSuffixes] } : undefined;
}

/** Latest known patch number of a minor (15 for '3.12' when 3.12.15 is the newest), or undefined. */
export function latestPatch(minor: string): number | undefined {
  const r = table().releases.find((x) => x.minor === minor);
  if (!r) return undefined;
  return Number(r.latestPatch.split('.')[2]);
}

function isoDay(d: Date | string): string {
  if (typeof d === 'string') {
    if (!/^\d{4}-\d{2}-\d{2}/.test(d)) throw new Error(`not an ISO date: ${d}`);
    return d.slice(0, 10);
  }
  return d.toISOString().slice(0, 10);
}

/**
 * True when `minor` is past its end of life on `today` (the EOL day itself still counts as supported).
 * Minors older than the table (3.5 and below, 2.x) are end of life; unknown newer ones are not.
 */
export function isEndOfLife(minor: string, today: Date | string = new Date()): boolean {
  const r = table().releases.find((x) => x.minor === minor);
  if (!r) {
    const [maj = 0, min = 0] = minor.split('.').map(Number);
    const first = table().releases[0];
    const [fMaj = 3, fMin = 6] = (first?.minor ?? '3.6').split('.').map(Number);
    return maj < fMaj || (maj === fMaj && min < fMin);
  }
  return isoDay(today) > r.endOfLife;
}

/** Minors released and not end of life on `today`, oldest first. */
export function supportedMinors(today: Date | string = new Date()): string[] {
  const day = isoDay(today);
  return table()
    .releases.filter((r) => r.released <= day && day <= r.endOfLife)
    .map((r) => r.minor);
}

/** The newest minor with a final release in the table ('3.14'). */
export function newestStableMinor(today: Date | string = new Date()): string {
  const day = isoDay(today);
  const released = table().releases.filter((r) => r.released <= day);
  const last = released[released.length - 1] ?? table().releases[table().releases.length - 1];
  if (!last) throw new Error('data/python-releases.json is empty');
  return last.minor;
}

/** The official image tag for a minor, e.g. '3.12-slim-trixie', using its preferred suffix. */
export function officialImageTag(minor: string, suffix?: string): string {
  const r = findRelease(minor);
  if (!r) throw new Error(`unknown Python minor: ${minor}`);
  const s = suffix ?? r.preferredSuffix;
  if (!r.imageSuffixes.includes(s)) throw new Error(`python:${minor} has no ${s} variant`);
  return `${minor}-${s}`;
}

/**
 * How long a CPython minor has to be out before pycontain picks it on its own (no pin, no lock that
 * names wheel files). The compiled packages apps pin ship wheels for a new minor within months, not
 * days: for 3.12 (2023-10-02) torch 2.2 came 4 months later and numba 0.59 4 months later; for
 * 3.13 (2024-10-07) numba 0.61 came after 3.5 months. Six months covers those lags and the first
 * two bug-fix releases (X.Y.1, X.Y.2). See src/project/README.md, section 4.
 */
export const MATURE_MONTHS = 6;

/** The day `months` months before `today`, 'YYYY-MM-DD' (clamped to the month's last day). */
export function monthsBefore(today: Date | string, months: number): string {
  const [y = 0, m = 1, d = 1] = isoDay(today).split('-').map(Number);
  const total = y * 12 + (m - 1) - months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${year}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** Released at least MATURE_MONTHS before `today`. Unknown minors are not. */
export function isMature(minor: string, today: Date | string = new Date()): boolean {
  const r = table().releases.find((x) => x.minor === minor);
  return Boolean(r && r.released <= monthsBefore(today, MATURE_MONTHS));
}

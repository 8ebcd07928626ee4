/**
 * data/apt-releases.json: package names apt-get cannot install on a Debian release, and the release
 * an image reference runs. Loaded on first use only (most Dockerfiles never need it, and lint start-up
 * is measured). Shared by lint (PC319) and detect (extra apt packages). This file sits two levels
 * below the package root, like the lint bundle in dist/cli/, so the same relative URL finds data/ from
 * the sources, from dist/ and from the bundle.
 */
import { handSchema, loadData } from './data.js';

/** What the release is read from: a parsed image reference (the lint model's ImageRef fits). */
export interface ImageRefLike {
  name: string;
  tag: string | null;
  digest: string | null;
  scratch?: boolean;
  unresolved?: boolean;
}

export interface AptReleases {
  untaggedPython: Record<string, string>;
  /** release → package name → what to install instead (null: nothing). */
  missing: Record<string, Record<string, string | null>>;
  notes: Record<string, string>;
}

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);

/** First entry of a record of `what` that is not one, as a problem for handSchema. */
function badEntry(
  rec: unknown,
  path: string[],
  ok: (v: unknown) => boolean,
  what: string,
): [string[], string] | null {
  if (!isRecord(rec)) return [path, 'expected an object'];
  for (const [k, v] of Object.entries(rec)) if (!ok(v)) return [[...path, k], `expected ${what}`];
  return null;
}

// Checked by hand: this table is read by the lint bundle, which does not load zod.
const AptReleasesSchema = handSchema<AptReleases>((d) => {
  if (!isRecord(d)) return [[], 'expected an object'];
  const str = (v: unknown) => typeof v === 'string';
  return (
    badEntry(d.untaggedPython, ['untaggedPython'], str, 'a release name') ??
    badEntry(d.notes, ['notes'], str, 'a string') ??
    badEntry(d.missing, ['missing'], isRecord, 'an object') ??
    Object.entries(d.missing as Record<string, unknown>)
      .map(([rel, m]) => badEntry(m, ['missing', rel], (v) => v === null || str(v), 'a package name or null'))
      .find((p) => p !== null) ??
    null
  );
});

export function aptReleases(): AptReleases {
  return loadData('apt-releases.json', AptReleasesSchema);
}

const CODENAMES = ['buster', 'bullseye', 'bookworm', 'trixie', 'forky'] as const;
const BY_VERSION: Record<string, string> = {
  '10': 'buster',
  '11': 'bullseye',
  '12': 'bookworm',
  '13': 'trixie',
  '14': 'forky',
};
const OFFICIAL_PYTHON = new Set(['python', 'library/python', 'docker.io/python', 'docker.io/library/python']);

/**
 * The Debian release an image reference names: a codename (`python:3.12-slim-bookworm`,
 * `debian:trixie-slim`) or `debianNN` (distroless). Shared with the generator's image choice
 * (src/project/images.ts), which keeps only the releases its table knows.
 */
export function debianReleaseNamed(name: string, tag: string | null): string | null {
  const ref = `${name}:${tag ?? ''}`;
  for (const r of CODENAMES) if (new RegExp(`(^|[^a-z])${r}([^a-z]|$)`).test(ref)) return r;
  const dn = /debian(\d+)/.exec(ref);
  return dn ? (BY_VERSION[dn[1]!] ?? null) : null;
}

/**
 * The Debian release a base image runs, when its reference says so: a codename in the tag
 * (`python:3.12-slim-bookworm`, `debian:trixie-slim`), `debianNN` (distroless), `debian:12`, or the
 * official python image's floating `X.Y` / `X.Y-slim` tags (their release is known by date). Null
 * when unknown: a patch tag (`3.12.4-slim` may predate trixie), a digest, another image.
 */
export function debianReleaseOf(img: ImageRefLike): string | null {
  if (img.scratch || img.unresolved) return null;
  const named = debianReleaseNamed(img.name, img.tag);
  if (named) return named;
  const last = img.name.slice(img.name.lastIndexOf('/') + 1);
  if (last === 'debian' && img.tag) return BY_VERSION[/^(\d+)/.exec(img.tag)?.[1] ?? ''] ?? null;
  if (OFFICIAL_PYTHON.has(img.name) && img.tag && !img.digest) {
    const m = /^(\d+\.\d+)(-slim)?$/.exec(img.tag);
    if (m) {
      const t = aptReleases().untaggedPython;
      return t[m[1]!] ?? t.default ?? null;
    }
  }
  return null;
}

/**
 * PEP 440 helpers on top of @renovatebot/pep440.
 *
 * The npm library parses and orders versions faithfully, but its specifier matching is simplified in
 * places (`>1.0rc1` rejects 1.0, `<1.0rc1` rejects 1.0b1). Specifier matching here follows pypa
 * `packaging` 26 (`Specifier`/`SpecifierSet`, dual Apache-2.0/BSD), using the library only for version
 * parsing and ordering; the differential tests in pep440.test.ts compare both against `packaging`.
 */
import { compare as libCompare, explain as libExplain, type Pep440Version } from '@renovatebot/pep440';

export type { Pep440Version };

const VERSION_TAIL_PRE = `(?:[-_.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_.]?[0-9]*)?`;
const VERSION_TAIL_POST = `(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?`;
const VERSION_TAIL_DEV = `(?:[-_.]?dev[-_.]?[0-9]*)?`;
const LOCAL = String.raw`(?:\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?`;

/** One specifier clause, as packaging's `Specifier._specifier_regex_str` accepts it (without anchors). */
export const SPECIFIER_PATTERN = [
  String.raw`(?:===\s*[^\s;)]*)`,
  String.raw`|(?:(?:==|!=)\s*v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*(?:\.\*|${VERSION_TAIL_PRE}${VERSION_TAIL_POST}${VERSION_TAIL_DEV}${LOCAL})?)`,
  String.raw`|(?:~=\s*v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)+${VERSION_TAIL_PRE}${VERSION_TAIL_POST}${VERSION_TAIL_DEV})`,
  String.raw`|(?:(?:<=|>=|<|>)\s*v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*${VERSION_TAIL_PRE}${VERSION_TAIL_POST}${VERSION_TAIL_DEV})`,
].join('');

const SINGLE_SPECIFIER = new RegExp(String.raw`^\s*(?:${SPECIFIER_PATTERN})\s*$`, 'i');

export type Operator = '===' | '~=' | '==' | '!=' | '<=' | '>=' | '<' | '>';

export interface Specifier {
  operator: Operator;
  /** The version part as written (trimmed), e.g. '3.11.*'. */
  version: string;
}

/** Parse a version like packaging's `Version()` (surrounding whitespace allowed). Null when invalid. */
export function parseVersion(version: string): Pep440Version | null {
  const v = explainCached(version);
  return v ? { ...v, release: [...v.release] } : null;
}

// The library's parser costs ~15 µs a call, and markers and requires-python resolution ask for the
// same few versions over and over: memoize (bounded; entries are never handed out to callers).
const EXPLAINED = new Map<string, Pep440Version | null>();

function explainCached(version: string): Pep440Version | null {
  let v = EXPLAINED.get(version);
  if (v !== undefined) return v;
  const trimmed = version.trim();
  v = trimmed === '' ? null : libExplain(trimmed);
  if (EXPLAINED.size >= 20_000) EXPLAINED.clear();
  EXPLAINED.set(version, v);
  return v;
}

/** The canonical string of a version (`str(Version(v))`), or null when invalid. */
export function normalizeVersion(version: string): string | null {
  const v = explainCached(version);
  if (!v) return null;
  let out = v.public;
  if (v.local !== null) out += `+${v.local.toLowerCase().replace(/[-_]/g, '.')}`;
  return out;
}

/** Order two valid versions (-1, 0, 1). Throws on an invalid version. */
export function compareVersions(a: string, b: string): number {
  if (!explainCached(a) || !explainCached(b)) throw new Error(`invalid version: ${explainCached(a) ? b : a}`);
  const c = cmp(a.trim(), b.trim());
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

/** Parse one specifier clause ('>=1.0'); null when packaging would reject it. */
export function parseSpecifier(text: string): Specifier | null {
  if (!SINGLE_SPECIFIER.test(text)) return null;
  const spec = text.trim();
  const opLen = spec.startsWith('===') ? 3 : /^(?:~=|==|!=|<=|>=)/.test(spec) ? 2 : 1;
  return { operator: spec.slice(0, opLen) as Operator, version: spec.slice(opLen).trim() };
}

/** Parse a comma-separated specifier set like `SpecifierSet()` (empty clauses are skipped). Null when invalid. */
export function parseSpecifierSet(text: string): Specifier[] | null {
  const out: Specifier[] = [];
  for (const part of text.split(',')) {
    if (part.trim() === '') continue;
    const s = parseSpecifier(part);
    if (!s) return null;
    out.push(s);
  }
  return out;
}

export function isValidSpecifier(text: string): boolean {
  return parseSpecifierSet(text) !== null;
}

const COMPARED = new Map<string, number>();

/** The library's compare re-parses both sides on every call; memoized like explainCached. */
function cmp(a: string, b: string): number {
  const key = `${a}\u0000${b}`;
  let c = COMPARED.get(key);
  if (c === undefined) {
    c = libCompare(a, b);
    if (COMPARED.size >= 20_000) COMPARED.clear();
    COMPARED.set(key, c);
  }
  return c;
}

function publicOf(v: Pep440Version): string {
  return v.public;
}

function withoutPostDevLocal(v: Pep440Version): string {
  let out = `${v.epoch ? `${v.epoch}!` : ''}${v.release.join('.')}`;
  if (v.pre) out += `${v.pre[0]}${v.pre[1]}`;
  return out;
}

const PREFIX_SPLIT = /^([0-9]+)((?:a|b|c|rc)[0-9]+)$/;

/** packaging's `_version_split`: epoch first, then dot components, with `1rc1` split in two. */
function versionSplit(version: string): string[] {
  const bang = version.lastIndexOf('!');
  const epoch = bang >= 0 ? version.slice(0, bang) : '';
  const rest = bang >= 0 ? version.slice(bang + 1) : version;
  const out = [epoch || '0'];
  for (const item of rest.split('.')) {
    const m = PREFIX_SPLIT.exec(item);
    if (m) out.push(m[1] as string, m[2] as string);
    else out.push(item);
  }
  return out;
}

function numericPrefixLen(split: string[]): number {
  let n = 0;
  for (const s of split) {
    if (!/^[0-9]+$/.test(s)) break;
    n++;
  }
  return n;
}

/** `canonicalize_version(v, strip_trailing_zero=False)`: the normalized form, or the input when invalid. */
function canonical(version: string): string {
  return normalizeVersion(version) ?? version;
}

function compareEqual(prospective: Pep440Version, spec: string): boolean {
  if (spec.endsWith('.*')) {
    const splitSpec = versionSplit(canonical(spec.slice(0, -2)));
    const specNumeric = numericPrefixLen(splitSpec);
    const splitP = versionSplit(publicOf(prospective));
    const pNumeric = numericPrefixLen(splitP);
    const padded =
      pNumeric >= specNumeric
        ? splitP
        : [
            ...splitP.slice(0, pNumeric),
            ...Array<string>(specNumeric - pNumeric).fill('0'),
            ...splitP.slice(pNumeric),
          ];
    const shortened = padded.slice(0, splitSpec.length);
    return shortened.length === splitSpec.length && shortened.every((s, i) => s === splitSpec[i]);
  }
  const specV = explainCached(spec);
  if (!specV) return false;
  const left = specV.local === null ? publicOf(prospective) : normalizedFull(prospective);
  return cmp(left, normalizedFull(specV)) === 0;
}

function normalizedFull(v: Pep440Version): string {
  return v.local === null ? v.public : `${v.public}+${v.local.toLowerCase().replace(/[-_]/g, '.')}`;
}

function isNotSuffix(segment: string): boolean {
  return !['dev', 'a', 'b', 'rc', 'post'].some((p) => segment.startsWith(p));
}

function matchOne(p: Pep440Version, raw: string, spec: Specifier): boolean {
  const { operator, version } = spec;
  switch (operator) {
    case '===':
      return raw.toLowerCase() === version.toLowerCase();
    case '==':
      return compareEqual(p, version);
    case '!=':
      return !compareEqual(p, version);
    case '~=': {
      const split = versionSplit(version);
      const kept: string[] = [];
      for (const s of split) {
        if (!isNotSuffix(s)) break;
        kept.push(s);
      }
      kept.pop();
      const [epoch, ...rest] = kept;
      const prefix = `${epoch}!${rest.join('.')}.*`;
      const specV = explainCached(version);
      if (!specV) return false;
      return cmp(publicOf(p), specV.public) >= 0 && compareEqual(p, prefix);
    }
    case '<=':
    case '>=': {
      const specV = explainCached(version);
      if (!specV) return false;
      const c = cmp(publicOf(p), specV.public);
      return operator === '<=' ? c <= 0 : c >= 0;
    }
    case '<': {
      const specV = explainCached(version);
      if (!specV) return false;
      if (!(cmp(normalizedFull(p), specV.public) < 0)) return false;
      // "<V MUST NOT allow a pre-release of the specified version unless V is itself a pre-release."
      if (!specV.is_prerelease && p.is_prerelease && cmp(normalizedFull(p), `${specV.public}.dev0`) >= 0)
        return false;
      return true;
    }
    case '>': {
      const specV = explainCached(version);
      if (!specV) return false;
      if (!(cmp(normalizedFull(p), specV.public) > 0)) return false;
      if (!specV.is_postrelease && p.is_postrelease && cmp(withoutPostDevLocal(p), specV.public) === 0)
        return false;
      if (p.local !== null && cmp(p.public, specV.public) === 0) return false;
      return true;
    }
  }
}

export interface SatisfiesOptions {
  /**
   * Like packaging's `prereleases`: true admits pre-releases, false rejects them, undefined (default)
   * admits them as well, which is what `SpecifierSet.contains()` does for a single version.
   */
  prereleases?: boolean;
}

/**
 * Does `version` satisfy the specifier set `spec` (e.g. '>=3.9,<3.13')? Same answer as
 * `SpecifierSet(spec).contains(version, prereleases)`. Throws on an invalid specifier set; an invalid
 * version only matches `===`.
 */
export function satisfiesVersion(version: string, spec: string, opts: SatisfiesOptions = {}): boolean {
  const specs = parseSpecifierSet(spec);
  if (!specs) throw new Error(`invalid version specifier: ${JSON.stringify(spec)}`);
  return specifiersContain(specs, version, opts);
}

export function specifiersContain(specs: Specifier[], version: string, opts: SatisfiesOptions = {}): boolean {
  const p = explainCached(version);
  // An empty set admits anything, even strings that are not versions (as packaging does).
  if (!p)
    return specs.every((s) => s.operator === '===' && version.toLowerCase() === s.version.toLowerCase());
  if (opts.prereleases === false && p.is_prerelease) return false;
  return specs.every((s) => matchOne(p, version, s));
}

/**
 * The newest CPython minor ('3.12') among `minors` that the `requires-python` specifier admits.
 * A minor X.Y is admitted when some final release X.Y.z satisfies the whole specifier set; `patches`
 * gives the latest known patch per minor (default: 40, more than any CPython minor has had).
 * Returns null when none does. Throws on an invalid specifier.
 */
export function newestMinorSatisfying(
  spec: string,
  minors: string[],
  patches: Record<string, number> = {},
): string | null {
  const specs = parseSpecifierSet(spec);
  if (!specs) throw new Error(`invalid version specifier: ${JSON.stringify(spec)}`);
  const ok = minors.filter((m) => minorSatisfies(specs, m, patches[m] ?? 40));
  if (ok.length === 0) return null;
  return ok.sort(compareMinor)[ok.length - 1] ?? null;
}

/** All minors among `minors` the specifier admits, oldest first. */
export function minorsSatisfying(
  spec: string,
  minors: string[],
  patches: Record<string, number> = {},
): string[] {
  const specs = parseSpecifierSet(spec);
  if (!specs) throw new Error(`invalid version specifier: ${JSON.stringify(spec)}`);
  return minors.filter((m) => minorSatisfies(specs, m, patches[m] ?? 40)).sort(compareMinor);
}

function minorSatisfies(specs: Specifier[], minor: string, latestPatch: number): boolean {
  if (!/^\d+\.\d+$/.test(minor)) throw new Error(`not a minor version: ${minor}`);
  for (let z = 0; z <= latestPatch; z++) {
    if (specifiersContain(specs, `${minor}.${z}`, { prereleases: false })) return true;
  }
  return false;
}

export function compareMinor(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am - bm || an - bn;
}

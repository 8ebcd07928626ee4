/**
 * Poetry version constraints → PEP 440 specifier sets, with poetry-core's meaning (read for
 * behaviour): `^` caret, `~` tilde, `*` and `X.Y.*` wildcards, bare versions as exact pins, AND by
 * comma or whitespace, OR by `||` (or a single `|`).
 */
import { parseSpecifierSet, parseVersion } from './pep440.js';

export class PoetryConstraintError extends Error {
  constructor(
    message: string,
    readonly constraint: string,
  ) {
    super(message);
    this.name = 'PoetryConstraintError';
  }
}

/**
 * Translate one Poetry constraint. Returns a single PEP 440 specifier set ('>=3.10,<4.0'; '' means
 * any version) or, when the constraint has `||` alternatives, an array of them.
 * Throws PoetryConstraintError when the constraint is not valid.
 */
export function poetryToPep440(constraint: string): string | string[] {
  const alts = poetryToPep440Alternatives(constraint);
  return alts.length === 1 ? (alts[0] as string) : alts;
}

/** Like poetryToPep440, always as a list of OR-ed alternatives (each a PEP 440 specifier set). */
export function poetryToPep440Alternatives(constraint: string): string[] {
  const text = constraint.trim();
  if (text === '') return [''];
  const parts = text.split(/\s*\|\|?\s*/);
  const out: string[] = [];
  for (const part of parts) {
    if (part.trim() === '')
      throw new PoetryConstraintError(`empty alternative in ${JSON.stringify(constraint)}`, constraint);
    const spec = translateAnd(part, constraint);
    // `*` anywhere makes the whole OR unconstrained.
    if (spec === '') return [''];
    if (!out.includes(spec)) out.push(spec);
  }
  return out;
}

function translateAnd(part: string, whole: string): string {
  // Glue operators to their versions (`>= 1.2` → `>=1.2`), then split on commas and whitespace.
  const glued = part.trim().replace(/(===|==|!=|~=|<=|>=|<|>|=|\^|~)\s+/g, '$1');
  const clauses = glued.split(/\s*,\s*|\s+/).filter((c) => c !== '');
  if (clauses.length === 0)
    throw new PoetryConstraintError(`empty constraint in ${JSON.stringify(whole)}`, whole);
  const specs: string[] = [];
  for (const c of clauses) {
    const t = translateClause(c, whole);
    if (t !== '') specs.push(...t.split(','));
  }
  const joined = [...new Set(specs)].join(',');
  if (parseSpecifierSet(joined) === null) {
    throw new PoetryConstraintError(
      `${JSON.stringify(whole)} does not translate to a valid PEP 440 specifier (${joined})`,
      whole,
    );
  }
  return joined;
}

interface Parsed {
  release: number[];
  /** What follows the release (pre/post/dev), as written. */
  suffix: string;
}

function parseRelease(v: string, whole: string): Parsed {
  const m = /^v?(\d+(?:\.\d+)*)(.*)$/i.exec(v);
  if (!m || !parseVersion(v))
    throw new PoetryConstraintError(
      `invalid version ${JSON.stringify(v)} in ${JSON.stringify(whole)}`,
      whole,
    );
  return { release: (m[1] as string).split('.').map(Number), suffix: m[2] as string };
}

function fmt(release: number[], minLen = 1): string {
  const r = [...release];
  while (r.length < minLen) r.push(0);
  return r.join('.');
}

function translateClause(c: string, whole: string): string {
  if (c === '*' || c === 'x' || c === 'X') return '';
  if (c.startsWith('^')) {
    const v = c.slice(1);
    const { release } = parseRelease(v, whole);
    const n = release.length;
    // Bump the first non-zero component among those given (or the last given one).
    let idx = release.findIndex((x) => x !== 0);
    if (idx < 0 || idx >= n) idx = n - 1;
    if (n === 1) idx = 0;
    const upper = release.slice(0, idx + 1);
    upper[idx] = (upper[idx] as number) + 1;
    return `>=${v},<${fmt(upper, Math.max(2, n))}`;
  }
  if (c.startsWith('~') && !c.startsWith('~=')) {
    const v = c.slice(1);
    const { release } = parseRelease(v, whole);
    const n = release.length;
    const upper = n === 1 ? [(release[0] as number) + 1] : [release[0] as number, (release[1] as number) + 1];
    return `>=${v},<${fmt(upper, Math.max(2, n))}`;
  }
  const op = /^(===|==|!=|~=|<=|>=|<|>|=)?(.*)$/.exec(c) as RegExpExecArray;
  const operator = op[1] === '=' || op[1] === undefined ? '==' : op[1];
  const v = op[2] as string;
  if (v === '')
    throw new PoetryConstraintError(`missing version after ${operator} in ${JSON.stringify(whole)}`, whole);
  const wild = /^(\d+(?:\.\d+)*)\.[*xX]$/.exec(v);
  if (wild) {
    if (operator !== '==' && operator !== '!=') {
      // `>=1.2.*` means `>=1.2` in Poetry; `<1.2.*` means `<1.2`.
      return `${operator}${wild[1]}`;
    }
    return `${operator}${wild[1]}.*`;
  }
  if (operator === '===') return `===${v}`;
  parseRelease(v, whole);
  return `${operator}${v}`;
}

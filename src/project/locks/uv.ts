import { z } from 'zod';
import { InputError } from '../../plan.js';
import { normalizeVersion, parseSpecifierSet, specifiersContain } from '../pep440.js';
import { normalizeName, parseRequirement } from '../pep508.js';
import { type PyProject, projectName } from '../pyproject.js';
import { findKeyLine, parseToml } from '../toml.js';
import { parseLockShape } from './shape.js';
import {
  checkFormatVersion,
  type LockedDep,
  type LockedPackage,
  type LockFile,
  type Staleness,
} from './types.js';
import { fileNameOf } from './wheels.js';

/** uv.lock `version` pycontain reads (uv 0.4+ writes 1; `revision` changes are additive). */
export const UV_LOCK_VERSION = '1';

const dep = z.looseObject({
  name: z.string(),
  marker: z.string().optional(),
  extra: z.array(z.string()).optional(),
  version: z.string().optional(),
});
const requirement = z.looseObject({
  name: z.string(),
  specifier: z.string().optional(),
  marker: z.string().optional(),
  extras: z.array(z.string()).optional(),
});
const artifact = z.looseObject({
  url: z.string().optional(),
  path: z.string().optional(),
  filename: z.string().optional(),
});

const uvPackage = z.looseObject({
  name: z.string(),
  version: z.string().optional(),
  source: z.record(z.string(), z.unknown()).optional(),
  dependencies: z.array(dep).optional(),
  'optional-dependencies': z.record(z.string(), z.array(dep)).optional(),
  'dev-dependencies': z.record(z.string(), z.array(dep)).optional(),
  'resolution-markers': z.array(z.string()).optional(),
  sdist: artifact.optional(),
  wheels: z.array(artifact).optional(),
  metadata: z
    .looseObject({
      'requires-dist': z.array(requirement).optional(),
      'requires-dev': z.record(z.string(), z.array(requirement)).optional(),
    })
    .optional(),
});

const uvLock = z.looseObject({
  version: z.number(),
  revision: z.number().optional(),
  'requires-python': z.string().optional(),
  manifest: z.looseObject({ members: z.array(z.string()).optional() }).optional(),
  package: z.array(uvPackage).optional(),
});

export type UvLockData = z.infer<typeof uvLock>;

export interface UvLock extends LockFile {
  kind: 'uv';
  raw: UvLockData;
  /** Workspace member names from `[manifest] members` (empty for a single project). */
  members: string[];
}

function toDeps(list: z.infer<typeof dep>[] | undefined): LockedDep[] {
  return (list ?? []).map((d) => ({
    name: normalizeName(d.name),
    ...(d.marker ? { marker: d.marker } : {}),
    ...(d.extra?.length ? { extras: d.extra.map(normalizeName) } : {}),
    ...(d.version ? { version: d.version } : {}),
  }));
}

export function parseUvLock(text: string, file: string): UvLock {
  const data = parseToml(text, file);
  const versionLine = findKeyLine(text, '', 'version');
  if (typeof data.version !== 'number') {
    throw new InputError(
      `${file} has no numeric top-level \`version\`; is it a uv.lock?`,
      file,
      versionLine ?? 1,
    );
  }
  const notes: string[] = [];
  const note = checkFormatVersion('uv', file, String(data.version), UV_LOCK_VERSION, versionLine, false);
  if (note) notes.push(note);
  const raw = parseLockShape(uvLock, data, text, file, versionLine);
  const pkgLines = tableLines(text, 'package');
  const packages: LockedPackage[] = (raw.package ?? []).map((p, i) => {
    const src = p.source ?? {};
    const kind = Object.keys(src)[0] ?? 'registry';
    const wheels = (p.wheels ?? [])
      .map((w) => w.filename ?? fileNameOf(w.url ?? w.path ?? ''))
      .filter(Boolean);
    const devDependencies: Record<string, LockedDep[]> = {};
    for (const [g, list] of Object.entries(p['dev-dependencies'] ?? {})) devDependencies[g] = toDeps(list);
    const optionalDependencies: Record<string, LockedDep[]> = {};
    for (const [g, list] of Object.entries(p['optional-dependencies'] ?? {}))
      optionalDependencies[normalizeName(g)] = toDeps(list);
    return {
      name: normalizeName(p.name),
      version: p.version ?? '',
      wheels,
      sdist: Boolean(p.sdist) || ['git', 'url', 'path', 'directory'].includes(kind),
      sourceKind: kind,
      dependencies: toDeps(p.dependencies),
      optionalDependencies,
      devDependencies,
      ...(p['resolution-markers']?.length ? { resolutionMarkers: p['resolution-markers'] } : {}),
      line: pkgLines[i],
    };
  });
  return {
    kind: 'uv',
    file,
    formatVersion: String(raw.version),
    formatVersionLine: versionLine,
    ...(raw['requires-python']
      ? {
          requiresPython: raw['requires-python'],
          requiresPythonLine: findKeyLine(text, '', 'requires-python'),
        }
      : {}),
    packages,
    notes,
    raw,
    members: (raw.manifest?.members ?? []).map(normalizeName),
  };
}

/** 1-based lines of every `[[name]]` header, in order (one pass: locks can have thousands of packages). */
export function tableLines(text: string, name: string): number[] {
  const re = new RegExp(`^\\s*\\[\\[\\s*${name.replace(/\./g, '\\.')}\\s*\\]\\]`);
  const out: number[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) if (re.test(lines[i] ?? '')) out.push(i + 1);
  return out;
}

/** Line of the n-th `[[name]]` header (0-based n). */
export function nthTableLine(text: string, name: string, n: number): number | undefined {
  return tableLines(text, name)[n];
}

/**
 * A specifier the way uv writes it: clauses without spaces, versions in PEP 440 normal form
 * (`>=v1.0` is `>=1.0`, `==1.0-1` is `==1.0.post1`), sorted. Wildcards and `===` stay as written.
 */
function canonSpec(spec: string | undefined): string {
  return (spec ?? '')
    .split(',')
    .map((s) => s.replace(/\s+/g, ''))
    .filter(Boolean)
    .map((clause) => {
      const m = /^(~=|==|!=|<=|>=|<|>)(.+)$/.exec(clause);
      if (!m?.[1] || !m[2] || m[2].endsWith('.*')) return clause;
      return `${m[1]}${normalizeVersion(m[2]) ?? m[2]}`;
    })
    .sort()
    .join(',');
}

/**
 * Do two requires-python specifiers admit the same interpreters? uv rewrites them (`>=3.12,<3.13`
 * is recorded as `==3.12.*`), so they are compared by what they admit: every 3.X.Y up to 3.40.60.
 */
export function sameRequiresPython(a: string, b: string): boolean {
  if (canonSpec(a) === canonSpec(b)) return true;
  const sa = parseSpecifierSet(a);
  const sb = parseSpecifierSet(b);
  if (!sa || !sb) return false;
  for (let minor = 0; minor <= 40; minor++)
    for (let patch = 0; patch <= 60; patch++) {
      const v = `3.${minor}.${patch}`;
      if (specifiersContain(sa, v) !== specifiersContain(sb, v)) return false;
    }
  return true;
}

/** A requirement uv records with a direct source (git, URL, path, workspace member): no specifier. */
const DIRECT_KEYS = ['git', 'url', 'path', 'editable', 'directory', 'workspace'];

function reqKey(
  name: string,
  extras: string[] | undefined,
  spec: string | undefined,
  extra?: string,
): string {
  const ex = (extras ?? []).map(normalizeName).sort().join(',');
  return `${normalizeName(name)}${ex ? `[${ex}]` : ''}${canonSpec(spec)}${extra ? ` (extra ${normalizeName(extra)})` : ''}`;
}

/** `extra == 'x'` in a uv marker, which is how uv records optional-dependencies in requires-dist. */
function extraOf(marker: string | undefined): string | undefined {
  const m = /extra\s*==\s*['"]([^'"]+)['"]/.exec(marker ?? '');
  return m?.[1];
}

/**
 * Names with [tool.uv.sources] that replace the index (git, path, URL, workspace): uv drops their
 * version specifier from what it records; an `index = ...` source keeps it. `conditional`: such a
 * source with a marker (a URL wheel for linux x86_64 only) leaves the other environments on the
 * index, and uv records the requirement once per source and once more with its specifier when the
 * markers do not cover every environment; that coverage is uv's to compute, so both forms pass.
 */
function sourceKinds(project: PyProject): { direct: Set<string>; conditional: Set<string> } {
  const entries = Object.entries(project.uv?.sources ?? {});
  const names = (pred: (x: unknown) => boolean) =>
    new Set(entries.filter(([, v]) => [v].flat().some(pred)).map(([k]) => normalizeName(k)));
  return {
    direct: names(isDirect),
    conditional: names((x) => isDirect(x) && (x as Record<string, unknown>).marker !== undefined),
  };
}

/**
 * [extra, requirement] pairs as uv records them. Older uv records an extra that names the project's
 * own extras (`app[prod]`) expanded, newer uv as written: the lock's own entry for the reference
 * (a key in `locked`) tells which.
 */
function extraRequirements(
  extras: Record<string, string[]>,
  self: string,
  locked: Set<string>,
): [string, string][] {
  const keptAsWritten = (extra: string) =>
    (extras[extra] ?? []).some((d) => {
      try {
        const r = parseRequirement(d);
        return r.normalizedName === self && locked.has(reqKey(r.name, r.extras, undefined, extra));
      } catch {
        return false;
      }
    });
  const out: [string, string][] = [];
  for (const extra of Object.keys(extras))
    for (const d of keptAsWritten(extra) ? (extras[extra] ?? []) : expandExtra(extras, extra, self))
      out.push([extra, d]);
  return out;
}

/**
 * Is uv.lock stale for this project? uv records each workspace member's declared requirements in
 * `[package.metadata] requires-dist` / `requires-dev`; compare them with pyproject.toml
 * (names, extras and specifier clauses; marker spelling is uv's own, so markers other than
 * `extra == ...` are not compared) and compare `requires-python`.
 */
export function uvLockStaleness(
  lock: UvLock,
  project: PyProject,
  memberName: string | undefined,
  /** Off in a workspace, where uv intersects every member's requires-python. */
  checkRequiresPython = true,
): Staleness {
  const changes: string[] = [];
  const name = memberName ? normalizeName(memberName) : undefined;
  const entry = lock.raw.package?.find(
    (p) =>
      (name ? normalizeName(p.name) === name : true) &&
      p.source &&
      ('editable' in p.source || 'virtual' in p.source || 'directory' in p.source),
  );
  if (!entry) {
    if (name) changes.push(`${name} (the project) is not in ${lock.file}`);
    return { stale: changes.length > 0, method: 'requires-dist', changes };
  }
  const { direct, conditional } = sourceKinds(project);
  const lockedSpec = (r: Record<string, unknown> & { specifier?: string | undefined }) =>
    isDirect(r) ? undefined : r.specifier;
  const locked = new Set<string>();
  for (const r of entry.metadata?.['requires-dist'] ?? [])
    locked.add(reqKey(r.name, r.extras, lockedSpec(r), extraOf(r.marker)));
  const declared = new Set<string>();
  const declaredSpec = (r: { name: string; url?: string | undefined; specifier: string }) =>
    r.url || direct.has(normalizeName(r.name)) ? undefined : r.specifier;
  const add = (s: string, extra?: string) => {
    try {
      const r = parseRequirement(s);
      declared.add(reqKey(r.name, r.extras, declaredSpec(r), extra));
      const fallback = reqKey(r.name, r.extras, r.specifier, extra);
      if (conditional.has(normalizeName(r.name)) && locked.has(fallback)) declared.add(fallback);
    } catch {
      declared.add(`${s} (unparsable)`);
    }
  };
  for (const d of project.project?.dependencies ?? []) add(d);
  const self = name ?? normalizeName(projectName(project) ?? '');
  for (const [extra, d] of extraRequirements(project.project?.['optional-dependencies'] ?? {}, self, locked))
    add(d, extra);
  diffSets(declared, locked, 'dependency', changes);

  const lockedDev = new Set<string>();
  for (const [g, list] of Object.entries(entry.metadata?.['requires-dev'] ?? {}))
    for (const r of list) lockedDev.add(`${normalizeName(g)}: ${reqKey(r.name, r.extras, lockedSpec(r))}`);
  const declaredDev = new Set<string>();
  const addDev = (group: string, s: string) => {
    try {
      const r = parseRequirement(s);
      declaredDev.add(`${normalizeName(group)}: ${reqKey(r.name, r.extras, declaredSpec(r))}`);
    } catch {
      declaredDev.add(`${group}: ${s} (unparsable)`);
    }
  };
  for (const d of project.uv?.['dev-dependencies'] ?? []) addDev('dev', d);
  // uv records a PEP 735 `{include-group = "x"}` expanded: the included group's requirements.
  for (const g of Object.keys(project.dependencyGroups ?? {}))
    for (const d of expandGroup(project.dependencyGroups ?? {}, g)) addDev(g, d);
  // Older uv versions did not write requires-dev: only compare when the lock has it.
  if (entry.metadata?.['requires-dev'] !== undefined || declaredDev.size === 0)
    diffSets(declaredDev, lockedDev, 'dev dependency', changes);

  const declaredPy = project.project?.['requires-python'];
  if (
    checkRequiresPython &&
    declaredPy &&
    lock.requiresPython &&
    !sameRequiresPython(declaredPy, lock.requiresPython)
  ) {
    changes.push(
      `requires-python is "${declaredPy}" in ${project.file} but "${lock.requiresPython}" in ${lock.file}`,
    );
  }
  return { stale: changes.length > 0, method: 'requires-dist', changes };
}

function diffSets(declared: Set<string>, locked: Set<string>, what: string, changes: string[]): void {
  for (const d of declared) if (!locked.has(d)) changes.push(`${what} ${d} is declared but not locked`);
  for (const l of locked) if (!declared.has(l)) changes.push(`${what} ${l} is locked but no longer declared`);
}

function isDirect(source: unknown): boolean {
  return (
    typeof source === 'object' &&
    source !== null &&
    DIRECT_KEYS.some((k) => (source as Record<string, unknown>)[k] !== undefined)
  );
}

/**
 * The requirement strings of a PEP 735 dependency group with `{include-group = ...}` entries
 * replaced by the included group's, recursively; group names compare normalized, a cycle stops.
 */
export function expandGroup(
  groups: Record<string, unknown[]>,
  name: string,
  seen = new Set<string>(),
): string[] {
  const key = normalizeName(name);
  if (seen.has(key)) return [];
  seen.add(key);
  const list = Object.entries(groups).find(([g]) => normalizeName(g) === key)?.[1];
  const out: string[] = [];
  for (const item of Array.isArray(list) ? list : []) {
    if (typeof item === 'string') out.push(item);
    else if (typeof item === 'object' && item !== null && 'include-group' in item) {
      const inc = (item as Record<string, unknown>)['include-group'];
      if (typeof inc === 'string') out.push(...expandGroup(groups, inc, seen));
    }
  }
  return out;
}

/**
 * The requirement strings of an extra with references to the project itself (`app[prod,local]` in
 * the `dev` extra) replaced by those extras' requirements, recursively, as older uv records them in
 * requires-dist (`boto3 ; extra == 'dev'`); a cycle stops.
 */
export function expandExtra(
  extras: Record<string, string[]>,
  name: string,
  self: string,
  seen = new Set<string>(),
): string[] {
  const key = normalizeName(name);
  if (seen.has(key)) return [];
  seen.add(key);
  const list = Object.entries(extras).find(([e]) => normalizeName(e) === key)?.[1] ?? [];
  const out: string[] = [];
  for (const s of list) {
    let r: ReturnType<typeof parseRequirement> | null = null;
    try {
      r = parseRequirement(s);
    } catch {
      r = null;
    }
    if (self && r && r.normalizedName === self && !r.url)
      for (const ex of r.extras) out.push(...expandExtra(extras, ex, self, seen));
    else out.push(s);
  }
  return out;
}

import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InputError } from '../../plan.js';
import { normalizeName, parseRequirement } from '../pep508.js';
import type { PyProject } from '../pyproject.js';
import { findKeyLine, getPath, isTable, parseToml, pythonJsonDumps, type TomlTable } from '../toml.js';
import { parseLockShape } from './shape.js';
import {
  checkFormatVersion,
  type LockedDep,
  type LockedPackage,
  type LockFile,
  type Staleness,
} from './types.js';
import { tableLines } from './uv.js';

/** Newest poetry.lock `lock-version` pycontain knows: 1.0/1.1 (Poetry <= 1.1), 2.0 (1.2-1.8), 2.1 (2.x). */
export const POETRY_LOCK_VERSION = '2.1';

const fileEntry = z.looseObject({ file: z.string(), hash: z.string().optional() });
const poetryPackage = z.looseObject({
  name: z.string(),
  version: z.string(),
  category: z.string().optional(),
  groups: z.array(z.string()).optional(),
  optional: z.boolean().optional(),
  markers: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
  'python-versions': z.string().optional(),
  files: z.array(fileEntry).optional(),
  dependencies: z.record(z.string(), z.unknown()).optional(),
  extras: z.record(z.string(), z.array(z.string())).optional(),
  source: z
    .looseObject({
      type: z.string().optional(),
      url: z.string().optional(),
      reference: z.string().optional(),
    })
    .optional(),
});
const poetryLock = z.looseObject({
  package: z.array(poetryPackage).optional(),
  metadata: z.looseObject({
    'lock-version': z.string().optional(),
    'python-versions': z.string().optional(),
    'content-hash': z.string().optional(),
    files: z.record(z.string(), z.array(fileEntry)).optional(),
  }),
});

export interface PoetryLock extends LockFile {
  kind: 'poetry';
}

/** Poetry writes `name (>=1.0)` or `name[extra] (>=1.0) ; marker` in `[package.extras]`. */
function depFromExtraString(s: string): LockedDep {
  const m = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[([^\]]*)\])?[^;]*(?:;\s*(.*))?$/.exec(s);
  const extras = m?.[2]
    ?.split(',')
    .map((e) => e.trim())
    .filter(Boolean)
    .map(normalizeName);
  return {
    name: normalizeName(m?.[1] ?? s.trim()),
    ...(m?.[3] ? { marker: m[3].trim() } : {}),
    ...(extras?.length ? { extras } : {}),
  };
}

/** A PEP 508 string as a LockedDep; falls back to the leading name when it does not parse. */
export function requirementDep(s: string): LockedDep {
  try {
    const r = parseRequirement(s);
    return {
      name: r.normalizedName,
      ...(r.markerText ? { marker: r.markerText } : {}),
      ...(r.extras.length ? { extras: r.extras } : {}),
    };
  } catch {
    return depFromExtraString(s.replace(/[<>=!~(].*$/, ''));
  }
}

function depsOf(table: Record<string, unknown> | undefined): LockedDep[] {
  const out: LockedDep[] = [];
  for (const [name, spec] of Object.entries(table ?? {})) {
    const variants = Array.isArray(spec) ? spec : [spec];
    for (const v of variants) {
      if (isTable(v)) {
        // Optional dependencies of a package are only installed through one of its extras.
        if (v.optional === true) continue;
        const extras = Array.isArray(v.extras) ? v.extras.map(String).map(normalizeName) : undefined;
        out.push({
          name: normalizeName(name),
          ...(typeof v.markers === 'string' ? { marker: v.markers } : {}),
          ...(extras?.length ? { extras } : {}),
        });
      } else out.push({ name: normalizeName(name) });
    }
  }
  return out;
}

export function parsePoetryLock(text: string, file: string): PoetryLock {
  const data = parseToml(text, file);
  const versionLine = findKeyLine(text, 'metadata', 'lock-version');
  const meta = isTable(data.metadata) ? data.metadata : undefined;
  if (!meta) throw new InputError(`${file} has no [metadata] table; is it a poetry.lock?`, file, 1);
  // Poetry < 1.0 wrote no lock-version: that format is 1.0-compatible for what we read.
  const version = typeof meta['lock-version'] === 'string' ? meta['lock-version'] : '1.0';
  const notes: string[] = [];
  const note = checkFormatVersion('Poetry', file, version, POETRY_LOCK_VERSION, versionLine);
  if (note) notes.push(note);
  const raw = parseLockShape(poetryLock, data, text, file, findKeyLine(text, 'metadata'));
  const legacyFiles = raw.metadata.files ?? {};
  const legacyByName = new Map<string, string[]>();
  for (const [name, files] of Object.entries(legacyFiles))
    legacyByName.set(
      normalizeName(name),
      files.map((f) => f.file),
    );
  const pkgLines = tableLines(text, 'package');
  const packages: LockedPackage[] = (raw.package ?? []).map((p, i) => {
    const name = normalizeName(p.name);
    const files = p.files ? p.files.map((f) => f.file) : (legacyByName.get(name) ?? []);
    const kind = p.source?.type && p.source.type !== 'legacy' ? p.source.type : 'registry';
    const optionalDependencies: Record<string, LockedDep[]> = {};
    for (const [extra, list] of Object.entries(p.extras ?? {}))
      optionalDependencies[normalizeName(extra)] = list.map(depFromExtraString);
    // Optional deps named by extras must be findable even though depsOf() skips them.
    const groups = p.groups ?? (p.category ? [p.category] : undefined);
    return {
      name,
      version: p.version,
      wheels: files.filter((f) => f.endsWith('.whl')),
      sdist: files.some((f) => !f.endsWith('.whl')) || ['git', 'directory', 'file', 'url'].includes(kind),
      sourceKind: kind,
      dependencies: depsOf(p.dependencies),
      optionalDependencies,
      ...(groups ? { groups } : {}),
      ...(p.optional !== undefined ? { optional: p.optional } : {}),
      ...(typeof p.markers === 'string' ? { marker: p.markers } : {}),
      line: pkgLines[i],
    };
  });
  return {
    kind: 'poetry',
    file,
    formatVersion: version,
    formatVersionLine: versionLine,
    ...(raw.metadata['python-versions']
      ? {
          requiresPython: raw.metadata['python-versions'],
          requiresPythonLine: findKeyLine(text, 'metadata', 'python-versions'),
        }
      : {}),
    packages,
    ...(raw.metadata['content-hash']
      ? {
          contentHash: raw.metadata['content-hash'],
          contentHashLine: findKeyLine(text, 'metadata', 'content-hash'),
        }
      : {}),
    notes,
  };
}

const LEGACY_KEYS = ['dependencies', 'source', 'extras', 'dev-dependencies'];
const RELEVANT_KEYS = [...LEGACY_KEYS, 'group'];
const RELEVANT_PROJECT_KEYS = ['requires-python', 'dependencies', 'optional-dependencies'];

function sha256(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/**
 * The content-hash candidates Poetry would write for this pyproject, newest algorithm first.
 * Poetry hashes `json.dumps(relevant, sort_keys=True)` where `relevant` is:
 *  - Poetry <= 1.8: the `[tool.poetry]` keys dependencies, source, extras, dev-dependencies (null when
 *    absent) plus `group` when present;
 *  - Poetry 2: when `[project]` has requires-python/dependencies/optional-dependencies,
 *    `{"project": {...those}, "tool": {"poetry": {...non-null relevant keys}}}` plus
 *    `dependency-groups` when present (2.2); otherwise the 1.x form.
 */
export function poetryContentHashes(project: PyProject): { algorithm: string; hash: string }[] {
  const tp = (getPath(project.data, 'tool.poetry') as TomlTable | undefined) ?? {};
  const proj = (project.data.project as TomlTable | undefined) ?? {};
  const legacy: TomlTable = {};
  for (const k of RELEVANT_KEYS) {
    const v = tp[k];
    if (v === undefined && !LEGACY_KEYS.includes(k)) continue;
    legacy[k] = v ?? null;
  }
  const out = [{ algorithm: 'poetry-1', hash: sha256(pythonJsonDumps(legacy)) }];
  const relProject: TomlTable = {};
  for (const k of RELEVANT_PROJECT_KEYS) if (proj[k] !== undefined) relProject[k] = proj[k];
  if (Object.keys(relProject).length > 0) {
    const relPoetry: TomlTable = {};
    for (const k of RELEVANT_KEYS) if (tp[k] !== undefined) relPoetry[k] = tp[k];
    const content: TomlTable = { project: relProject, tool: { poetry: relPoetry } };
    out.unshift({ algorithm: 'poetry-2', hash: sha256(pythonJsonDumps(content)) });
    const groups = project.data['dependency-groups'];
    if (groups !== undefined)
      out.unshift({
        algorithm: 'poetry-2.2',
        hash: sha256(pythonJsonDumps({ ...content, 'dependency-groups': groups })),
      });
  }
  return out;
}

/** Main and dev dependency names declared in pyproject for Poetry (PEP 621 and `[tool.poetry]`). */
export function poetryDeclared(project: PyProject): { main: LockedDep[]; dev: LockedDep[] } {
  const main: LockedDep[] = [];
  const dev: LockedDep[] = [];
  const push = (into: LockedDep[], table: Record<string, unknown> | undefined) => {
    for (const [name, spec] of Object.entries(table ?? {})) {
      if (name.toLowerCase() === 'python') continue;
      const variants = Array.isArray(spec) ? spec : [spec];
      const v = variants[0];
      // An optional main dependency is installed only with its extra: not part of the default install.
      if (isTable(v) && v.optional === true) continue;
      const extras =
        isTable(v) && Array.isArray(v.extras) ? v.extras.map(String).map(normalizeName) : undefined;
      into.push({ name: normalizeName(name), ...(extras?.length ? { extras } : {}) });
    }
  };
  push(main, project.poetry?.dependencies);
  for (const s of project.project?.dependencies ?? []) main.push(requirementDep(s));
  push(dev, project.poetry?.['dev-dependencies']);
  for (const g of Object.values(project.poetry?.group ?? {})) push(dev, g.dependencies);
  return { main, dev };
}

export function poetryLockStaleness(lock: PoetryLock, project: PyProject): Staleness {
  if (lock.contentHash) {
    const candidates = poetryContentHashes(project);
    if (candidates.some((c) => c.hash === lock.contentHash))
      return { stale: false, method: 'content-hash', changes: [] };
  }
  const changes: string[] = [];
  const locked = new Set(lock.packages.map((p) => p.name));
  const { main, dev } = poetryDeclared(project);
  for (const d of [...main, ...dev])
    if (!locked.has(d.name)) changes.push(`${d.name} is declared in ${project.file} but not in ${lock.file}`);
  if (!lock.contentHash) return { stale: changes.length > 0, method: 'names', changes };
  if (changes.length === 0) {
    changes.push(
      `content-hash differs: the dependencies, groups, sources or extras in ${project.file} changed since ${lock.file} was written (run \`poetry lock\`)`,
    );
  }
  return { stale: true, method: 'content-hash', changes };
}

import { createHash } from 'node:crypto';
import { z } from 'zod';
import { InputError } from '../../plan.js';
import { normalizeName } from '../pep508.js';
import type { PyProject } from '../pyproject.js';
import { findKeyLine, getPath, isTable, parseToml, pythonJsonDumps, type TomlTable } from '../toml.js';
import { requirementDep } from './poetry.js';
import { parseLockShape } from './shape.js';
import { checkFormatVersion, type LockedPackage, type LockFile, type Staleness } from './types.js';
import { tableLines } from './uv.js';
import { fileNameOf } from './wheels.js';

/** Newest pdm.lock `lock_version` pycontain knows (PDM 2.x writes 4.0 ... 4.5.0; minors only add fields). */
export const PDM_LOCK_VERSION = '4.5';

const fileEntry = z.looseObject({
  url: z.string().optional(),
  file: z.string().optional(),
  hash: z.string().optional(),
});
const pdmPackage = z.looseObject({
  name: z.string(),
  version: z.string().optional(),
  requires_python: z.string().optional(),
  dependencies: z.array(z.string()).optional(),
  extras: z.array(z.string()).optional(),
  groups: z.array(z.string()).optional(),
  files: z.array(fileEntry).optional(),
  editable: z.boolean().optional(),
  path: z.string().optional(),
  git: z.string().optional(),
  url: z.string().optional(),
});
const pdmLock = z.looseObject({
  package: z.array(pdmPackage).optional(),
  metadata: z.looseObject({
    lock_version: z.string(),
    content_hash: z.string().optional(),
    groups: z.array(z.string()).optional(),
    files: z.record(z.string(), z.array(fileEntry)).optional(),
    requires_python: z.string().optional(),
  }),
});

export interface PdmLock extends LockFile {
  kind: 'pdm';
}

export function parsePdmLock(text: string, file: string): PdmLock {
  const data = parseToml(text, file);
  const meta = isTable(data.metadata) ? data.metadata : undefined;
  const versionLine = findKeyLine(text, 'metadata', 'lock_version');
  if (!meta || typeof meta.lock_version !== 'string') {
    throw new InputError(
      `${file} has no [metadata] lock_version; is it a pdm.lock?`,
      file,
      versionLine ?? findKeyLine(text, 'metadata') ?? 1,
    );
  }
  const notes: string[] = [];
  const note = checkFormatVersion('PDM', file, meta.lock_version, PDM_LOCK_VERSION, versionLine);
  if (note) notes.push(note);
  const raw = parseLockShape(pdmLock, data, text, file, findKeyLine(text, 'metadata'));
  // lock_version 4.0/4.1 keep files in [metadata.files] keyed "name version"; later versions per package.
  const legacy = new Map<string, string[]>();
  for (const [key, files] of Object.entries(raw.metadata.files ?? {})) {
    const [n, v] = key.split(/\s+/);
    legacy.set(
      `${normalizeName(n ?? '')} ${v ?? ''}`,
      files.map((f) => f.file ?? fileNameOf(f.url ?? '')),
    );
  }
  // PDM writes one [[package]] per (name, extras) combination; merge them by name.
  const byName = new Map<string, LockedPackage>();
  const pkgLines = tableLines(text, 'package');
  (raw.package ?? []).forEach((p, i) => {
    const name = normalizeName(p.name);
    const version = p.version ?? '';
    const files = p.files
      ? p.files.map((f) => f.file ?? fileNameOf(f.url ?? ''))
      : (legacy.get(`${name} ${version}`) ?? []);
    const kind = p.editable ? 'editable' : p.git ? 'git' : p.path ? 'path' : p.url ? 'url' : 'registry';
    const deps = (p.dependencies ?? []).map(requirementDep).filter((d) => d.name !== name);
    const existing = byName.get(name);
    if (existing) {
      for (const extra of p.extras ?? []) existing.optionalDependencies[normalizeName(extra)] = deps;
      if (!p.extras?.length) existing.dependencies.push(...deps);
      if (p.groups) existing.groups = [...new Set([...(existing.groups ?? []), ...p.groups])];
      return;
    }
    const pkg: LockedPackage = {
      name,
      version,
      wheels: files.filter((f) => f.endsWith('.whl')),
      sdist: files.some((f) => !f.endsWith('.whl')) || kind !== 'registry',
      sourceKind: kind,
      dependencies: p.extras?.length ? [] : deps,
      optionalDependencies: {},
      ...(p.groups ? { groups: [...p.groups] } : {}),
      line: pkgLines[i],
    };
    for (const extra of p.extras ?? []) pkg.optionalDependencies[normalizeName(extra)] = deps;
    byName.set(name, pkg);
  });
  return {
    kind: 'pdm',
    file,
    formatVersion: raw.metadata.lock_version,
    formatVersionLine: versionLine,
    ...(raw.metadata.requires_python ? { requiresPython: raw.metadata.requires_python } : {}),
    packages: [...byName.values()],
    ...(raw.metadata.content_hash
      ? {
          contentHash: raw.metadata.content_hash,
          contentHashLine: findKeyLine(text, 'metadata', 'content_hash'),
        }
      : {}),
    notes,
  };
}

/**
 * PDM 2.20+'s dev-dependencies for the hash: PEP 735 groups as written, then [tool.pdm.dev-dependencies]
 * appended, both under normalized group names.
 */
function pdmDevGroups(groups: TomlTable, devDeps: TomlTable): TomlTable {
  const out: Record<string, unknown[]> = {};
  for (const [g, list] of Object.entries(groups)) out[normalizeName(g)] = [...[list].flat()];
  for (const [g, list] of Object.entries(devDeps)) {
    const key = normalizeName(g);
    out[key] = [...(out[key] ?? []), ...[list].flat()];
  }
  return out as TomlTable;
}

/**
 * PDM's content hash: `json.dumps({sources, dependencies, dev-dependencies, optional-dependencies,
 * requires-python, overrides}, sort_keys=True)` hashed with the algorithm named in the lock
 * (`sha256:<hex>`). PDM versions differ in where `overrides` come from (`[tool.pdm.resolution.overrides]`
 * or `[tool.pdm.overrides]`; 2.20+ hashes the whole resolution table as `resolution`) and newer ones
 * fold PEP 735 groups into dev-dependencies: every variant is tried.
 */
export function pdmContentHashes(project: PyProject, algorithm = 'sha256'): string[] {
  const tp = (getPath(project.data, 'tool.pdm') as TomlTable | undefined) ?? {};
  const proj = (project.data.project as TomlTable | undefined) ?? {};
  const resolution = isTable(tp.resolution) ? tp.resolution : {};
  const devDeps = (tp['dev-dependencies'] as TomlTable | undefined) ?? {};
  const groups = isTable(project.data['dependency-groups'])
    ? (project.data['dependency-groups'] as TomlTable)
    : undefined;
  const devVariants: TomlTable[] = [devDeps, pdmDevGroups(groups ?? {}, devDeps)];
  if (groups) devVariants.push({ ...devDeps, ...groups });
  // PDM 2.20+ hashes the whole [tool.pdm.resolution] table under "resolution" instead.
  const tailVariants: ([string, TomlTable] | undefined)[] = [
    ['overrides', (resolution.overrides as TomlTable | undefined) ?? {}],
    ['overrides', (tp.overrides as TomlTable | undefined) ?? {}],
    ['resolution', resolution],
    undefined,
  ];
  const out = new Set<string>();
  for (const dev of devVariants) {
    for (const tail of tailVariants) {
      const dump: TomlTable = {
        sources: tp.source ?? [],
        dependencies: proj.dependencies ?? [],
        'dev-dependencies': dev,
        'optional-dependencies': proj['optional-dependencies'] ?? {},
        'requires-python': proj['requires-python'] ?? '',
      };
      if (tail) dump[tail[0]] = tail[1];
      try {
        out.add(createHash(algorithm).update(pythonJsonDumps(dump), 'utf8').digest('hex'));
      } catch {
        // An algorithm node does not have: no candidate.
      }
    }
  }
  return [...out];
}

export function pdmLockStaleness(lock: PdmLock, project: PyProject): Staleness {
  const changes: string[] = [];
  if (lock.contentHash) {
    const [algo, hex] = lock.contentHash.includes(':')
      ? (lock.contentHash.split(':', 2) as [string, string])
      : ['md5', lock.contentHash];
    if (pdmContentHashes(project, algo).includes(hex))
      return { stale: false, method: 'content-hash', changes };
  }
  const locked = new Set(lock.packages.map((p) => p.name));
  const declared = [...(project.project?.dependencies ?? [])];
  for (const list of Object.values(project.pdm?.['dev-dependencies'] ?? {})) declared.push(...list);
  for (const s of declared) {
    const d = requirementDep(s);
    if (!locked.has(d.name)) changes.push(`${d.name} is declared in ${project.file} but not in ${lock.file}`);
  }
  if (lock.contentHash && changes.length === 0)
    changes.push(
      `content_hash differs: dependencies, sources or requires-python in ${project.file} changed since ${lock.file} was written (run \`pdm lock\`)`,
    );
  return { stale: changes.length > 0, method: lock.contentHash ? 'content-hash' : 'names', changes };
}

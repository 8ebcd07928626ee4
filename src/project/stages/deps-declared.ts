import path from 'node:path';
import type { Dependency, Source } from '../../plan.js';
import type { Pipfile } from '../locks/pipfile.js';
import { requirementDep } from '../locks/poetry.js';
import { fileNameOf } from '../locks/wheels.js';
import { evaluateMarker, type MarkerEnvironment, normalizeName, parseRequirement } from '../pep508.js';
import type { PyProject } from '../pyproject.js';
import type { RequirementsFile } from '../requirements.js';
import { join, lineOfString } from './files.js';

export function markerApplies(
  marker: string | undefined,
  env: MarkerEnvironment,
  extras: string[] = [],
): boolean {
  if (!marker) return true;
  try {
    return evaluateMarker(marker, env, extras);
  } catch {
    // A marker we cannot evaluate: keep the dependency (installing too much is safer than too little).
    return true;
  }
}

export interface RequirementsDeps {
  deps: Dependency[];
  /** The line that installs the project itself (`.`), if any. */
  selfInstall: Source | null;
  /** Local paths the requirements install, relative to the root. */
  localFiles: string[];
  pinned: boolean;
  hashes: boolean;
}

/** One requirement line as a dependency; a wheel link keeps its file name, any other link builds. */
function requirementToDep(e: RequirementsFile['entries'][number], name: string, source: Source): Dependency {
  const spec = e.requirement?.specifier ?? '';
  const exact = /^===?\s*([^,*\s]+)$/.exec(spec.trim());
  const dep: Dependency = { name, source };
  if (exact?.[1]) dep.version = exact[1];
  else if (spec) dep.specifier = spec;
  if (e.requirement?.extras.length) dep.extras = e.requirement.extras;
  const link = e.url ?? e.path;
  if (link) {
    const file = fileNameOf(link);
    if (file.endsWith('.whl')) dep.wheels = [file];
    else dep.buildsFromSource = true;
  }
  return dep;
}

export function requirementsToDeps(
  req: RequirementsFile,
  env: MarkerEnvironment,
  appDir: string,
): RequirementsDeps {
  const deps: Dependency[] = [];
  let selfInstall: Source | null = null;
  const localFiles: string[] = [];
  let pinned = req.entries.length > 0;
  let hashes = req.entries.length > 0 || req.options.requireHashes;
  for (const e of req.entries) {
    if (e.requirement?.marker && !markerApplies(e.requirement.markerText, env)) continue;
    if (e.hashes.length === 0) hashes = false;
    const source: Source = { file: e.source.file, line: e.source.line, column: e.source.column };
    if (e.path !== undefined) {
      const p = path.posix.normalize(e.path.replace(/\\/g, '/'));
      if (p === '.' || p === './' || p === '') {
        selfInstall = source;
        continue;
      }
      localFiles.push(join(appDir, p.replace(/\/$/, '')));
    }
    const name = e.requirement?.normalizedName;
    if (!name) {
      pinned = false;
      continue;
    }
    const exact = /^===?\s*([^,*\s]+)$/.exec((e.requirement?.specifier ?? '').trim());
    if (!exact && !e.url && e.path === undefined) pinned = false;
    deps.push(requirementToDep(e, name, source));
  }
  return { deps, selfInstall, localFiles, pinned, hashes };
}

/** PEP 508 strings (`[project] dependencies`, install_requires) whose markers apply on Linux. */
export function declaredToDeps(
  list: string[],
  file: string,
  pp: PyProject | null,
  env: MarkerEnvironment,
  group?: string,
): Dependency[] {
  const out: Dependency[] = [];
  for (const s of list) {
    let name: string;
    let spec = '';
    let extras: string[] = [];
    try {
      const r = parseRequirement(s);
      if (r.markerText && !markerApplies(r.markerText, env)) continue;
      name = r.normalizedName;
      spec = r.specifier;
      extras = r.extras;
    } catch {
      name = requirementDep(s).name;
    }
    const line = pp ? lineOfString(pp.text, s) : undefined;
    const dep: Dependency = { name, source: { file, ...(line ? { line } : {}) } };
    const exact = /^==\s*([^,*\s]+)$/.exec(spec.trim());
    if (exact?.[1]) dep.version = exact[1];
    else if (spec) dep.specifier = spec;
    if (extras.length) dep.extras = extras;
    if (group) dep.group = group;
    out.push(dep);
  }
  return out;
}

/** A `[tool.poetry.dependencies]`-style table (name = "^1.2" or a table, or a list of them). */
export function poetryTableToDeps(
  table: Record<string, unknown> | undefined,
  pp: PyProject,
  tableName: string,
  group?: string,
): Dependency[] {
  const out: Dependency[] = [];
  for (const [n, v] of Object.entries(table ?? {})) {
    if (n.toLowerCase() === 'python') continue;
    const first = Array.isArray(v) ? v[0] : v;
    const spec =
      typeof first === 'string'
        ? first
        : typeof (first as { version?: unknown })?.version === 'string'
          ? String((first as { version: string }).version)
          : '';
    const line = pp.line(tableName, n);
    const dep: Dependency = { name: normalizeName(n), source: { file: pp.file, ...(line ? { line } : {}) } };
    if (spec && spec !== '*') dep.specifier = spec;
    if (/^\d[\w.]*$/.test(spec)) dep.version = spec;
    const extras = (first as { extras?: unknown })?.extras;
    if (Array.isArray(extras) && extras.length) dep.extras = extras.map(String).map(normalizeName);
    const link = first as { git?: unknown; path?: unknown; url?: unknown } | undefined;
    if (link?.git || link?.path || link?.url) dep.buildsFromSource = true;
    if (group) dep.group = group;
    out.push(dep);
  }
  return out;
}

/** Pipfile without lock: the declared packages, dev ones grouped. */
export function pipfileToDeps(p: Pipfile): Dependency[] {
  const out: Dependency[] = [];
  const conv = (table: Record<string, unknown>, group?: string) => {
    for (const [n, v] of Object.entries(table)) {
      const spec =
        typeof v === 'string'
          ? v
          : typeof (v as { version?: unknown })?.version === 'string'
            ? String((v as { version: string }).version)
            : '';
      const line = p.line(group ? 'dev-packages' : 'packages', n);
      const dep: Dependency = { name: normalizeName(n), source: { file: p.file, ...(line ? { line } : {}) } };
      const exact = /^==\s*([^,*\s]+)$/.exec(spec);
      if (exact?.[1]) dep.version = exact[1];
      else if (spec && spec !== '*') dep.specifier = spec;
      if (group) dep.group = group;
      out.push(dep);
    }
  };
  conv(p.packages);
  conv(p.devPackages, 'dev');
  return out;
}

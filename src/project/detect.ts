import { promises as fsp } from 'node:fs';
import path from 'node:path';
import {
  type Decision,
  type Dependency,
  type IndexConfig,
  InputError,
  type Overrides,
  PLAN_SCHEMA_VERSION,
  type Plan,
  type Source,
  type Warning,
} from '../plan.js';
import { aptReleases } from '../util/apt-releases.js';
import { chooseAppDir } from './appdir.js';
import { detectFramework } from './framework.js';
import { chooseImagesExplained, debianReleaseNamedIn, pythonMinorOfImage } from './images.js';
import { type PdmLock, parsePdmLock, pdmLockStaleness } from './locks/pdm.js';
import {
  type Pipfile,
  type PipfileLock,
  parsePipfile,
  parsePipfileLock,
  pipfileLockStaleness,
} from './locks/pipfile.js';
import {
  type PoetryLock,
  parsePoetryLock,
  poetryDeclared,
  poetryLockStaleness,
  requirementDep,
} from './locks/poetry.js';
import { lockedPackageIndex } from './locks/select.js';
import type { LockedDep, LockedPackage, LockFile, Staleness } from './locks/types.js';
import { parseUvLock, type UvLock, uvLockStaleness } from './locks/uv.js';
import { fileNameOf, wheelFits } from './locks/wheels.js';
import { classifyWheels, nativeNeeds } from './native.js';
import { type FileOverrides, mergeOverrides, readToolPycontain } from './overrides.js';
import { detectPackageManager, explainPackageManager, type PmDetection } from './package-manager.js';
import { packageTestsFor } from './package-tests.js';
import { compareMinor } from './pep440.js';
import {
  evaluateMarker,
  linuxEnvironment,
  type MarkerEnvironment,
  normalizeName,
  parseRequirement,
} from './pep508.js';
import {
  isProjectManifest,
  type PyProject,
  parsePyProject,
  projectName,
  projectScripts,
  readmeFiles,
} from './pyproject.js';
import {
  lockHasWheelData,
  lowerCeiling,
  type PythonCeiling,
  pinnedPackageCeiling,
  pinnedPackageWarnings,
} from './python-ceilings.js';
import { supportedMinors } from './python-releases.js';
import {
  classifierHint,
  distrolessPreference,
  type PythonConstraint,
  resolvePythonVersion,
} from './python-version.js';
import { type RequirementsFile, readRequirements } from './requirements.js';
import { runtimeExtras } from './runtime-extras.js';
import { parseSetupCfg, type SetupMetadata, scanSetupPy } from './setupcfg.js';
import { sourceBuildNeeds } from './source-builds.js';

/** Default non-root user of the runtime stage: a fixed UID above the ranges distributions allocate. */
export const DEFAULT_UID = 10001;
/** The BuildKit secret id that carries index credentials (a netrc file or `user:token`). */
export const INDEX_SECRET_ID = 'pip-index';

const PYPI_URLS = new Set([
  'https://pypi.org/simple',
  'https://pypi.python.org/simple',
  'https://pypi.org/pypi',
]);

const join = (dir: string, f: string) => (dir === '.' || dir === '' ? f : `${dir}/${f}`);

async function readText(root: string, rel: string): Promise<string | null> {
  try {
    return await fsp.readFile(path.join(root, rel), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR') return null;
    throw err;
  }
}

async function fileExists(root: string, rel: string): Promise<boolean> {
  try {
    return (await fsp.stat(path.join(root, rel))).isFile();
  } catch {
    return false;
  }
}

async function dirExists(root: string, rel: string): Promise<boolean> {
  try {
    return (await fsp.stat(path.join(root, rel))).isDirectory();
  } catch {
    return false;
  }
}

async function readPy(root: string, rel: string): Promise<PyProject | null> {
  const text = await readText(root, rel);
  return text === null ? null : parsePyProject(text, rel);
}

interface Workspace {
  root: string;
  pyproject: PyProject;
  members: { dir: string; pyproject: PyProject; name: string | undefined }[];
  /** The member that is the app, or null for the workspace root. */
  app: { dir: string; pyproject: PyProject; name: string | undefined } | null;
  reason: string;
}

/** Expand `[tool.uv.workspace] members` globs (one `*` level or `**`) under the workspace root. */
async function workspaceMembers(
  root: string,
  wsDir: string,
  ws: PyProject,
): Promise<{ dir: string; pyproject: PyProject; name: string | undefined }[]> {
  const patterns = (ws.uv?.workspace?.members ?? []).map((m) => m.replace(/\/+$/, ''));
  const excludes = ws.uv?.workspace?.exclude ?? [];
  const toRe = (p: string) =>
    new RegExp(
      `^${p
        .split('/')
        .map((s) =>
          s === '**'
            ? '.*'
            : s
                .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '[^/]'),
        )
        .join('/')}$`,
    );
  const out: { dir: string; pyproject: PyProject; name: string | undefined }[] = [];
  const walk = async (rel: string, depth: number) => {
    if (depth > 4) return;
    let entries: import('node:fs').Dirent[] = [];
    try {
      entries = await fsp.readdir(path.join(root, wsDir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (!e.isDirectory() || e.name.startsWith('.') || e.name === 'node_modules') continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (patterns.some((p) => toRe(p).test(r)) && !excludes.some((p) => toRe(p).test(r))) {
        const dir = join(wsDir, r);
        const pp = await readPy(root, join(dir, 'pyproject.toml'));
        if (!pp) {
          throw new InputError(
            `uv workspace member ${dir} has no pyproject.toml`,
            ws.file,
            ws.line('tool.uv.workspace', 'members'),
          );
        }
        out.push({ dir, pyproject: pp, name: projectName(pp) });
      }
      await walk(r, depth + 1);
    }
  };
  await walk('', 0);
  return out;
}

const APP_MEMBER_NAMES = ['app', 'api', 'server', 'backend', 'web', 'service', 'main'];

/**
 * In a uv workspace, which member is the application? The root when it declares dependencies of its
 * own (it is then a real project); otherwise the member no other member depends on (libraries are
 * depended upon, the app is not), preferring one with scripts or an app-like name.
 */
async function findWorkspace(
  root: string,
  appDir: string,
  appPy: PyProject | null,
): Promise<Workspace | null> {
  // The app dir may itself be the workspace root, or a member of a workspace above it.
  let wsDir: string | null = null;
  let wsPy: PyProject | null = null;
  if (appPy?.uv?.workspace) {
    wsDir = appDir;
    wsPy = appPy;
  } else {
    let d = appDir;
    while (d !== '.' && d !== '') {
      d = path.posix.dirname(d);
      const p = await readPy(root, join(d, 'pyproject.toml')).catch(() => null);
      if (p?.uv?.workspace) {
        wsDir = d;
        wsPy = p;
        break;
      }
    }
  }
  if (!wsDir || !wsPy) return null;
  const members = await workspaceMembers(root, wsDir, wsPy);
  if (wsDir !== appDir) {
    const m = members.find((x) => x.dir === appDir);
    if (!m) return null;
    return {
      root: wsDir,
      pyproject: wsPy,
      members,
      app: m,
      reason: `${appDir} was chosen and is a member of the uv workspace at ${wsDir}`,
    };
  }
  const rootDeps = wsPy.project?.dependencies ?? [];
  const memberNames = new Set(members.map((m) => normalizeName(m.name ?? '')));
  const rootIsApp =
    rootDeps.some((d) => !memberNames.has(requirementDep(d).name)) ||
    (wsPy.project && Object.keys(wsPy.project.scripts ?? {}).length > 0);
  if (rootIsApp || members.length === 0) {
    return {
      root: wsDir,
      pyproject: wsPy,
      members,
      app: null,
      reason: 'the workspace root declares dependencies of its own',
    };
  }
  const dependedOn = new Set<string>();
  for (const m of members)
    for (const d of m.pyproject.project?.dependencies ?? []) dependedOn.add(requirementDep(d).name);
  const leaves = members.filter((m) => !dependedOn.has(normalizeName(m.name ?? '')));
  const pool = leaves.length ? leaves : members;
  const rank = (m: (typeof members)[number]) => {
    const base = m.dir.split('/').pop() ?? '';
    const nameRank = APP_MEMBER_NAMES.findIndex((n) => base === n || (m.name ?? '').includes(n));
    return [Object.keys(projectScripts(m.pyproject)).length ? 0 : 1, nameRank < 0 ? 99 : nameRank];
  };
  const pick = [...pool].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    return (ra[0] ?? 0) - (rb[0] ?? 0) || (ra[1] ?? 0) - (rb[1] ?? 0) || a.dir.localeCompare(b.dir);
  })[0];
  if (!pick) return null;
  const reason =
    leaves.length === 1
      ? `the only workspace member no other member depends on`
      : `${leaves.length} members are not depended upon; ${pick.dir} ${Object.keys(projectScripts(pick.pyproject)).length ? 'has scripts' : 'has an app-like name'}`;
  return { root: wsDir, pyproject: wsPy, members, app: pick, reason };
}

/** Strip credentials out of an index URL: they must never reach the Dockerfile. */
function cleanIndexUrl(raw: string): { url: string; credentials: boolean } {
  const credentials = /\$\{?[A-Za-z_]/.test(raw) || /^[a-z+]+:\/\/[^/@]+@/i.test(raw);
  let url = raw.replace(/^([a-z+]+:\/\/)[^/@]+@/i, '$1');
  url = url.replace(/\/+$/, '');
  return { url, credentials };
}

function isPypi(url: string): boolean {
  return PYPI_URLS.has(url.replace(/\/+$/, ''));
}

/** Hosts of hosted private registries that always require authentication. */
const PRIVATE_REGISTRY_HOSTS = [
  /\.jfrog\.io$/,
  /(^|\.)pkgs\.dev\.azure\.com$/,
  /\.pkg\.dev$/,
  /\.codeartifact\.[a-z0-9-]+\.amazonaws\.com$/,
  /^gitlab\.com$/,
  /\.cloudsmith\.io$/,
  /^pypi\.fury\.io$/,
  /^maven\.pkg\.github\.com$/,
];

interface IndexResult {
  index: IndexConfig;
  decisions: Decision[];
  warnings: Warning[];
}

interface IndexSource {
  url: string;
  role: 'primary' | 'extra';
  source: Source;
  label: string;
}

/**
 * Index configuration. Credentials are needed when a URL carries user info or a `${VAR}`, or points
 * at a hosted private registry that always authenticates (Artifactory, Azure Artifacts, Artifact
 * Registry, CodeArtifact, GitLab, Cloudsmith, Gemfury). Credentials are stripped from the URL and
 * must come from the BuildKit secret `pip-index` (a netrc file); the generated Dockerfile mounts it
 * optionally, so a mirror that needs no credentials still builds without `--secret`.
 */
function indexConfig(
  sources: IndexSource[],
  overrides: Overrides,
  overrideSources: FileOverrides['sources'],
): IndexResult {
  const decisions: Decision[] = [];
  const warnings: Warning[] = [];
  let primary: IndexSource | undefined;
  const extras: IndexSource[] = [];
  if (overrides.indexUrl !== undefined) {
    primary = {
      url: overrides.indexUrl,
      role: 'primary',
      source: overrideSources.indexUrl ?? { file: '(command line)' },
      label: '--index-url',
    };
  } else primary = sources.find((s) => s.role === 'primary');
  if (overrides.extraIndexUrls !== undefined) {
    for (const u of overrides.extraIndexUrls)
      extras.push({
        url: u,
        role: 'extra',
        source: overrideSources.extraIndexUrls ?? { file: '(command line)' },
        label: '--extra-index-url',
      });
  } else extras.push(...sources.filter((s) => s.role === 'extra'));
  let needs = false;
  const clean = (s: IndexSource) => {
    const c = cleanIndexUrl(s.url);
    let host = '';
    try {
      host = new URL(c.url.replace(/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?/g, 'x')).hostname;
    } catch {
      warnings.push({ code: 'index-url', message: `${s.label}: "${s.url}" is not a URL`, source: s.source });
    }
    const hosted = PRIVATE_REGISTRY_HOSTS.some((re) => re.test(host));
    if (c.credentials || hosted) needs = true;
    if (c.credentials)
      warnings.push({
        code: 'index-credentials',
        message: `${s.label} carries credentials in its URL; pycontain strips them and reads them from the BuildKit secret '${INDEX_SECRET_ID}' (a netrc file) instead`,
        source: s.source,
      });
    return c.url;
  };
  let url: string | null = null;
  if (primary) {
    const u = clean(primary);
    url = isPypi(u) ? null : u;
    decisions.push({
      topic: 'index',
      value: url ?? 'PyPI',
      reason: url ? `${primary.label} sets the primary index` : `${primary.label} names PyPI`,
      source: primary.source,
    });
  }
  const extraUrls = [...new Set(extras.map(clean).filter((u) => !isPypi(u)))];
  if (extraUrls.length)
    decisions.push({
      topic: 'index (extra)',
      value: extraUrls.join(' '),
      reason: `${extras.map((e) => e.label).join(', ')}`,
      source: extras[0]?.source,
    });
  if (needs)
    decisions.push({
      topic: 'index credentials',
      value: `secret ${INDEX_SECRET_ID}`,
      reason: `the index needs credentials: pass them with \`--secret id=${INDEX_SECRET_ID},src=$HOME/.netrc\`; they never enter an ARG, ENV or layer`,
    });
  return {
    index: { url, extraUrls, needsCredentials: needs, secretId: INDEX_SECRET_ID },
    decisions,
    warnings,
  };
}

function pyprojectIndexes(pp: PyProject | null, manager: string): IndexSource[] {
  if (!pp) return [];
  const out: IndexSource[] = [];
  if (manager === 'uv') {
    for (const [i, ix] of (pp.uv?.index ?? []).entries()) {
      if (ix.explicit) continue; // only used for packages pinned to it in [tool.uv.sources]
      out.push({
        url: ix.url,
        role: ix.default ? 'primary' : 'extra',
        source: { file: pp.file, line: nthLine(pp.text, /^\s*\[\[\s*tool\.uv\.index\s*\]\]/, i) },
        label: `[[tool.uv.index]] ${ix.name ?? ix.url}`,
      });
    }
    if (pp.uv?.['index-url'])
      out.push({
        url: pp.uv['index-url'],
        role: 'primary',
        source: { file: pp.file, line: pp.line('tool.uv', 'index-url') },
        label: '[tool.uv] index-url',
      });
    for (const u of pp.uv?.['extra-index-url'] ?? [])
      out.push({
        url: u,
        role: 'extra',
        source: { file: pp.file, line: pp.line('tool.uv', 'extra-index-url') },
        label: '[tool.uv] extra-index-url',
      });
  }
  if (manager === 'poetry') {
    for (const [i, s] of (pp.poetry?.source ?? []).entries()) {
      if (!s.url) continue;
      const prio = s.priority ?? (s.default ? 'default' : s.secondary ? 'secondary' : 'primary');
      if (prio === 'explicit') continue;
      out.push({
        url: s.url,
        role:
          prio === 'primary' || prio === 'default'
            ? out.some((o) => o.role === 'primary')
              ? 'extra'
              : 'primary'
            : 'extra',
        source: { file: pp.file, line: nthLine(pp.text, /^\s*\[\[\s*tool\.poetry\.source\s*\]\]/, i) },
        label: `[[tool.poetry.source]] ${s.name}`,
      });
    }
  }
  if (manager === 'pdm') {
    for (const [i, s] of (pp.pdm?.source ?? []).entries()) {
      out.push({
        url: s.url,
        role: s.name === 'pypi' ? 'primary' : 'extra',
        source: { file: pp.file, line: nthLine(pp.text, /^\s*\[\[\s*tool\.pdm\.source\s*\]\]/, i) },
        label: `[[tool.pdm.source]] ${s.name}`,
      });
    }
  }
  return out;
}

function nthLine(text: string, re: RegExp, n: number): number | undefined {
  const lines = text.split(/\r?\n/);
  let seen = -1;
  for (let i = 0; i < lines.length; i++) if (re.test(lines[i] ?? '') && ++seen === n) return i + 1;
  return undefined;
}

function markerApplies(marker: string | undefined, env: MarkerEnvironment, extras: string[] = []): boolean {
  if (!marker) return true;
  try {
    return evaluateMarker(marker, env, extras);
  } catch {
    // A marker we cannot evaluate: keep the dependency (installing too much is safer than too little).
    return true;
  }
}

/**
 * The packages a lock installs, walking from the declared roots through each package's dependencies
 * (and the optional dependencies of requested extras), evaluating markers for CPython on Linux.
 * Main packages have no group; packages reached only from dev roots get `devGroup`.
 */
function walkLock(
  lock: LockFile,
  mainRoots: LockedDep[],
  devRoots: LockedDep[],
  env: MarkerEnvironment,
  skip: Set<string>,
): Map<string, string | undefined> {
  const find = lockedPackageIndex(lock, env);
  const groups = new Map<string, string | undefined>();
  const walk = (roots: LockedDep[], group: string | undefined) => {
    const queue = [...roots];
    const seen = new Set<string>();
    for (let d = queue.shift(); d; d = queue.shift()) {
      if (!markerApplies(d.marker, env)) continue;
      const key = `${d.name}[${(d.extras ?? []).join(',')}]`;
      if (seen.has(key)) continue;
      seen.add(key);
      const pkg = find(d);
      if (!pkg) continue;
      if (!markerApplies(pkg.marker, env)) continue;
      if (
        !skip.has(d.name) &&
        (!groups.has(d.name) || (group === undefined && groups.get(d.name) !== undefined))
      )
        groups.set(d.name, group);
      queue.push(...pkg.dependencies);
      for (const ex of d.extras ?? []) queue.push(...(pkg.optionalDependencies[ex] ?? []));
    }
  };
  walk(mainRoots, undefined);
  walk(devRoots, 'dev');
  return groups;
}

function lockedToDependency(
  p: LockedPackage,
  group: string | undefined,
  lock: LockFile,
  python: string,
  wheelsKnown: boolean,
): Dependency {
  const dep: Dependency = {
    name: p.name,
    version: p.version,
    source: { file: lock.file, ...(p.line ? { line: p.line } : {}) },
  };
  if (group) dep.group = group;
  // A registry package the lock records no files for (some private indexes, `files = []`): unknown,
  // not "sdist only" — leave wheels undefined so the native table stays conservative, not alarmed.
  const recordsFiles = p.wheels.length > 0 || p.sdist || p.sourceKind !== 'registry';
  if (wheelsKnown && recordsFiles) {
    dep.wheels = p.wheels;
    const built = p.sourceKind !== 'registry' || !p.wheels.some((w) => wheelFits(w, python));
    if (built) dep.buildsFromSource = true;
  } else if (p.sourceKind !== 'registry') dep.buildsFromSource = true;
  return dep;
}

function requirementsToDeps(
  req: RequirementsFile,
  env: MarkerEnvironment,
  appDir: string,
): {
  deps: Dependency[];
  selfInstall: Source | null;
  localFiles: string[];
  pinned: boolean;
  hashes: boolean;
} {
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
    const spec = e.requirement?.specifier ?? '';
    const exact = /^===?\s*([^,*\s]+)$/.exec(spec.trim());
    if (!exact && !e.url && e.path === undefined) pinned = false;
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
    deps.push(dep);
  }
  return { deps, selfInstall, localFiles, pinned, hashes };
}

function declaredToDeps(
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

function lineOfString(text: string, s: string): number | undefined {
  const lines = text.split(/\r?\n/);
  const i = lines.findIndex((l) => l.includes(`"${s}"`) || l.includes(`'${s}'`));
  return i >= 0 ? i + 1 : undefined;
}

function poetryTableToDeps(
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
    if (
      (first as { git?: unknown; path?: unknown; url?: unknown })?.git ||
      (first as { path?: unknown })?.path ||
      (first as { url?: unknown })?.url
    )
      dep.buildsFromSource = true;
    if (group) dep.group = group;
    out.push(dep);
  }
  return out;
}

function isTableLike(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const fmtSrc = (s: Source | undefined) => (s ? `${s.file}${s.line ? `:${s.line}` : ''}` : '');

/**
 * Read the project in `dir` and assemble the Plan every command works from. `overrides` are the
 * CLI's; `[tool.pycontain]` in pyproject.toml (the top one, then the app's) sits below them.
 */
export async function detectProject(dir: string, overrides: Overrides = {}): Promise<Plan> {
  const first = await detectWith(dir, overrides);
  // A version the project pins (or the base image runs) is kept whatever the wheels say; a version
  // pycontain picked as "the newest" steps down when the lock has no wheels for it yet.
  if (first.pythonBy === 'pin') first.plan.warnings.push(...pinnedPackageWarnings(first.plan));
  if (first.pythonBy !== 'range' && first.pythonBy !== 'default') return first.plan;
  const ceiling = lowerCeiling(wheelCeiling(first.plan), pinnedPackageCeiling(first.plan));
  if (!ceiling) return first.plan;
  return (await detectWith(dir, overrides, ceiling)).plan;
}

/**
 * A newer CPython minor than the locked binary dependencies publish wheels for means compiling them
 * (compilers, -dev headers, minutes of build) or failing: the newest supported minor below it for
 * which every one of them has a wheel, or null when the chosen one is fine or none older is.
 */
export function wheelCeiling(
  plan: Pick<Plan, 'pythonVersion' | 'dependencies' | 'extras'>,
  today: Date | string = new Date(),
): { minor: string; reason: string } | null {
  const installed = plan.dependencies.filter((d) => !d.group || plan.extras.includes(d.group));
  const older = supportedMinors(today)
    .filter((m) => compareMinor(m, plan.pythonVersion) < 0)
    .reverse();
  // Dependencies with a Linux wheel for some candidate minor (buildsFromSource is relative to the
  // chosen one, so it is not used); sdist-only ones compile on every minor and do not count.
  const binary = installed.filter((d) =>
    [plan.pythonVersion, ...older].some((m) => classifyWheels(d.wheels ?? [], m) !== 'none'),
  );
  const missing = (m: string) =>
    binary.filter((d) => classifyWheels(d.wheels, m) === 'none').map((d) => d.name);
  const lacking = missing(plan.pythonVersion);
  if (!lacking.length) return null;
  const list = (names: string[]) =>
    names.length > 4 ? `${names.slice(0, 4).join(', ')} and ${names.length - 4} more` : names.join(', ');
  // The newest older minor that compiles the fewest of them, if it compiles fewer than the chosen one.
  let best: { minor: string; names: string[] } | null = null;
  for (const m of older) {
    const names = missing(m);
    if (names.length < (best?.names.length ?? lacking.length)) best = { minor: m, names };
  }
  if (!best) return null;
  const now = `no wheel for CPython ${plan.pythonVersion} in the lock for ${list(lacking)}`;
  return {
    minor: best.minor,
    reason: best.names.length
      ? `leaves the fewest locked binary dependencies to compile from source (${best.names.length}: ${list(best.names)}; ${now})`
      : `every locked binary dependency has a wheel for (${now}, so they would compile from source)`,
  };
}

async function detectWith(
  dir: string,
  overrides: Overrides,
  ceiling?: PythonCeiling,
): Promise<{ plan: Plan; pythonBy: 'pin' | 'image' | 'range' | 'default' }> {
  const root = path.resolve(dir);
  let st: import('node:fs').Stats;
  try {
    st = await fsp.stat(root);
  } catch {
    throw new InputError(`no Python project found in ${dir}: the directory does not exist`);
  }
  if (!st.isDirectory()) throw new InputError(`no Python project found in ${dir}: it is not a directory`);

  const decisions: Decision[] = [];
  const warnings: Warning[] = [];

  // [tool.pycontain] of the top pyproject.toml may name the app dir of a monorepo.
  const topPy = await readPy(root, 'pyproject.toml');
  const topOverrides: FileOverrides = topPy ? readToolPycontain(topPy) : { overrides: {}, sources: {} };
  const appDirOverride =
    overrides.appDir !== undefined
      ? { value: overrides.appDir, label: '--app-dir' }
      : topOverrides.overrides.appDir !== undefined
        ? {
            value: topOverrides.overrides.appDir,
            label: `[tool.pycontain] app-dir (${fmtSrc(topOverrides.sources.appDir)})`,
          }
        : undefined;
  const appChoice = await chooseAppDir(root, appDirOverride);
  let appDir = appChoice.appDir;
  warnings.push(...appChoice.warnings);

  let appPy = appDir === '.' ? topPy : await readPy(root, join(appDir, 'pyproject.toml'));
  if (appPy && !isProjectManifest(appPy) && !appPy.pycontain) appPy = null;

  // uv workspace: the lock sits at the workspace root; the app may be a member.
  const ws = await findWorkspace(root, appDir, appPy);
  let lockDir = appDir;
  if (ws) {
    lockDir = ws.root;
    if (ws.app) {
      appDir = ws.app.dir;
      appPy = ws.app.pyproject;
    }
  }
  decisions.push(
    ws?.app && ws.app.dir !== appChoice.appDir
      ? {
          ...appChoice.decision,
          value: appDir,
          reason: `${appChoice.decision.reason}; uv workspace member ${ws.app.dir} is the app: ${ws.reason}`,
        }
      : appChoice.decision,
  );

  const appOverrides: FileOverrides =
    appPy && appPy !== topPy ? readToolPycontain(appPy) : { overrides: {}, sources: {} };
  const merged = mergeOverrides(topOverrides.overrides, appOverrides.overrides, overrides);
  const overrideSources: FileOverrides['sources'] = { ...topOverrides.sources, ...appOverrides.sources };
  for (const k of Object.keys(overrides) as (keyof Overrides)[])
    if (overrides[k] !== undefined) overrideSources[k] = { file: '(command line)' };

  const pipfileText = await readText(root, join(appDir, 'Pipfile'));
  const pipfile: Pipfile | null =
    pipfileText === null ? null : parsePipfile(pipfileText, join(appDir, 'Pipfile'));
  const setupFiles: string[] = [];
  for (const f of ['setup.py', 'setup.cfg'])
    if (await fileExists(root, join(appDir, f))) setupFiles.push(join(appDir, f));
  // setup.cfg states metadata declaratively; a setup.py only what it writes as literals.
  const setupMeta: SetupMetadata[] = [];
  for (const f of setupFiles) {
    const text = (await readText(root, f)) ?? '';
    setupMeta.push(f.endsWith('.cfg') ? parseSetupCfg(text, f) : scanSetupPy(text, f));
  }
  setupMeta.sort((a, b) => (a.file.endsWith('.cfg') ? 0 : 1) - (b.file.endsWith('.cfg') ? 0 : 1));

  const pm: PmDetection = await detectPackageManager({
    root,
    appDir,
    lockDir,
    pyproject: ws ? (appPy ?? ws.pyproject) : appPy,
    pipfile,
    setupFiles,
  });
  if (pm.winner.rank === 99) {
    throw new InputError(
      `no Python project found in ${dir}: ${appDir} has no manifest pycontain can install from`,
    );
  }

  // Lock file.
  let lock: LockFile | null = null;
  if (pm.lockfile && pm.manager !== 'pip-tools') {
    const text = (await readText(root, pm.lockfile)) ?? '';
    if (pm.manager === 'uv') lock = parseUvLock(text, pm.lockfile);
    else if (pm.manager === 'poetry') lock = parsePoetryLock(text, pm.lockfile);
    else if (pm.manager === 'pdm') lock = parsePdmLock(text, pm.lockfile);
    else if (pm.manager === 'pipenv') lock = parsePipfileLock(text, pm.lockfile);
    for (const n of lock?.notes ?? [])
      warnings.push({
        code: 'lock-format',
        message: n,
        source: { file: pm.lockfile, ...(lock?.formatVersionLine ? { line: lock.formatVersionLine } : {}) },
      });
  }

  // requirements files: the install source for pip/pip-tools, and an export check for the others.
  let req: RequirementsFile | null = null;
  let reqLocalFiles: string[] = [];
  let reqHashes = false;
  const reqFile = pm.requirementsFile;
  if (reqFile) {
    try {
      // No environment: `${TOKEN}` stays literal, so the plan never holds a secret and does not
      // depend on the machine that ran detect; a `${...}` in an index URL marks it as needing credentials.
      req = await readRequirements(root, reqFile, { env: {} });
    } catch (err) {
      // Only fatal when pip installs from it; a broken leftover file next to a lock is a warning.
      if (pm.manager === 'pip' || pm.manager === 'pip-tools') throw err;
      warnings.push({
        code: 'requirements-unreadable',
        message: `${reqFile} is not used and could not be read: ${(err as Error).message}`,
        source: { file: reqFile },
      });
    }
  }

  // Package-manager decision, with exports recognized.
  let exportInfo: { file: string; how: string } | undefined;
  if (req && pm.manager !== 'pip' && pm.manager !== 'pip-tools') {
    const gen = req.generatedBy;
    if (gen === pm.manager)
      exportInfo = { file: req.file, how: `its header says it was generated by ${gen}` };
    else if (lock) {
      const pins = new Map(lock.packages.map((p) => [p.name, p.version]));
      const named = req.entries.filter((e) => e.requirement);
      const same = named.filter((e) => {
        const m = /^===?\s*([^,\s]+)$/.exec(e.requirement?.specifier.trim() ?? '');
        return m && pins.get(e.requirement?.normalizedName ?? '') === m[1];
      });
      if (named.length > 0 && same.length === named.length)
        exportInfo = { file: req.file, how: `all ${named.length} pins equal ${lock.file}'s` };
    }
  }
  const pmExplain = explainPackageManager({
    detection: pm,
    ...(exportInfo ? { requirementsIsExport: exportInfo } : {}),
  });
  decisions.push(...pmExplain.decisions);
  warnings.push(...pmExplain.warnings);

  // Python version.
  const constraints: PythonConstraint[] = [];
  const poetryConstraints: { spec: string; label: string; source: Source }[] = [];
  const rp = appPy?.project?.['requires-python'];
  if (rp && appPy)
    constraints.push({
      spec: rp,
      label: 'requires-python',
      source: { file: appPy.file, line: appPy.line('project', 'requires-python') },
    });
  if (ws && ws.pyproject !== appPy && ws.pyproject.project?.['requires-python'])
    constraints.push({
      spec: ws.pyproject.project['requires-python'],
      label: 'workspace requires-python',
      source: { file: ws.pyproject.file, line: ws.pyproject.line('project', 'requires-python') },
    });
  if (lock?.kind === 'uv' && lock.requiresPython)
    constraints.push({
      spec: lock.requiresPython,
      label: 'uv.lock requires-python',
      source: { file: lock.file, ...(lock.requiresPythonLine ? { line: lock.requiresPythonLine } : {}) },
    });
  const setupPy = setupMeta.find((m) => m.pythonRequires);
  if (setupPy?.pythonRequires && !rp)
    constraints.push({
      spec: setupPy.pythonRequires.spec,
      label: 'python_requires',
      source: { file: setupPy.file, line: setupPy.pythonRequires.line },
    });
  const poetryPy = appPy?.poetry?.dependencies?.python;
  if (typeof poetryPy === 'string' && appPy)
    poetryConstraints.push({
      spec: poetryPy,
      label: 'Poetry python',
      source: { file: appPy.file, line: appPy.line('tool.poetry.dependencies', 'python') },
    });
  let pyOverride: { value: string; source: Source; label: string } | undefined;
  if (merged.pythonVersion) {
    const src = overrideSources.pythonVersion ?? { file: '(command line)' };
    pyOverride = {
      value: merged.pythonVersion,
      source: src,
      label: src.file === '(command line)' ? '--python' : '[tool.pycontain] python-version',
    };
  }
  const imageMinor = merged.baseImage && !merged.distroless ? pythonMinorOfImage(merged.baseImage) : null;
  const py = await resolvePythonVersion({
    root,
    appDir,
    ...(ws && ws.root !== appDir ? { alsoDirs: [ws.root] } : {}),
    ...(pyOverride ? { override: pyOverride } : {}),
    ...(pipfile
      ? {
          pipfileRequires: {
            ...pipfile.requires,
            file: pipfile.file,
            line: (k: string) => pipfile.line('requires', k),
          },
        }
      : {}),
    constraints,
    poetryConstraints,
    ...(ceiling ? { ceiling } : {}),
    wheelEvidence: lockHasWheelData(lock),
    classifiers: classifierHint(appPy),
    ...(merged.distroless && !merged.distrolessImage ? { prefer: distrolessPreference() } : {}),
    ...(imageMinor && merged.baseImage
      ? {
          baseImage: {
            minor: imageMinor,
            ref: merged.baseImage,
            source: overrideSources.baseImage ?? { file: '(command line)' },
          },
        }
      : {}),
  });
  const pythonVersion = py.version;
  decisions.push(py.decision, ...py.decisions);
  warnings.push(...py.warnings);
  const env = linuxEnvironment(pythonVersion);

  // Dependencies.
  let dependencies: Dependency[] = [];
  let staleness: Staleness | null = null;
  // A database driver only in an unrequested extra while the code connects to that database.
  const rx = await runtimeExtras({
    root,
    appDir,
    pyproject: appPy ?? null,
    setupMeta,
    ...(merged.extras ? { requested: merged.extras } : {}),
  });
  decisions.push(...rx.decisions);
  warnings.push(...rx.warnings);
  const extras = [...(merged.extras ?? []), ...rx.add];
  const projectNameValue =
    (appPy ? projectName(appPy) : undefined) ?? setupMeta.find((m) => m.name)?.name ?? null;
  if (lock) {
    const selfNames = new Set<string>();
    if (projectNameValue) selfNames.add(normalizeName(projectNameValue));
    for (const m of ws?.members ?? []) if (m.name) selfNames.add(normalizeName(m.name));
    if (ws?.pyproject && projectName(ws.pyproject))
      selfNames.add(normalizeName(projectName(ws.pyproject) as string));
    let mainRoots: LockedDep[] = [];
    let devRoots: LockedDep[] = [];
    let wheelsKnown = true;
    if (lock.kind === 'uv') {
      const u = lock as UvLock;
      const name = ws?.app?.name ?? projectNameValue ?? undefined;
      const self = u.packages.find((p) =>
        name ? p.name === normalizeName(name) : ['editable', 'virtual'].includes(p.sourceKind),
      );
      if (self) {
        mainRoots = [...self.dependencies];
        for (const ex of extras) mainRoots.push(...(self.optionalDependencies[normalizeName(ex)] ?? []));
        // A requested dependency group is installed like the main dependencies (`uv sync --group`).
        for (const [g, list] of Object.entries(self.devDependencies ?? {})) {
          if (extras.some((ex) => normalizeName(ex) === normalizeName(g))) mainRoots.push(...list);
          else devRoots.push(...list);
        }
      } else if (appPy) {
        mainRoots = (appPy.project?.dependencies ?? []).map(requirementDep);
      }
      staleness = appPy ? uvLockStaleness(u, appPy, name, !ws) : null;
      if (ws) {
        // Every member is locked together: a change in any of them makes the lock stale.
        const others = [
          ...ws.members.filter((m) => m.pyproject !== appPy),
          { pyproject: ws.pyproject, name: projectName(ws.pyproject) },
        ];
        for (const m of others) {
          if (!m.name || !m.pyproject.project || m.pyproject === appPy) continue;
          const st = uvLockStaleness(u, m.pyproject, m.name, false);
          if (!staleness) staleness = { stale: false, method: 'requires-dist', changes: [] };
          staleness.changes.push(...st.changes.map((c) => `${m.pyproject.file}: ${c}`));
          staleness.stale = staleness.changes.length > 0;
        }
      }
    } else if (lock.kind === 'poetry' && appPy) {
      const d = poetryDeclared(appPy);
      mainRoots = d.main;
      devRoots = d.dev;
      for (const ex of extras) {
        for (const n of appPy.poetry?.extras?.[ex] ?? []) mainRoots.push({ name: normalizeName(n) });
        // `poetry install --with <group>`
        const grp = appPy.poetry?.group?.[ex]?.dependencies;
        for (const [n, v] of Object.entries(grp ?? {})) {
          const first = Array.isArray(v) ? v[0] : v;
          const gx =
            isTableLike(first) && Array.isArray(first.extras)
              ? first.extras.map(String).map(normalizeName)
              : [];
          mainRoots.push({ name: normalizeName(n), ...(gx.length ? { extras: gx } : {}) });
        }
        for (const s of appPy.project?.['optional-dependencies']?.[ex] ?? [])
          mainRoots.push(requirementDep(s));
      }
      staleness = poetryLockStaleness(lock as PoetryLock, appPy);
    } else if (lock.kind === 'pdm' && appPy) {
      mainRoots = (appPy.project?.dependencies ?? []).map(requirementDep);
      for (const ex of extras)
        mainRoots.push(...(appPy.project?.['optional-dependencies']?.[ex] ?? []).map(requirementDep));
      const pdmGroups: Record<string, string[]> = { ...(appPy.pdm?.['dev-dependencies'] ?? {}) };
      for (const [g, list] of Object.entries(appPy.dependencyGroups ?? {}))
        pdmGroups[g] = [...(pdmGroups[g] ?? []), ...list.filter((x): x is string => typeof x === 'string')];
      for (const [g, list] of Object.entries(pdmGroups)) {
        const roots = list.filter((x) => !x.startsWith('-e')).map(requirementDep);
        if (extras.some((ex) => normalizeName(ex) === normalizeName(g))) mainRoots.push(...roots);
        else devRoots.push(...roots);
      }
      staleness = pdmLockStaleness(lock as PdmLock, appPy);
    } else if (lock.kind === 'pipenv') {
      wheelsKnown = false;
      mainRoots = lock.packages.filter((p) => p.groups?.includes('default')).map((p) => ({ name: p.name }));
      devRoots = lock.packages.filter((p) => !p.groups?.includes('default')).map((p) => ({ name: p.name }));
      if (pipfile) staleness = pipfileLockStaleness(lock as PipfileLock, pipfile);
    }
    const groups = walkLock(lock, mainRoots, devRoots, env, selfNames);
    // One version per name: a uv fork that does not apply here is not installed.
    const chosen = lockedPackageIndex(lock, env);
    // Locks with groups of their own (Poetry categories) keep their names: 'dev', 'docs'.
    for (const p of lock.packages) {
      if (!groups.has(p.name) || chosen({ name: p.name }) !== p) continue;
      let g = groups.get(p.name);
      if (g && p.groups?.length && !p.groups.includes('main') && !p.groups.includes('default'))
        g = p.groups[0] === 'develop' ? 'dev' : p.groups[0];
      dependencies.push(lockedToDependency(p, g, lock, pythonVersion, wheelsKnown));
    }
    // The plan targets linux/amd64; say which packages an arm64 build would compile instead.
    const armBuilds = dependencies.filter(
      (d) =>
        !d.group &&
        !d.buildsFromSource &&
        (d.wheels ?? []).some((w) => /manylinux/.test(w) && wheelFits(w, pythonVersion, 'x86_64')) &&
        !(d.wheels ?? []).some((w) => wheelFits(w, pythonVersion, 'aarch64')),
    );
    if (armBuilds.length)
      decisions.push({
        topic: 'platform',
        value: 'linux/amd64',
        reason: `wheels are chosen for x86_64; an arm64 build would compile ${armBuilds.map((d) => d.name).join(', ')} (no aarch64 wheel for Python ${pythonVersion} in ${lock.file})`,
        source: { file: lock.file },
      });
    const skipped =
      lock.packages.length -
      dependencies.length -
      [...selfNames].filter((n) => lock?.packages.some((p) => p.name === n)).length;
    const main = dependencies.filter((d) => !d.group).length;
    decisions.push({
      topic: 'dependencies',
      value: `${main} locked${dependencies.length - main ? ` + ${dependencies.length - main} dev (not installed)` : ''}`,
      reason: `${lock.kind === 'pipenv' ? `read the default and develop sections of ${lock.file} (format ${lock.formatVersion}), markers evaluated` : `walked ${lock.file} (format ${lock.formatVersion}) from the declared dependencies`} for CPython ${pythonVersion} on Linux${skipped > 0 ? `; ${skipped} locked package${skipped === 1 ? ' does' : 's do'} not apply here (markers, extras, other members)` : ''}`,
      source: { file: lock.file, ...(lock.formatVersionLine ? { line: lock.formatVersionLine } : {}) },
    });
    decisions.push({
      topic: 'lockfile',
      value: lock.file,
      reason: staleness?.stale
        ? `stale: ${staleness.changes[0]}`
        : staleness
          ? `in sync with the manifest (checked by ${staleness.method === 'content-hash' ? 'its content hash' : staleness.method === 'requires-dist' ? 'the requirements uv recorded' : 'package names'})`
          : 'read',
      source: { file: lock.file, ...(lock.contentHashLine ? { line: lock.contentHashLine } : {}) },
    });
    if (staleness?.stale) {
      warnings.push({
        code: 'stale-lock',
        message: `${lock.file} is out of date with ${lock.kind === 'pipenv' ? (pipfile?.file ?? 'Pipfile') : (appPy?.file ?? 'pyproject.toml')}: ${staleness.changes.join('; ')}. A locked install will fail or install something else: re-lock`,
        source: { file: lock.file, ...(lock.contentHashLine ? { line: lock.contentHashLine } : {}) },
      });
    }
  } else if (pm.manager === 'pip' || pm.manager === 'pip-tools') {
    if (req) {
      const r = requirementsToDeps(req, env, appDir);
      dependencies = r.deps;
      decisions.push({
        topic: 'dependencies',
        value: `${r.deps.length} from ${req.file}${req.files.length > 1 ? ` (+ ${req.files.slice(1).join(', ')})` : ''}`,
        reason: r.pinned
          ? `every requirement is pinned with ==${r.hashes ? ' and --hash' : ''}${req.generatedBy ? `; generated by ${req.generatedBy}` : ''}`
          : 'not every requirement is pinned: the install can change between builds',
        source: { file: req.file },
      });
      if (!r.pinned)
        warnings.push({
          code: 'no-lock',
          message:
            pm.manager === 'pip-tools' && !pm.lockfile
              ? `${pm.requirementsIn} is not compiled: run pip-compile to get a pinned requirements.txt`
              : `${req.file} does not pin every requirement with ==: builds are not reproducible (pip-compile or \`pip freeze\` would pin them)`,
          source: { file: req.file },
        });
      if (r.selfInstall)
        warnings.push({
          code: 'requirements-installs-project',
          message: `${fmtSrc(r.selfInstall)} installs the project itself ("."): pycontain installs the project after copying the code instead; drop that line or the dependency layer cannot be built before the code`,
          source: r.selfInstall,
        });
      reqLocalFiles = r.localFiles;
      reqHashes = r.hashes;
    }
  } else if (pm.manager === 'pipenv' && pipfile) {
    dependencies = poetryLikePipfile(pipfile);
    warnings.push({
      code: 'no-lock',
      message: `${pipfile.file} has no Pipfile.lock: run \`pipenv lock\` so builds install what you tested`,
      source: { file: pipfile.file },
    });
  } else if (
    pm.manager === 'setuptools' &&
    !appPy?.project &&
    setupMeta.some((m) => m.installRequires.length)
  ) {
    const meta = setupMeta.find((m) => m.installRequires.length) as SetupMetadata;
    for (const r of meta.installRequires) {
      const d = declaredToDeps([r.text], meta.file, null, env)[0];
      if (d) dependencies.push({ ...d, source: { file: meta.file, line: r.line } });
    }
    for (const ex of extras)
      for (const r of meta.extrasRequire[ex] ?? []) {
        const d = declaredToDeps([r.text], meta.file, null, env)[0];
        if (d) dependencies.push({ ...d, source: { file: meta.file, line: r.line } });
      }
    decisions.push({
      topic: 'dependencies',
      value: `${dependencies.length} declared`,
      reason: `install_requires of ${meta.file}; no lock file, so versions are resolved at build time`,
      source: { file: meta.file, line: meta.installRequires[0]?.line },
    });
    warnings.push({
      code: 'no-lock',
      message: `no lock file: pip resolves the install_requires of ${meta.file} at build time, so two builds can install different versions`,
      source: { file: meta.file },
    });
  } else if (appPy) {
    if (appPy.poetry?.dependencies) {
      dependencies.push(...poetryTableToDeps(appPy.poetry.dependencies, appPy, 'tool.poetry.dependencies'));
      dependencies.push(
        ...poetryTableToDeps(appPy.poetry['dev-dependencies'], appPy, 'tool.poetry.dev-dependencies', 'dev'),
      );
      for (const [g, t] of Object.entries(appPy.poetry.group ?? {}))
        dependencies.push(
          ...poetryTableToDeps(t.dependencies, appPy, `tool.poetry.group.${g}.dependencies`, g),
        );
    }
    dependencies.push(...declaredToDeps(appPy.project?.dependencies ?? [], appPy.file, appPy, env));
    for (const ex of extras)
      dependencies.push(
        ...declaredToDeps(appPy.project?.['optional-dependencies']?.[ex] ?? [], appPy.file, appPy, env),
      );
    for (const [g, list] of Object.entries(appPy.pdm?.['dev-dependencies'] ?? {}))
      dependencies.push(...declaredToDeps(list, appPy.file, appPy, env, g));
    for (const [g, list] of Object.entries(appPy.dependencyGroups ?? {}))
      dependencies.push(
        ...declaredToDeps(
          list.filter((x): x is string => typeof x === 'string'),
          appPy.file,
          appPy,
          env,
          g,
        ),
      );
    dependencies.push(...declaredToDeps(appPy.uv?.['dev-dependencies'] ?? [], appPy.file, appPy, env, 'dev'));
    const main = dependencies.filter((d) => !d.group).length;
    decisions.push({
      topic: 'dependencies',
      value: `${main} declared`,
      reason: `read from ${appPy.file}; no lock file, so versions are resolved at build time`,
      source: {
        file: appPy.file,
        line: appPy.line('project', 'dependencies') ?? appPy.line('tool.poetry.dependencies'),
      },
    });
    if (pm.manager !== 'setuptools' || main > 0)
      warnings.push({
        code: 'no-lock',
        message: `no lock file: ${pm.manager === 'setuptools' ? 'pip resolves' : `${pm.manager} resolves`} the dependencies of ${appPy.file} at build time, so two builds can install different versions${pm.manager === 'poetry' ? ' (run `poetry lock`)' : pm.manager === 'pdm' ? ' (run `pdm lock`)' : pm.manager === 'uv' ? ' (run `uv lock`)' : ''}`,
        source: { file: appPy.file },
      });
  }

  // Does the project itself get installed into the venv?
  const hasBuildSystem = Boolean(appPy?.buildSystem);
  let installProject: boolean;
  let installWhy: string;
  if (pm.manager === 'uv') {
    const pkg = appPy?.uv?.package;
    installProject = pkg ?? hasBuildSystem;
    installWhy =
      pkg !== undefined
        ? `[tool.uv] package = ${pkg}`
        : hasBuildSystem
          ? 'it has a [build-system] (uv builds it)'
          : 'no [build-system]: a virtual uv project, only its dependencies are installed';
  } else if (pm.manager === 'poetry') {
    const mode = appPy?.poetry?.['package-mode'];
    installProject = mode !== false && hasBuildSystem;
    installWhy =
      mode === false
        ? '[tool.poetry] package-mode = false'
        : hasBuildSystem
          ? 'it has a [build-system] (poetry-core builds it)'
          : 'no [build-system]: only its dependencies are installed';
  } else if (pm.manager === 'pdm') {
    const distribution = appPy?.pdm?.distribution;
    installProject = distribution ?? hasBuildSystem;
    installWhy =
      distribution !== undefined
        ? `[tool.pdm] distribution = ${distribution}`
        : hasBuildSystem
          ? 'it has a [build-system]'
          : 'no [build-system]: PDM treats it as an application, not a package';
  } else if (pm.manager === 'pipenv') {
    installProject = false;
    installWhy = 'Pipfile projects are applications: only their dependencies are installed';
  } else if (pm.manager === 'setuptools') {
    installProject = true;
    installWhy = 'the project is installed with pip from its own metadata, which pulls its dependencies';
  } else {
    installProject =
      (hasBuildSystem && Boolean(appPy?.project || appPy?.poetry)) ||
      setupFiles.some((f) => f.endsWith('setup.py'));
    installWhy = installProject
      ? `${setupFiles.find((f) => f.endsWith('setup.py')) ?? appPy?.file} makes it an installable package`
      : 'no setup.py or [build-system]: the code runs from the app directory';
  }
  decisions.push({ topic: 'installProject', value: installProject ? 'yes' : 'no', reason: installWhy });

  // Files the dependency layer needs.
  const manifests: string[] = [];
  const add = (f: string | null | undefined) => {
    if (f && !manifests.includes(f)) manifests.push(f);
  };
  const readmeOf = async (pp: PyProject, dirOf: string) => {
    for (const r of readmeFiles(pp)) {
      const f = join(dirOf, r);
      if (await fileExists(root, f)) add(f);
      else
        warnings.push({
          code: 'readme-missing',
          message: `${pp.file} names readme "${r}", which does not exist: building the package will fail`,
          source: { file: pp.file, line: pp.line('project', 'readme') ?? pp.line('tool.poetry', 'readme') },
        });
    }
  };
  if (ws) {
    add(join(ws.root, 'pyproject.toml'));
    for (const m of ws.members) add(join(m.dir, 'pyproject.toml'));
  }
  if (appPy && isProjectManifest(appPy)) add(appPy.file);
  if (pm.lockfile) add(pm.lockfile);
  if (pm.manager === 'pipenv' && pipfile) add(pipfile.file);
  if (req && (pm.manager === 'pip' || pm.manager === 'pip-tools')) {
    for (const f of req.files) add(f);
    for (const f of reqLocalFiles) add(f);
    // `--find-links ./wheels`: pip resolves it next to the requirements file; the install layer needs it.
    for (const fl of req.options.findLinks) {
      if (/^[a-z+]+:\/\//i.test(fl)) continue;
      const rel = path.posix.normalize(path.posix.join(path.posix.dirname(req.file), fl.replace(/\\/g, '/')));
      if (!rel.startsWith('..') && (await dirExists(root, rel))) add(rel);
    }
  }
  if (installProject || pm.manager === 'setuptools') {
    for (const f of setupFiles) add(f);
    if (appPy) await readmeOf(appPy, appDir);
    // Files setup.cfg / setup.py read while building (long_description = file: README.md, VERSION).
    for (const m of setupMeta)
      for (const f of m.files) {
        const rel = join(appDir, path.posix.normalize(f));
        if (await fileExists(root, rel)) add(rel);
      }
  }
  if (ws) for (const m of ws.members) if (m.pyproject.buildSystem) await readmeOf(m.pyproject, m.dir);

  // Index.
  const idxSources: IndexSource[] = [...pyprojectIndexes(appPy, pm.manager)];
  if (ws && ws.pyproject !== appPy) idxSources.push(...pyprojectIndexes(ws.pyproject, pm.manager));
  if (pm.manager === 'pipenv' && pipfile) {
    for (const [i, s] of pipfile.sources.entries()) {
      idxSources.push({
        url: s.url,
        role: i === 0 ? 'primary' : 'extra',
        source: { file: pipfile.file, line: nthLine(pipfile.text, /^\s*\[\[\s*source\s*\]\]/, i) },
        label: `Pipfile [[source]] ${s.name ?? s.url}`,
      });
    }
  }
  if (req && (pm.manager === 'pip' || pm.manager === 'pip-tools')) {
    if (req.options.indexUrl)
      idxSources.push({
        url: req.options.indexUrl,
        role: 'primary',
        source: { file: req.file },
        label: `${req.file} --index-url`,
      });
    for (const u of req.options.extraIndexUrls)
      idxSources.push({
        url: u,
        role: 'extra',
        source: { file: req.file },
        label: `${req.file} --extra-index-url`,
      });
  }
  const idx = indexConfig(idxSources, merged, overrideSources);
  decisions.push(...idx.decisions);
  warnings.push(...idx.warnings);

  // Framework, natives, images (engineer C's detectors).
  const scripts: Record<string, string> = {};
  for (const m of [...setupMeta].reverse()) Object.assign(scripts, m.scripts);
  if (appPy) Object.assign(scripts, projectScripts(appPy));
  // The image comes first: its Debian release decides the package names the native table gives.
  const chosen = chooseImagesExplained(pythonVersion, {
    ...(merged.baseImage ? { baseImage: merged.baseImage } : {}),
    ...(merged.builderImage ? { builderImage: merged.builderImage } : {}),
    ...(merged.distroless !== undefined ? { distroless: merged.distroless } : {}),
    ...(merged.distrolessImage ? { distrolessImage: merged.distrolessImage } : {}),
    ...(merged.debian ? { debian: merged.debian } : {}),
  });
  const image = chosen.image;
  warnings.push(...chosen.warnings);
  decisions.push({
    topic: 'image',
    value: image.builder === image.runtime ? image.runtime : `${image.builder} -> ${image.runtime}`,
    reason: merged.baseImage
      ? `base image set by ${overrideSources.baseImage?.file === '(command line)' ? '--base-image' : '[tool.pycontain] base-image'}`
      : image.distroless
        ? `distroless runtime with Debian's interpreter at ${image.pythonPath}`
        : `official slim image for Python ${pythonVersion} on Debian ${image.debian}, pinned to a minor tag`,
    ...(overrideSources.baseImage ? { source: overrideSources.baseImage } : {}),
  });

  const fw = await detectFramework(root, appDir, dependencies, {
    scripts,
    groups: extras,
    ...(projectNameValue ? { projectName: projectNameValue } : {}),
    overrides: {
      ...(merged.command ? { command: merged.command } : {}),
      ...(merged.port !== undefined ? { port: merged.port } : {}),
    },
  });
  decisions.push(...fw.decisions);
  warnings.push(...fw.warnings);

  const nat = nativeNeeds(dependencies, pythonVersion, { debian: image.debian, groups: extras });
  decisions.push(...nat.decisions);
  const build = [...nat.build];
  const runtime = [...nat.runtime];
  const cBuilds = sourceBuildNeeds(dependencies, pythonVersion, extras);
  decisions.push(...cBuilds.decisions);
  for (const p of cBuilds.build) if (!build.includes(p)) build.push(p);
  for (const p of merged.buildAptPackages ?? []) if (!build.includes(p)) build.push(p);
  for (const p of merged.aptPackages ?? []) if (!runtime.includes(p)) runtime.push(p);
  if (merged.aptPackages?.length || merged.buildAptPackages?.length)
    decisions.push({
      topic: 'system packages (override)',
      value: [...(merged.aptPackages ?? []), ...(merged.buildAptPackages ?? [])].join(' '),
      reason: 'added by apt-packages / build-apt-packages',
      ...(overrideSources.aptPackages
        ? { source: overrideSources.aptPackages }
        : overrideSources.buildAptPackages
          ? { source: overrideSources.buildAptPackages }
          : {}),
    });

  // A package the image's release does not have (a bookworm name asked for on trixie) fails apt-get.
  const gone = aptReleases().missing[image.debian] ?? {};
  for (const p of [...build, ...runtime]) {
    if (!(p in gone)) continue;
    const use = gone[p];
    const fromOverride = (merged.aptPackages ?? []).includes(p)
      ? overrideSources.aptPackages
      : (merged.buildAptPackages ?? []).includes(p)
        ? overrideSources.buildAptPackages
        : undefined;
    warnings.push({
      code: 'apt-package-not-in-release',
      message: `${p} is not in Debian ${image.debian} (${image.runtime}): apt-get will fail to install it; ${use ? `install ${use} instead` : (aptReleases().notes[p] ?? 'nothing replaces it')}`,
      ...(fromOverride ? { source: fromOverride } : {}),
    });
  }

  const tests = packageTestsFor(dependencies, {
    groups: extras,
    ...(merged.keepPackageTests ? { keep: true } : {}),
  });
  for (const dcs of tests.decisions)
    decisions.push({
      ...dcs,
      ...(overrideSources.keepPackageTests ? { source: overrideSources.keepPackageTests } : {}),
    });

  // The apt package names depend on the Debian release; a base image whose tag does not name one
  // (a mirror's python:3.12-slim) gets the release python:X.Y-slim has today, and says so.
  if (merged.baseImage && !merged.distroless) {
    const named = debianReleaseNamedIn(merged.baseImage);
    const how = merged.debian
      ? `set by ${overrideSources.debian?.file === '(command line)' ? '--debian' : '[tool.pycontain] debian'}`
      : named
        ? 'named in the base image tag'
        : `assumed: the base image tag names no release, and python:${pythonVersion}-slim is Debian ${image.debian} today`;
    decisions.push({
      topic: 'debian',
      value: image.debian,
      reason: `${how}; it decides the apt package names`,
      ...(overrideSources.debian ? { source: overrideSources.debian } : {}),
    });
    if (!merged.debian && !named && (build.length || runtime.length))
      warnings.push({
        code: 'debian-release-assumed',
        message: `base image ${merged.baseImage} names no Debian release: the apt packages (${[...build, ...runtime].join(' ')}) are named for Debian ${image.debian}. If the image is another release, set --debian or [tool.pycontain] debian`,
      });
  }

  const uid = merged.uid ?? DEFAULT_UID;
  decisions.push({
    topic: 'user',
    value: `app (${uid}:${uid})`,
    reason:
      merged.uid !== undefined
        ? 'uid set by override'
        : 'a fixed non-root UID, so runAsNonRoot policies can check it',
    ...(overrideSources.uid ? { source: overrideSources.uid } : {}),
  });

  const importChecks = [...fw.importChecks];
  for (const m of nat.importChecks ?? []) if (!importChecks.includes(m)) importChecks.push(m);

  const healthcheckPath = merged.healthcheckPath ?? fw.healthcheckPath;
  if (merged.healthcheckPath !== undefined)
    decisions.push({
      topic: 'healthcheck',
      value: merged.healthcheckPath,
      reason: 'set by healthcheck-path',
      ...(overrideSources.healthcheckPath ? { source: overrideSources.healthcheckPath } : {}),
    });

  // Which requested names are dependency groups rather than extras (the install flags differ).
  const groupNames = new Set<string>();
  for (const g of Object.keys(appPy?.dependencyGroups ?? {})) groupNames.add(normalizeName(g));
  for (const g of Object.keys(appPy?.poetry?.group ?? {})) groupNames.add(normalizeName(g));
  for (const g of Object.keys(appPy?.pdm?.['dev-dependencies'] ?? {})) groupNames.add(normalizeName(g));
  if (appPy?.uv?.['dev-dependencies']) groupNames.add('dev');
  const requestedGroups = extras.filter((e) => groupNames.has(normalizeName(e)));
  if (extras.length)
    decisions.push({
      topic: 'extras',
      value: extras.join(' '),
      reason: requestedGroups.length
        ? `installed besides the main dependencies (${requestedGroups.join(', ')} ${requestedGroups.length === 1 ? 'is a dependency group' : 'are dependency groups'})`
        : 'installed besides the main dependencies',
      ...(overrideSources.extras ? { source: overrideSources.extras } : {}),
    });

  const plan: Plan = {
    schemaVersion: PLAN_SCHEMA_VERSION,
    root,
    appDir,
    pythonVersion,
    packageManager: pm.manager,
    lockfile: pm.lockfile,
    manifests,
    installProject,
    extras,
    framework: fw.framework,
    entrypoint: fw.entrypoint,
    command: fw.command,
    port: fw.port,
    healthcheckPath,
    importChecks,
    system: { build, runtime },
    native: nat.native,
    dependencies,
    index: idx.index,
    django: fw.django,
    image,
    user: { name: 'app', uid, gid: uid },
    env: { ...fw.env },
    decisions,
    warnings,
    overrides: merged,
    projectName: projectNameValue,
    requirementsFile:
      pm.manager === 'pip' || pm.manager === 'pip-tools' ? (pm.lockfile ?? pm.requirementsFile) : null,
    requirementsHashes: reqHashes,
    workspace: ws
      ? { root: ws.root, members: ws.members.map((m) => m.dir), package: ws.app?.name ?? null }
      : null,
    groups: requestedGroups,
    packageTests: tests.packageTests,
  };
  return { plan, pythonBy: py.by };
}

/** Pipfile without lock: the declared packages, dev ones grouped. */
function poetryLikePipfile(p: Pipfile): Dependency[] {
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

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Decision, Warning } from '../plan.js';
import { InputError } from '../plan.js';
import { launchPrograms } from './command-check.js';
import { frameworksData } from './framework.js';
import { parsePipfile } from './locks/pipfile.js';
import { normalizeName, parseRequirement } from './pep508.js';
import {
  isProjectManifest,
  type PyProject,
  parsePyProject,
  projectName,
  projectScripts,
} from './pyproject.js';
import { importedModules, scanPython } from './pyscan.js';
import { readRequirements } from './requirements.js';
import { parseSetupCfg, scanSetupPy } from './setupcfg.js';

/**
 * Where the Python application lives inside the scanned directory. A directory is a Python project
 * when it holds pyproject.toml (a real one: [project], [tool.poetry], [build-system], [tool.uv] or
 * [tool.pdm]; a file that only configures ruff or black does not count), requirements*.txt,
 * requirements.in, setup.py (one that imports a packaging tool: a `setup.py` module inside a package
 * is code), setup.cfg or Pipfile; a directory with only manage.py counts when no enclosing directory
 * is a project. Members of a uv workspace belong to the workspace root's app.
 */

/** Never descended into: tool caches, virtualenvs, VCS data, tests and documentation. */
const SKIP = new Set([
  'node_modules',
  '.venv',
  'venv',
  'env',
  '.env',
  '.git',
  '.hg',
  '.svn',
  '__pycache__',
  'site-packages',
  '.tox',
  '.nox',
  'tests',
  'test',
  'testing',
  'e2e',
  'docs',
  'doc',
  'dist',
  'build',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
]);
/**
 * `tests_integration`, `tests-simulate-prod-data`, `integration_tests`, `e2e-tests`, `docs_src`, and
 * cookiecutter/copier template folders (`{{cookiecutter.project_name}}`): a template is not a project.
 */
const SKIP_PATTERN = /^(tests?|e2e|docs?)[-_]|[-_](tests?|e2e)$|\{\{/i;
const MAX_DEPTH = 4;
const MAX_DIRS = 4000;

const MANIFESTS = [
  'pyproject.toml',
  'requirements.txt',
  'requirements.in',
  'setup.py',
  'setup.cfg',
  'Pipfile',
];

/** Preferred names for the app directory of a monorepo, best first. */
const APP_NAMES = ['backend', 'server', 'api', 'app', 'service', 'web', 'src'];

/**
 * Sample, tooling and fixture trees: skipped on the first pass (a library's examples/ are not its
 * app, a repository's scripts/ are chores run by hand), looked at only when nothing else is found.
 */
const SECONDARY = new Set([
  'examples',
  'example',
  'samples',
  'sample',
  'demo',
  'demos',
  'fixtures',
  '__fixtures__',
  'testdata',
  'benchmarks',
  'benchmark',
  'bench',
  'scripts',
  'script',
  'tools',
  'ci',
  'contrib',
]);

/**
 * Directory names that never hold the deployed app, whatever they contain: for callers that walk a
 * tree looking for the app's code (the framework scan should skip them too).
 */
export function isNotAppDir(name: string): boolean {
  return SKIP.has(name) || SECONDARY.has(name) || SKIP_PATTERN.test(name);
}

/** Requirement files for development only do not make a directory a project. */
const DEV_REQUIREMENTS =
  /(^|[-_.])(dev|devel|develop|development|test|tests|testing|lint|docs?|ci|local|tox|typing|mypy)([-_.]|$)/i;

/** What a real setup.py imports; a `setup.py` module of a package (Django app setup, form setup) does not. */
const PACKAGING_MODULES = /^(setuptools|distutils|skbuild|numpy\.distutils)(\.|$)/;

/** Top-level .py files that are project tooling, not a way to start the app. */
const TOOLING_SCRIPTS =
  /^(setup|conftest|noxfile|fabfile|tasks|dodo|versioneer|hatch_build|build_backend|test_.*|.*_test)\.py$/;

/** Conventional names of the file that starts an app, named first in a reason. */
const ENTRY_FILES = ['main.py', 'app.py', 'server.py', 'wsgi.py', 'asgi.py', 'run.py', '__main__.py'];

interface Candidate {
  dir: string;
  manifests: string[];
  hasManage: boolean;
  hasLock: boolean;
  workspaceMembers: string[] | null;
  pyproject: PyProject | null;
}

async function listDir(abs: string): Promise<import('node:fs').Dirent[]> {
  try {
    return await fsp.readdir(abs, { withFileTypes: true });
  } catch {
    return [];
  }
}

async function readText(abs: string): Promise<string | null> {
  try {
    return await fsp.readFile(abs, 'utf8');
  } catch {
    return null;
  }
}

/** Expand uv's member globs (`packages/*`, `apps/api`) relative to the workspace root. */
async function expandMembers(
  root: string,
  wsDir: string,
  patterns: string[],
  exclude: string[],
): Promise<string[]> {
  const out: string[] = [];
  const toRe = (p: string) =>
    new RegExp(
      `^${p
        .replace(/\/+$/, '')
        .split('/')
        .map((seg) =>
          seg === '**'
            ? '.*'
            : seg
                .replace(/[.+^${}()|[\]\\]/g, '\\$&')
                .replace(/\*/g, '[^/]*')
                .replace(/\?/g, '[^/]'),
        )
        .join('/')}$`,
    );
  const inc = patterns.map(toRe);
  const exc = exclude.map(toRe);
  const walk = async (relDir: string, depth: number) => {
    if (depth > MAX_DEPTH) return;
    for (const e of await listDir(path.join(root, wsDir, relDir))) {
      if (!e.isDirectory() || SKIP.has(e.name) || e.name.startsWith('.')) continue;
      const r = relDir ? `${relDir}/${e.name}` : e.name;
      if (inc.some((re) => re.test(r)) && !exc.some((re) => re.test(r))) {
        try {
          await fsp.access(path.join(root, wsDir, r, 'pyproject.toml'));
          out.push(wsDir === '.' ? r : `${wsDir}/${r}`);
        } catch {
          // uv itself errors on a member without pyproject.toml; detect reports it when reading.
        }
      }
      await walk(r, depth + 1);
    }
  };
  await walk('', 0);
  return out.sort();
}

function importsPackagingTool(text: string): boolean {
  try {
    return [...importedModules(scanPython(text))].some((m) => PACKAGING_MODULES.test(m));
  } catch {
    // Unreadable source: keep treating it as a manifest, detect reports what it cannot read.
    return true;
  }
}

async function scan(root: string, skipSecondary = true): Promise<Candidate[]> {
  const out: Candidate[] = [];
  let seen = 0;
  const walk = async (relDir: string, depth: number) => {
    if (depth > MAX_DEPTH || ++seen > MAX_DIRS) return;
    const abs = path.join(root, relDir);
    const entries = await listDir(abs);
    const files = new Set(entries.filter((e) => e.isFile()).map((e) => e.name));
    const manifests = MANIFESTS.filter((m) => files.has(m));
    if (manifests.includes('setup.py')) {
      const text = await readText(path.join(abs, 'setup.py'));
      if (text !== null && !importsPackagingTool(text)) manifests.splice(manifests.indexOf('setup.py'), 1);
    }
    for (const f of files)
      if (
        /^requirements[-_.].*\.txt$/.test(f) &&
        !manifests.includes(f) &&
        !DEV_REQUIREMENTS.test(f.slice('requirements'.length))
      )
        manifests.push(f);
    if (entries.some((e) => e.isDirectory() && e.name === 'requirements')) {
      const sub = await listDir(path.join(abs, 'requirements'));
      if (sub.some((e) => e.isFile() && /\.(txt|in)$/.test(e.name))) manifests.push('requirements/');
    }
    let workspaceMembers: string[] | null = null;
    let pyproject: PyProject | null = null;
    if (manifests.includes('pyproject.toml')) {
      try {
        const rel = relDir || '.';
        const p = parsePyProject(
          await fsp.readFile(path.join(abs, 'pyproject.toml'), 'utf8'),
          path.posix.join(rel, 'pyproject.toml'),
        );
        if (!isProjectManifest(p)) manifests.splice(manifests.indexOf('pyproject.toml'), 1);
        else pyproject = p;
        const ws = p.uv?.workspace;
        if (ws) workspaceMembers = await expandMembers(root, rel, ws.members ?? [], ws.exclude ?? []);
      } catch (err) {
        // A broken pyproject.toml is still a project: detect reports the parse error when it reads it.
        if (!(err instanceof InputError)) throw err;
      }
    }
    const hasManage = files.has('manage.py');
    if (manifests.length || hasManage) {
      out.push({
        dir: relDir || '.',
        manifests,
        hasManage,
        hasLock: ['uv.lock', 'poetry.lock', 'pdm.lock', 'Pipfile.lock'].some((l) => files.has(l)),
        workspaceMembers,
        pyproject,
      });
    }
    const subdirs = entries
      .filter(
        (e) =>
          e.isDirectory() &&
          !SKIP.has(e.name) &&
          !SKIP_PATTERN.test(e.name) &&
          !e.name.startsWith('.') &&
          !(skipSecondary && SECONDARY.has(e.name)),
      )
      .map((e) => e.name)
      .sort();
    for (const d of subdirs) await walk(relDir ? `${relDir}/${d}` : d, depth + 1);
  };
  await walk('', 0);
  return out;
}

async function scanTwice(root: string): Promise<Candidate[]> {
  const first = await scan(root, true);
  return first.length ? first : scan(root, false);
}

const isInside = (child: string, parent: string) =>
  parent === '.' || child === parent || child.startsWith(`${parent}/`);

/** Apply the membership rules to raw candidates: the apps, shallowest first. */
function appsFrom(cands: Candidate[]): Candidate[] {
  const wsMembers = new Set(cands.flatMap((c) => c.workspaceMembers ?? []));
  const projects = cands.filter((c) => c.manifests.length > 0 && !wsMembers.has(c.dir));
  const apps = [...projects];
  for (const c of cands) {
    if (c.manifests.length > 0 || wsMembers.has(c.dir)) continue;
    // A Django project dir with only manage.py belongs to an enclosing project (requirements at the top).
    if (!projects.some((p) => isInside(c.dir, p.dir))) apps.push(c);
  }
  // A directory of requirement files alone (requirements/) under a project is part of that project.
  return apps.sort((a, b) => a.dir.split('/').length - b.dir.split('/').length || a.dir.localeCompare(b.dir));
}

/**
 * Every Python app under `root`, as paths relative to root ('.' for the top), shallowest first.
 * For `pycontain build` on a monorepo: each is built as its own image.
 */
export async function findPythonApps(root: string): Promise<string[]> {
  return appsFrom(await scanTwice(root)).map((c) => c.dir);
}

// ---------------------------------------------------------------------------------------------
// What a project says about itself: how it is started, what it depends on

/** Distributions that only an application needs: web frameworks, servers, task queues (data/). */
let appPackages: Set<string> | null = null;
function appPackageNames(): Set<string> {
  if (!appPackages) {
    appPackages = new Set<string>();
    for (const f of Object.values(frameworksData().frameworks))
      if (f.package) appPackages.add(normalizeName(f.package));
    for (const p of Object.values(launchPrograms().programs))
      for (const n of p.packages) appPackages.add(normalizeName(n));
  }
  return appPackages;
}

const depName = (req: string): string | null => {
  try {
    return normalizeName(parseRequirement(req).name);
  } catch {
    return null;
  }
};

/**
 * The runtime dependencies a project declares (not dev groups, not extras), by normalized name, and
 * the directories it depends on by path (relative to the repository root).
 */
async function declared(root: string, c: Candidate): Promise<{ names: Set<string>; paths: Set<string> }> {
  const names = new Set<string>();
  const paths = new Set<string>();
  const abs = path.join(root, c.dir);
  const addPath = (p: string) => {
    const rel = path.posix.normalize(path.posix.join(c.dir, p.replace(/\\/g, '/'))).replace(/\/+$/, '');
    if (!rel.startsWith('..')) paths.add(rel || '.');
  };
  const py = c.pyproject;
  if (py) {
    for (const d of py.project?.dependencies ?? []) {
      const n = depName(d);
      if (n) names.add(n);
      const at = /@\s*file:(?:\/\/)?(\S+)/.exec(d);
      if (at?.[1] && !at[1].startsWith('/')) addPath(at[1]);
    }
    for (const [k, v] of Object.entries(py.poetry?.dependencies ?? {})) {
      if (k === 'python') continue;
      names.add(normalizeName(k));
      const specs = Array.isArray(v) ? v : [v];
      for (const s of specs)
        if (s && typeof s === 'object' && typeof (s as { path?: unknown }).path === 'string')
          addPath((s as { path: string }).path);
    }
    for (const s of Object.values(py.uv?.sources ?? {}))
      if (s && typeof s === 'object' && typeof (s as { path?: unknown }).path === 'string')
        addPath((s as { path: string }).path);
  }
  const reqFiles: string[] = [];
  for (const m of c.manifests) {
    if (m === 'requirements/') {
      for (const e of await listDir(path.join(abs, 'requirements')))
        if (
          e.isFile() &&
          /\.(txt|in)$/.test(e.name) &&
          !DEV_REQUIREMENTS.test(e.name.replace(/\.(txt|in)$/, ''))
        )
          reqFiles.push(`requirements/${e.name}`);
    } else if (/^requirements.*\.(txt|in)$/.test(m)) reqFiles.push(m);
  }
  for (const f of reqFiles) {
    try {
      // Followed through -r includes, like pip: a top requirements.txt may only include others.
      const req = await readRequirements(root, path.posix.join(c.dir, f));
      for (const e of req.entries) {
        if (e.requirement) names.add(normalizeName(e.requirement.name));
        if (e.path && !e.url) addPath(path.posix.join(path.posix.dirname(f), e.path));
      }
    } catch (err) {
      // detect reports a broken or missing requirements file with its line when it reads it.
      if (!(err instanceof InputError)) throw err;
    }
  }
  if (c.manifests.includes('Pipfile')) {
    const text = await readText(path.join(abs, 'Pipfile'));
    try {
      if (text !== null)
        for (const k of Object.keys(parsePipfile(text, path.posix.join(c.dir, 'Pipfile')).packages))
          names.add(normalizeName(k));
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
    }
  }
  for (const [f, parse] of [
    ['setup.cfg', parseSetupCfg],
    ['setup.py', scanSetupPy],
  ] as const) {
    if (!c.manifests.includes(f)) continue;
    const text = await readText(path.join(abs, f));
    if (text === null) continue;
    try {
      for (const r of parse(text, path.posix.join(c.dir, f)).installRequires) {
        const n = depName(r.text);
        if (n) names.add(n);
      }
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
    }
  }
  return { names, paths };
}

/**
 * How the project in `dir` is started, if it says: a console script, manage.py, a Procfile, or a
 * top-level Python file that is not project tooling. `null` for a library. Relative to the root.
 */
export async function launcherOf(root: string, dir: string, py: PyProject | null): Promise<string | null> {
  const at = (f: string) => (dir === '.' ? f : `${dir}/${f}`);
  const scripts = Object.keys(py ? projectScripts(py) : {});
  if (scripts.length) return `console script ${scripts[0]} in ${at('pyproject.toml')}`;
  const entries = await listDir(path.join(root, dir));
  const files = new Set(entries.filter((e) => e.isFile()).map((e) => e.name));
  for (const [f, parse] of [
    ['setup.cfg', parseSetupCfg],
    ['setup.py', scanSetupPy],
  ] as const) {
    if (!files.has(f)) continue;
    const text = await readText(path.join(root, dir, f));
    try {
      const s = text === null ? [] : Object.keys(parse(text, at(f)).scripts);
      if (s.length) return `console script ${s[0]} in ${at(f)}`;
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
    }
  }
  if (files.has('manage.py')) return at('manage.py');
  if (files.has('Procfile')) return at('Procfile');
  const topScripts = [...files].filter((f) => f.endsWith('.py') && !TOOLING_SCRIPTS.test(f));
  const rank = (f: string) => (ENTRY_FILES.includes(f) ? ENTRY_FILES.indexOf(f) : ENTRY_FILES.length);
  const script = topScripts.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))[0];
  return script ? at(script) : null;
}

interface Profile {
  cand: Candidate;
  launcher: string | null;
  /** Declared dependencies that only an app has (a framework, a server, a task queue). */
  appDeps: string[];
  paths: Set<string>;
}

async function profile(root: string, c: Candidate): Promise<Profile> {
  const d = await declared(root, c);
  const appNames = appPackageNames();
  return {
    cand: c,
    launcher: await launcherOf(root, c.dir, c.pyproject),
    appDeps: [...d.names].filter((n) => appNames.has(n)).sort(),
    paths: d.paths,
  };
}

const isApp = (p: Profile) => p.launcher !== null && p.appDeps.length > 0;

/** The import name a project's distribution name suggests: `my-app` -> `my_app`. */
const importNameOf = (name: string) => name.toLowerCase().replace(/[-.]+/g, '_');

async function hasPythonPackage(abs: string): Promise<boolean> {
  return (await listDir(abs)).some((e) => e.isFile() && e.name.endsWith('.py'));
}

/** Where the code named `pkg` lives in `dir`: `dir/pkg/`, `dir/src/pkg/` or `dir/pkg.py`. */
async function packageIn(root: string, dir: string, pkg: string): Promise<string | null> {
  for (const sub of [pkg, `src/${pkg}`]) if (await hasPythonPackage(path.join(root, dir, sub))) return sub;
  try {
    if ((await fsp.stat(path.join(root, dir, `${pkg}.py`))).isFile()) return `${pkg}.py`;
  } catch {
    // not there
  }
  return null;
}

interface Pick {
  cand: Candidate;
  why: string;
  source?: string;
}

/**
 * The top directory is a project, but is it the app? Not when it has no launcher and either its own
 * package lives in a subproject (the top pyproject.toml only manages dependencies and tools for the
 * code below it), or it is a library (no framework or server among its dependencies) next to a
 * subproject that is an app (a launcher and a framework or server of its own). A subproject the top
 * project depends on by path is a library of it, never the app.
 */
async function appBelowTop(root: string, top: Candidate, others: Candidate[]): Promise<Pick | null> {
  if (others.length === 0) return null;
  const topProfile = await profile(root, top);
  if (topProfile.launcher) return null;
  const pool = others.filter((c) => !topProfile.paths.has(c.dir));
  const name = top.pyproject ? projectName(top.pyproject) : undefined;
  if (name) {
    const pkg = importNameOf(name);
    if (!(await packageIn(root, '.', pkg))) {
      const homes: { c: Candidate; at: string }[] = [];
      for (const c of pool) {
        const at = await packageIn(root, c.dir, pkg);
        if (at) homes.push({ c, at: `${c.dir}/${at}` });
      }
      if (homes.length === 1 && homes[0]) {
        const h = homes[0];
        return {
          cand: h.c,
          why: `the top pyproject.toml (project ${name}) has no launcher and its code, ${h.at}, lives in the project ${h.c.dir}`,
          source: h.at,
        };
      }
    }
  }
  if (topProfile.appDeps.length) return null;
  const apps: Profile[] = [];
  for (const c of pool) {
    const p = await profile(root, c);
    if (isApp(p)) apps.push(p);
  }
  const best = apps.sort(
    (a, b) => compare(score(a.cand, true), score(b.cand, true)) || a.cand.dir.localeCompare(b.cand.dir),
  )[0];
  if (!best) return null;
  return {
    cand: best.cand,
    why: `the top directory is a library (no console script, manage.py, Procfile or top-level script; no framework or server among its dependencies) and ${best.cand.dir} is an app (${best.launcher}; depends on ${best.appDeps.join(', ')})`,
    source: best.launcher?.startsWith('console script') ? undefined : (best.launcher ?? undefined),
  };
}

export interface AppDirChoice {
  appDir: string;
  decision: Decision;
  warnings: Warning[];
  /** All apps found, for the several-apps warning and for callers. */
  apps: string[];
}

function score(c: Candidate, app: boolean): number[] {
  const base = c.dir.split('/').pop() ?? c.dir;
  const nameRank = APP_NAMES.indexOf(base);
  return [
    c.dir === '.' ? 0 : 1,
    app ? 0 : 1,
    c.hasLock ? 0 : 1,
    c.hasManage || c.manifests.some((m) => m !== 'setup.cfg') ? 0 : 1,
    nameRank < 0 ? APP_NAMES.length : nameRank,
    c.dir.split('/').length,
  ];
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/**
 * The several-apps warning, naming the directory finally used (after a uv workspace member was
 * preferred, say) and listing the others.
 */
export function severalAppsWarning(apps: string[], chosen: string): Warning | null {
  const others = apps.filter((a) => a !== chosen);
  if (others.length === 0) return null;
  const name = (d: string) => (d === '.' ? 'the top directory (.)' : d);
  return {
    code: 'several-apps',
    message: `found ${others.length + 1} Python projects: using ${name(chosen)}; also ${others.map(name).join(', ')} (choose with --app-dir or [tool.pycontain] app-dir; \`pycontain build\` builds all of them)`,
  };
}

/**
 * Pick the app directory. An override (`--app-dir`, `[tool.pycontain] app-dir`) wins, `.` included;
 * otherwise the top directory when it is a project, unless it is not the app (`appBelowTop`);
 * otherwise, among the apps found: one that is an app (launcher and framework/server dependency),
 * then one with a lock file, then one named backend/server/api/app/service/web/src, then the
 * shallowest, then by name.
 */
export async function chooseAppDir(
  root: string,
  override?: { value: string; label: string },
): Promise<AppDirChoice> {
  const cands = await scanTwice(root);
  const apps = appsFrom(cands);
  if (override) {
    const dir = path.posix.normalize(override.value.replace(/\\/g, '/')).replace(/\/+$/, '') || '.';
    if (dir.startsWith('..') || path.isAbsolute(dir))
      throw new InputError(`${override.label}: app directory "${override.value}" must be inside ${root}`);
    try {
      const st = await fsp.stat(path.join(root, dir));
      if (!st.isDirectory()) throw new Error('not a directory');
    } catch {
      throw new InputError(`${override.label}: app directory "${override.value}" does not exist in ${root}`);
    }
    return {
      appDir: dir,
      decision: { topic: 'appDir', value: dir, reason: `set by ${override.label}` },
      warnings: [],
      apps: apps.map((a) => a.dir),
    };
  }
  if (apps.length === 0) {
    let listing: string[] = [];
    try {
      listing = (await fsp.readdir(root)).slice(0, 8);
    } catch {
      throw new InputError(`no Python project found in ${root}: the directory cannot be read`);
    }
    throw new InputError(
      `no Python project found in ${root}: no pyproject.toml, requirements*.txt, setup.py, setup.cfg, Pipfile or manage.py (looked ${MAX_DEPTH} levels deep${listing.length ? `; it holds ${listing.join(', ')}` : '; it is empty'})`,
    );
  }
  const top = apps.find((c) => c.dir === '.');
  let pick: Pick;
  if (top) {
    const below = await appBelowTop(
      root,
      top,
      apps.filter((c) => c.dir !== '.'),
    );
    const what = top.manifests.length ? top.manifests.join(', ') : 'manage.py';
    pick = below ?? { cand: top, why: `the top directory is a Python project (${what})` };
  } else {
    const profiles = await Promise.all(apps.map((c) => profile(root, c)));
    const ranked = profiles.sort(
      (a, b) =>
        compare(score(a.cand, isApp(a)), score(b.cand, isApp(b))) || a.cand.dir.localeCompare(b.cand.dir),
    );
    const best = ranked[0] as Profile;
    const c = best.cand;
    const what = c.manifests.length ? c.manifests.join(', ') : 'manage.py';
    const traits = [
      ...(apps.length > 1 && isApp(best)
        ? [`an app: ${best.launcher}; depends on ${best.appDeps.join(', ')}`]
        : []),
      ...(apps.length > 1 && c.hasLock ? ['has a lock file'] : []),
    ];
    pick = {
      cand: c,
      why:
        apps.length === 1
          ? `the only Python project in the tree (${what})`
          : `chosen among ${apps.length} Python projects (${[what, ...traits].join('; ')})`,
    };
  }
  const c = pick.cand;
  const warning = severalAppsWarning(
    apps.map((a) => a.dir),
    c.dir,
  );
  const file = pick.source ?? (c.dir === '.' ? '' : `${c.dir}/`) + (c.manifests[0] ?? 'manage.py');
  return {
    appDir: c.dir,
    decision: { topic: 'appDir', value: c.dir, reason: pick.why, source: { file } },
    warnings: warning ? [warning] : [],
    apps: apps.map((a) => a.dir),
  };
}

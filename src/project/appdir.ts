import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Decision, Warning } from '../plan.js';
import { InputError } from '../plan.js';
import { isProjectManifest, parsePyProject } from './pyproject.js';

/**
 * Where the Python application lives inside the scanned directory. A directory is a Python project
 * when it holds pyproject.toml (a real one: [project], [tool.poetry], [build-system], [tool.uv] or
 * [tool.pdm]; a file that only configures ruff or black does not count), requirements*.txt,
 * requirements.in, setup.py, setup.cfg or Pipfile; a directory with only manage.py counts when no
 * enclosing directory is a project. Members of a uv workspace belong to the workspace root's app.
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
  'docs',
  'doc',
  'dist',
  'build',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
]);
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

interface Candidate {
  dir: string;
  manifests: string[];
  hasManage: boolean;
  hasLock: boolean;
  workspaceMembers: string[] | null;
}

async function listDir(abs: string): Promise<import('node:fs').Dirent[]> {
  try {
    return await fsp.readdir(abs, { withFileTypes: true });
  } catch {
    return [];
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

/**
 * Sample and fixture trees: skipped on the first pass (a library's examples/ are not its app), looked
 * at only when nothing else is found.
 */
const SECONDARY = new Set([
  'examples',
  'example',
  'samples',
  'sample',
  'fixtures',
  '__fixtures__',
  'testdata',
  'benchmarks',
  'bench',
]);

/** Requirement files for development only do not make a directory a project. */
const DEV_REQUIREMENTS =
  /(^|[-_.])(dev|develop|development|test|tests|testing|lint|docs?|ci|local|tox|typing|mypy)([-_.]|$)/i;

async function scan(root: string, skipSecondary = true): Promise<Candidate[]> {
  const out: Candidate[] = [];
  let seen = 0;
  const walk = async (relDir: string, depth: number) => {
    if (depth > MAX_DEPTH || ++seen > MAX_DIRS) return;
    const abs = path.join(root, relDir);
    const entries = await listDir(abs);
    const files = new Set(entries.filter((e) => e.isFile()).map((e) => e.name));
    const manifests = MANIFESTS.filter((m) => files.has(m));
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
    if (manifests.includes('pyproject.toml')) {
      try {
        const rel = relDir || '.';
        const p = parsePyProject(
          await fsp.readFile(path.join(abs, 'pyproject.toml'), 'utf8'),
          path.posix.join(rel, 'pyproject.toml'),
        );
        if (!isProjectManifest(p)) manifests.splice(manifests.indexOf('pyproject.toml'), 1);
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
      });
    }
    const subdirs = entries
      .filter(
        (e) =>
          e.isDirectory() &&
          !SKIP.has(e.name) &&
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

export interface AppDirChoice {
  appDir: string;
  decision: Decision;
  warnings: Warning[];
  /** All apps found, for the several-apps warning and for callers. */
  apps: string[];
}

function score(c: Candidate): number[] {
  const base = c.dir.split('/').pop() ?? c.dir;
  const nameRank = APP_NAMES.indexOf(base);
  return [
    c.dir === '.' ? 0 : 1,
    c.hasLock ? 0 : 1,
    c.hasManage || c.manifests.some((m) => m !== 'setup.cfg') ? 0 : 1,
    nameRank < 0 ? APP_NAMES.length : nameRank,
    c.dir.split('/').length,
  ];
}

/**
 * Pick the app directory. An override (`--app-dir`, `[tool.pycontain] app-dir`) wins; otherwise
 * the top directory when it is a project; otherwise, among the apps found: one with a lock file,
 * then one named backend/server/api/app/service/web/src, then the shallowest, then by name.
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
  const ranked = [...apps].sort((a, b) => {
    const sa = score(a);
    const sb = score(b);
    for (let i = 0; i < sa.length; i++) if ((sa[i] ?? 0) !== (sb[i] ?? 0)) return (sa[i] ?? 0) - (sb[i] ?? 0);
    return a.dir.localeCompare(b.dir);
  });
  const pick = ranked[0] as Candidate;
  const what = pick.manifests.length ? pick.manifests.join(', ') : 'manage.py';
  const warnings: Warning[] = [];
  const others = ranked.slice(1).map((c) => c.dir);
  let why: string;
  if (pick.dir === '.') why = `the top directory is a Python project (${what})`;
  else if (apps.length === 1) why = `the only Python project in the tree (${what})`;
  else
    why = `chosen among ${apps.length} Python projects (${what}${pick.hasLock ? ', has a lock file' : ''})`;
  if (others.length) {
    warnings.push({
      code: 'several-apps',
      message: `found ${apps.length} Python projects: using ${pick.dir}; also ${others.join(', ')} (choose with --app-dir or [tool.pycontain] app-dir; \`pycontain build\` builds all of them)`,
    });
  }
  return {
    appDir: pick.dir,
    decision: {
      topic: 'appDir',
      value: pick.dir,
      reason: why,
      source: {
        file:
          pick.dir === '.'
            ? (pick.manifests[0] ?? 'manage.py')
            : `${pick.dir}/${pick.manifests[0] ?? 'manage.py'}`,
      },
    },
    warnings,
    apps: apps.map((a) => a.dir),
  };
}

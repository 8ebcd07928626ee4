/**
 * Which .py files of the app are read, and the module name each one is imported as.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { importBindings, qualify, type Statement, scanPython } from '../pyscan.js';

const SKIP_DIRS = new Set([
  '.git',
  '.hg',
  '.venv',
  'venv',
  '.env',
  'env',
  'node_modules',
  'site-packages',
  '__pycache__',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  'tests',
  'test',
  'testing',
  'migrations',
  'build',
  'dist',
  'docs',
  'doc',
  '.eggs',
  'htmlcov',
  'static',
  'staticfiles',
  'media',
  'templates',
  'frontend',
  // Sample code shipped beside the app (appdir.ts searches these only when nothing else is a project).
  'examples',
  'example',
  'samples',
  'benchmarks',
]);
// Third-party code copied into the repository: never the app, and often most of its .py files.
const VENDORED_DIRS = new Set(['vendor', '_vendor', 'vendored', 'third_party', 'thirdparty', 'third-party']);
// Usual homes of vendored libraries put on sys.path; an app's own package of that name has an __init__.py.
const VENDORED_UNLESS_PACKAGE = new Set(['ext', 'lib', 'extern', 'external']);
const MAX_FILES = 2000;
const MAX_BYTES = 512 * 1024;
const MAX_DEPTH = 8;

export interface PyFile {
  /** Relative to appDir, posix. */
  rel: string;
  statements: Statement[];
  bindings: Map<string, string>;
  /** Module name relative to its import root ('pkg.main'). */
  module: string;
  /** Import root relative to appDir ('.' or 'src' ...). */
  importRoot: string;
  isPackageInit: boolean;
  text: string;
}

async function listPyFiles(base: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    if (depth > MAX_DEPTH || out.length >= MAX_FILES) return;
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fsp.readdir(path.join(base, dir), { withFileTypes: true });
    } catch {
      return;
    }
    const name = dir.slice(dir.lastIndexOf('/') + 1);
    if (VENDORED_UNLESS_PACKAGE.has(name) && !entries.some((e) => e.name === '__init__.py')) return;
    // Files before subdirectories: a big vendored tree must not push the app's own top-level
    // scripts past MAX_FILES.
    entries.sort(
      (a, b) =>
        Number(a.isDirectory()) - Number(b.isDirectory()) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0),
    );
    for (const e of entries) {
      if (out.length >= MAX_FILES) return;
      const rel = dir ? `${dir}/${e.name}` : e.name;
      if (e.isDirectory()) {
        if (
          SKIP_DIRS.has(e.name) ||
          VENDORED_DIRS.has(e.name) ||
          e.name.endsWith('.egg-info') ||
          (e.name.startsWith('.') && e.name !== '.')
        )
          continue;
        await walk(rel, depth + 1);
      } else if (e.isFile() && e.name.endsWith('.py')) {
        if (/^(test_.*|.*_test|conftest|setup|noxfile|fabfile)\.py$/.test(e.name)) continue;
        out.push(rel);
      }
    }
  };
  await walk('', 0);
  return out;
}

/**
 * Import root and module name of a file: climb while the directory is a package (__init__.py);
 * a top directory named `src` is a src layout; other plain directories are namespace packages of
 * the app directory, unless the file imports its siblings absolutely (scripts run from there).
 */
export function moduleOf(
  rel: string,
  initDirs: Set<string>,
  siblingImport: boolean,
): { module: string; importRoot: string } {
  const parts = rel.replace(/\.py$/, '').split('/');
  const file = parts.pop() as string;
  let k = parts.length;
  while (k > 0 && initDirs.has(parts.slice(0, k).join('/'))) k--;
  let rootParts = parts.slice(0, k);
  if (rootParts.length > 0 && k === parts.length && siblingImport) {
    // A plain directory whose modules import each other by bare name: it is its own import root.
  } else if (rootParts.length > 0 && rootParts[0] !== 'src') {
    rootParts = [];
  } else if (rootParts[0] === 'src') {
    rootParts = rootParts.slice(0, Math.max(1, rootParts.indexOf('src') + 1));
    // Deeper plain directories under src/ become namespace packages.
  }
  const modParts = [...parts.slice(rootParts.length), file].filter(
    (p, i, a) => !(p === '__init__' && i === a.length - 1),
  );
  return { module: modParts.join('.'), importRoot: rootParts.length ? rootParts.join('/') : '.' };
}

export async function scanFiles(base: string): Promise<PyFile[]> {
  const rels = await listPyFiles(base);
  const initDirs = new Set(
    rels.filter((r) => r.endsWith('/__init__.py')).map((r) => r.slice(0, -'/__init__.py'.length)),
  );
  const relSet = new Set(rels);
  const files: PyFile[] = [];
  for (const rel of rels) {
    let text: string;
    try {
      const st = await fsp.stat(path.join(base, rel));
      if (st.size > MAX_BYTES) continue;
      text = await fsp.readFile(path.join(base, rel), 'utf8');
    } catch {
      continue;
    }
    const statements = scanPython(text);
    const bindings = importBindings(statements);
    const dir = rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '';
    // Does it import a sibling module by bare name (`from models import X` next to models.py)?
    let siblingImport = false;
    if (dir && !initDirs.has(dir)) {
      for (const q of bindings.values()) {
        const head = q.split('.')[0] as string;
        if (
          head &&
          !q.startsWith('.') &&
          (relSet.has(`${dir}/${head}.py`) || initDirs.has(`${dir}/${head}`)) &&
          !relSet.has(`${head}.py`)
        ) {
          siblingImport = true;
        }
      }
    }
    const m = moduleOf(rel, initDirs, siblingImport);
    files.push({ rel, statements, bindings, ...m, isPackageInit: rel.endsWith('__init__.py'), text });
  }
  return files;
}

/** Resolve a relative qualified name ('.views.x') against a file's package. */
export function absolute(f: PyFile, q: string): string {
  if (!q.startsWith('.')) return q;
  const dots = /^\.+/.exec(q)?.[0].length ?? 0;
  const pkg = f.module.split('.');
  if (!f.isPackageInit) pkg.pop();
  for (let i = 1; i < dots; i++) pkg.pop();
  const rest = q.slice(dots);
  return [...pkg, ...(rest ? [rest] : [])].filter(Boolean).join('.');
}

// Analysis qualifies the same few names many times per file.
const qualifiedCache = new WeakMap<PyFile, Map<string, string>>();

/** Fully qualified name of a dotted name used in a file; unbound names are the file's own. */
export function qualified(f: PyFile, name: string): string {
  let cache = qualifiedCache.get(f);
  if (!cache) {
    cache = new Map();
    qualifiedCache.set(f, cache);
  }
  let q = cache.get(name);
  if (q === undefined) {
    const dot = name.indexOf('.');
    const head = dot < 0 ? name : name.slice(0, dot);
    if (!f.bindings.has(head) && !BUILTINS.has(head)) q = f.module ? `${f.module}.${name}` : name;
    else q = absolute(f, qualify(name, f.bindings));
    cache.set(name, q);
  }
  return q;
}

const BUILTINS = new Set([
  'print',
  'len',
  'str',
  'int',
  'dict',
  'list',
  'set',
  'tuple',
  'object',
  'super',
  'type',
]);

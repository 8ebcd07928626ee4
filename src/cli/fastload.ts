/**
 * The fast start of `pycontain lint`, which a pre-commit hook or an editor pays on every save.
 *
 * `npm run build` bundles the lint path into one CommonJS file (dist/cli/lint.cjs, and the project
 * readers into dist/cli/lint-project.cjs, loaded only when a Python project sits beside the
 * Dockerfile; scripts/build-bundles.mjs). Node then reads one file instead of resolving and linking
 * about 130 ES modules, and this loader compiles it through `vm.Script` with V8's code cache (the
 * v8-compile-cache technique; Node 20 has no module.enableCompileCache), so that neither the parse
 * nor the lazy compilation of the functions a lint run calls is repeated.
 *
 * The cache is keyed by the bundle's content hash (written into its first line at build time), the
 * V8 version and the architecture; V8 itself rejects a cache made under other flags. It is looked
 * up in the user's cache directory, then beside the bundle (made at build time); a missing or
 * rejected cache is made at the end of the run and written atomically to the user's cache
 * directory, replacing the caches of older builds there. Every failure to read or write a cache
 * only costs speed.
 *
 * Kept free of imports beyond node:fs, node:module, node:path and node:vm: the package bin
 * (dist/cli/pycontain.cjs) inlines this file and must not start the ES module loader for lint.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import vm from 'node:vm';

/** First line of every bundle: this prefix, then the hex SHA-256 of the rest of the file. */
export const BUNDLE_HEADER = '// pycontain-bundle sha256=';

/** The file name of the lint bundle, beside the CLI's entry points in dist/cli/. */
export const LINT_BUNDLE = 'lint.cjs';

/** The bundle of `detect` and `init`, beside the lint bundle. */
export const DETECT_BUNDLE = 'detect.cjs';

/** The bundle that runs a command, when it has one. */
export function bundleOf(command: string | undefined): string | null {
  if (command === 'lint') return LINT_BUNDLE;
  if (command === 'detect' || command === 'init') return DETECT_BUNDLE;
  return null;
}

/** Set to 1 to run `pycontain lint`, `detect` and `init` from the unbundled modules (comparisons, debugging). */
export const NO_BUNDLE_ENV = 'PYCONTAIN_NO_BUNDLE';

/** Where run-time code caches go (default: $XDG_CACHE_HOME/pycontain/v8 or ~/.cache/pycontain/v8). */
export const CACHE_DIR_ENV = 'PYCONTAIN_CACHE_DIR';

/** The command a command line names: its first word that is not an option, as src/cli/main.ts reads it. */
export function commandOf(argv: readonly string[]): string | undefined {
  return argv.slice(2).find((a) => !a.startsWith('-'));
}

/** The directory run-time code caches are written to, or null when there is none to use. */
export function userCacheDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env[CACHE_DIR_ENV]) return env[CACHE_DIR_ENV];
  const base =
    env.XDG_CACHE_HOME ||
    (process.platform === 'win32' ? env.LOCALAPPDATA : env.HOME ? path.join(env.HOME, '.cache') : '');
  return base ? path.join(base, 'pycontain', 'v8') : null;
}

/** How a bundle was compiled, for tests and the benchmark. */
export type CacheOutcome = 'hit' | 'miss' | 'rejected' | 'unkeyed';

export interface BundleLoad {
  exports: Record<string, unknown>;
  cache: CacheOutcome;
  /** The cache file that was used (hit) or will be written at exit (miss, rejected). */
  cacheFile: string | null;
}

const loads = new Map<string, BundleLoad>();
/** Caches to make at exit; `armed` false until the run did what the cache should hold. */
const pending = new Map<string, { script: vm.Script; file: string; armed: boolean }>();
let exitHookInstalled = false;

/** The content hash from a bundle's first line, or null (then no cache is used). */
export function bundleKey(source: string): string | null {
  if (!source.startsWith(BUNDLE_HEADER)) return null;
  const end = source.indexOf('\n');
  const key = source.slice(BUNDLE_HEADER.length, end < 0 ? undefined : end).trim();
  return /^[0-9a-f]{64}$/.test(key) ? key : null;
}

/** The end of a cache file name, after the bundle's name. */
const CACHE_NAME_TAIL = /-[0-9a-f]{32}-[\w.-]+\.v8cache$/;

/** The cache file name of a bundle: content hash, V8 version and architecture. */
export function cacheFileName(bundle: string, key: string): string {
  const v8 = process.versions.v8.replace(/[^\w.-]/g, '_');
  return `${path.basename(bundle, '.cjs')}-${key.slice(0, 32)}-${v8}-${process.arch}.v8cache`;
}

function readCache(dirs: readonly string[], name: string): { data: Buffer; file: string } | null {
  for (const dir of dirs) {
    const file = path.join(dir, name);
    try {
      return { data: fs.readFileSync(file), file };
    } catch {
      // absent or unreadable: try the next place
    }
  }
  return null;
}

/**
 * Write the caches this process made (at exit; exported for tests). A new cache replaces the
 * caches of older builds of the same bundle in that directory.
 */
export function writeCaches(): void {
  for (const { script, file, armed } of pending.values()) {
    if (!armed) continue;
    const tmp = `${file}.${process.pid}.tmp`;
    try {
      const dir = path.dirname(file);
      fs.mkdirSync(dir, { recursive: true });
      fs.writeFileSync(tmp, script.createCachedData());
      fs.renameSync(tmp, file);
      const name = path.basename(file);
      const bundle = name.slice(0, name.length - CACHE_NAME_TAIL.exec(name)![0].length);
      for (const old of fs.readdirSync(dir))
        if (
          old !== name &&
          old.startsWith(`${bundle}-`) &&
          CACHE_NAME_TAIL.exec(old)?.index === bundle.length
        )
          fs.rmSync(path.join(dir, old), { force: true });
    } catch {
      try {
        fs.rmSync(tmp, { force: true });
      } catch {
        // nothing to clean up
      }
    }
  }
  pending.clear();
}

/** Let the caches deferred by loadBundle be made at exit. */
export function armCaches(): void {
  for (const p of pending.values()) p.armed = true;
}

/**
 * Load a CommonJS bundle through the code cache and return its exports (once per process, like
 * require). `./<name>.cjs` required from inside a bundle loads that sibling bundle the same way.
 */
export function loadBundle(
  file: string,
  opts: {
    cacheDirs?: readonly string[];
    writeDir?: string | null;
    /** Make the cache only after armCaches(): a run that ends early (help, usage error) would make a poor one. */
    deferCache?: boolean;
  } = {},
): BundleLoad {
  const done = loads.get(file);
  if (done) return done;
  const source = fs.readFileSync(file, 'utf8');
  const dir = path.dirname(file);
  const writeDir = opts.writeDir === undefined ? userCacheDir() : opts.writeDir;
  const key = bundleKey(source);
  const name = key ? cacheFileName(file, key) : null;
  // The user's first: a cache there was made because the one beside the bundle was missing or
  // rejected (V8 flags of this user's runs).
  const cacheDirs = opts.cacheDirs ?? (writeDir ? [writeDir, dir] : [dir]);
  const cached = name ? readCache(cacheDirs, name) : null;
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData: cached?.data,
  });
  let cache: CacheOutcome;
  let cacheFile: string | null = cached?.file ?? null;
  if (!name) cache = 'unkeyed';
  else if (cached && !script.cachedDataRejected) cache = 'hit';
  else {
    cache = cached ? 'rejected' : 'miss';
    cacheFile = writeDir ? path.join(writeDir, name) : null;
    if (cacheFile) {
      // Made at exit, so that it holds the functions this run compiled, not only the top level.
      pending.set(file, { script, file: cacheFile, armed: opts.deferCache !== true });
      if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.once('exit', writeCaches);
      }
    }
  }
  const nodeRequire = createRequire(file);
  const bundleRequire = Object.assign(
    (id: string) =>
      /^\.\/[\w.-]+\.cjs$/.test(id) ? loadBundle(path.join(dir, id), opts).exports : nodeRequire(id),
    nodeRequire,
  );
  const module = { exports: {} as Record<string, unknown>, id: file, filename: file, loaded: false };
  const result: BundleLoad = { exports: module.exports, cache, cacheFile };
  loads.set(file, result);
  try {
    const wrapper = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => void;
    wrapper.call(module.exports, module.exports, bundleRequire, module, file, dir);
  } catch (err) {
    loads.delete(file);
    throw err;
  }
  module.loaded = true;
  result.exports = module.exports;
  return result;
}

/**
 * Run `pycontain lint` from the bundle beside the entry point in `dir`; false (nothing done) when
 * there is no bundle there (the CLI runs from source, or only tsc ran), when the bundle is older
 * than tsc's output beside it (tsc ran after the last `npm run build`: the bundle would run stale
 * code), or PYCONTAIN_NO_BUNDLE=1.
 */
export async function runBundledLint(dir: string, argv: readonly string[] = process.argv): Promise<boolean> {
  return runBundled(dir, LINT_BUNDLE, argv);
}

/** Run the command line from `bundle` beside the entry point in `dir` (see runBundledLint). */
export async function runBundled(
  dir: string,
  bundle: string,
  argv: readonly string[] = process.argv,
): Promise<boolean> {
  if (process.env[NO_BUNDLE_ENV] === '1') return false;
  const file = path.join(dir, bundle);
  if (!isFresh(file, path.join(dir, 'main.js'))) return false;
  // The cache is made only if the command runs to its end: `lint --help` or a usage error exits
  // from inside commander, and a cache made then would hold little of what linting compiles.
  const { exports } = loadBundle(file, { deferCache: true });
  await (exports.main as (argv: readonly string[]) => Promise<void>)(argv);
  armCaches();
  return true;
}

/**
 * True when the bundle exists and is not older than tsc's main.js (by more than a second: copies
 * and installs give both about the same time; npm gives every file of a package the same one).
 */
export function isFresh(bundle: string, tscOutput: string): boolean {
  let built: number;
  try {
    built = fs.statSync(bundle).mtimeMs;
  } catch {
    return false;
  }
  try {
    return fs.statSync(tscOutput).mtimeMs - built <= 1000;
  } catch {
    return true;
  }
}

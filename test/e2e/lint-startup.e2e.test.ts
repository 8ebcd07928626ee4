/**
 * `pycontain lint` from the built package starts lean (issue #5: one lint process at most 0.8x
 * dockerfilelint's), and behaves exactly like the unbundled CLI. No timings here: what is loaded is
 * what regresses the start-up, so this test pins that down (src/cli/fastload.ts,
 * scripts/build-bundles.mjs), and compares outputs and exit codes with PYCONTAIN_NO_BUNDLE=1.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dist = path.join(repo, 'dist', 'cli');
const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
};
const BIN = path.join(repo, pkg.bin.pycontain!);
const MAIN = path.join(dist, 'main.js');

const work = mkdtempSync(path.join(tmpdir(), 'pycontain-lint-startup-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Records what a process loads: CommonJS modules, files read with readFileSync, built-in modules. */
const TRACER = path.join(work, 'trace.cjs');
/** Also the ES modules (through module.register hooks, which start a worker: built-ins then differ). */
const ESM_TRACER = path.join(work, 'trace-esm.mjs');
const ESM_HOOKS = path.join(work, 'hooks.mjs');

const plain = path.join(work, 'plain');
const project = path.join(work, 'project');

const BAD = [
  'FROM python:3 AS build',
  'RUN apt-get update && apt-get install -y build-essential',
  'COPY requirements.txt .',
  'RUN pip install -r requirements.txt',
  'FROM python:3.12',
  'MAINTAINER someone',
  'COPY --from=build /usr/local /usr/local',
  'COPY . .',
  'CMD python app.py',
  '',
].join('\n');
const CLEAN =
  'FROM python:3.12-slim-bookworm\nENV PYTHONUNBUFFERED=1\nUSER 10001\nCMD ["python", "-m", "http.server"]\n';

beforeAll(() => {
  for (const f of ['pycontain.cjs', 'lint.cjs', 'lint-project.cjs', 'main.js', 'fastload.js'])
    if (!existsSync(path.join(dist, f)))
      throw new Error(`dist/cli/${f} is missing: run \`npm run build\` first`);
  writeFileSync(
    TRACER,
    `const fs = require('node:fs');
const Module = require('node:module');
const seen = new Set();
const read = fs.readFileSync;
fs.readFileSync = function (p, ...rest) { if (typeof p === 'string') seen.add(p); return read.call(this, p, ...rest); };
const load = Module._load;
Module._load = function (request, parent, isMain) {
  try { seen.add(Module._resolveFilename(request, parent, isMain)); } catch {}
  return load.apply(this, arguments);
};
globalThis.__traceSeen = seen;
process.on('exit', () => fs.writeFileSync(process.env.TRACE_OUT, JSON.stringify({
  files: [...seen], esm: globalThis.__traceEsm ?? [], builtins: process.moduleLoadList,
})));
`,
  );
  writeFileSync(
    ESM_HOOKS,
    `let port;
export function initialize(data) { port = data.port; }
export async function load(url, context, next) { port.postMessage(url); return next(url, context); }
`,
  );
  writeFileSync(
    ESM_TRACER,
    `import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';
const { port1, port2 } = new MessageChannel();
globalThis.__traceEsm = [];
port1.on('message', (url) => globalThis.__traceEsm.push(url));
port1.unref();
register(pathToFileURL(${JSON.stringify(ESM_HOOKS)}), { data: { port: port2 }, transferList: [port2] });
`,
  );
  mkdirSync(plain);
  writeFileSync(path.join(plain, 'Dockerfile'), BAD);
  writeFileSync(path.join(plain, 'clean.Dockerfile'), CLEAN);
  writeFileSync(path.join(plain, 'junk'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3]));
  cpSync(path.join(repo, 'examples', 'fastapi-uv'), project, { recursive: true });
  writeFileSync(path.join(project, 'Dockerfile'), BAD);
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}
interface Trace {
  files: string[];
  esm: string[];
  builtins: string[];
}

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  // Caches made at run time (none when the build's is used) go to a directory of this test, not ~/.cache.
  const e: NodeJS.ProcessEnv = {
    ...process.env,
    NO_COLOR: '1',
    PYCONTAIN_CACHE_DIR: path.join(work, 'user-cache'),
    ...extra,
  };
  // V8 flags from the test runner would make V8 reject the build's code cache.
  delete e.NODE_OPTIONS;
  delete e.PYCONTAIN_NO_BUNDLE;
  return e;
}

function run(entry: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Run {
  const r = spawnSync(process.execPath, [entry, ...args], {
    cwd: opts.cwd ?? work,
    encoding: 'utf8',
    env: env(opts.env),
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let traces = 0;
function traced(entry: string, args: string[], esm = false, extraEnv: NodeJS.ProcessEnv = {}): Run & Trace {
  const out = path.join(work, `trace-${traces++}.json`);
  // The hooks go in with --import: module.register from a --require'd script ends Node 20 silently.
  const tracers = ['--require', TRACER, ...(esm ? ['--import', pathToFileURL(ESM_TRACER).href] : [])];
  const r = spawnSync(process.execPath, [...tracers, entry, ...args], {
    cwd: work,
    encoding: 'utf8',
    env: env({ TRACE_OUT: out, ...extraEnv }),
  });
  const t = JSON.parse(readFileSync(out, 'utf8')) as Trace;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, ...t };
}

/** Files of the package (relative), from a trace: what the process read or required of pycontain. */
function packageFiles(t: Trace): string[] {
  const rel = [...t.files, ...t.esm.map((u) => (u.startsWith('file:') ? fileURLToPath(u) : u))]
    .filter((f) => path.isAbsolute(f) && f.startsWith(`${repo}${path.sep}`))
    .map((f) => path.relative(repo, f).split(path.sep).join('/'));
  return [...new Set(rel)].sort();
}

/** What a bundle holds: esbuild marks each module with a `// path` line in unminified output. */
function bundledModules(file: string): string[] {
  return [
    ...readFileSync(path.join(dist, file), 'utf8').matchAll(/^\/\/ ((?:src|node_modules)\/\S+)$/gm),
  ].map((m) => m[1]!);
}

/** Built-in modules a lint run has no use for; each costs start-up time to load. */
const UNWANTED_BUILTINS = [
  'NativeModule child_process',
  'NativeModule crypto',
  'NativeModule zlib',
  'NativeModule worker_threads',
  'NativeModule http',
  'NativeModule https',
  'NativeModule internal/fs/promises',
  // With NO_COLOR set (as here) nothing asks process.stdout whether it is a terminal, and the
  // report goes to the file descriptor: Node's stream modules are not loaded.
  'NativeModule stream',
  'NativeModule net',
];

const CACHE_FILE = /^dist\/cli\/lint-[0-9a-f]{32}-.+\.v8cache$/;

describe('the package bin, `pycontain lint FILE` with no project beside it', () => {
  it('reads the bin, the lint bundle and its build-time code cache, and nothing else of the package', () => {
    const userCache = path.join(work, 'user-cache-1');
    const t = traced(BIN, ['lint', '--fail-level', 'none', path.join(plain, 'Dockerfile')], false, {
      PYCONTAIN_CACHE_DIR: userCache,
    });
    expect(t.stderr).toContain('no Python project beside');
    expect(t.code).toBe(0);
    const files = packageFiles(t);
    expect(files.filter((f) => !CACHE_FILE.test(f))).toEqual(
      ['dist/cli/lint.cjs', path.relative(repo, BIN)].sort(),
    );
    expect(files.filter((f) => CACHE_FILE.test(f))).toHaveLength(1);
    // The cache made at build time was used: nothing made at exit.
    expect(existsSync(userCache)).toBe(false);
    expect(t.esm).toEqual([]);
    // No ES module ran at all (the loader's module jobs were never needed).
    expect(t.builtins).not.toContain('NativeModule internal/modules/esm/module_job');
    for (const b of UNWANTED_BUILTINS) expect(t.builtins).not.toContain(b);
  });

  it('holds the linter, without the image, engine, Dockerfile generator or project readers', () => {
    const modules = bundledModules('lint.cjs');
    expect(modules).toContain('src/lint/cli.ts');
    expect(modules).toContain('src/lint/rules/PC101.ts');
    expect(modules.some((m) => m.startsWith('node_modules/dockerfile-ast/'))).toBe(true);
    const forbidden = [
      /^src\/image\//,
      /^src\/engine\//,
      /^src\/verify\//,
      /^src\/dockerfile\//,
      /^src\/project\//,
      /^src\/cli\/commands\/(?!lint\.ts)/,
      /^node_modules\/(zod|tar-stream|fzstd|log-update|yaml|@renovatebot)\//,
    ];
    expect(modules.filter((m) => forbidden.some((re) => re.test(m)))).toEqual([]);
  });

  it('the project bundle holds the project readers, and neither image nor engine code', () => {
    const modules = bundledModules('lint-project.cjs');
    expect(modules).toContain('src/lint/project.ts');
    expect(modules).toContain('src/cli/lint-project-entry.ts');
    expect(modules).toContain('src/project/detect.ts');
    expect(modules.filter((m) => /^src\/(image|engine|verify|cli\/commands)\//.test(m))).toEqual([]);
    // It shares the lint bundle's src/plan.ts (one InputError class for both).
    expect(modules).not.toContain('src/plan.ts');
  });
});

describe('`node dist/cli/main.js lint FILE` (the documented form)', () => {
  it('takes the same bundle: two small ES modules, then lint.cjs, no unbundled linter', () => {
    const t = traced(MAIN, ['lint', '--fail-level', 'none', path.join(plain, 'Dockerfile')], true, {
      PYCONTAIN_CACHE_DIR: path.join(work, 'user-cache-2'),
    });
    expect(t.stderr).not.toContain('Error');
    expect(t.code).toBe(0);
    const files = packageFiles(t).filter((f) => !CACHE_FILE.test(f));
    expect(files).toEqual(['dist/cli/fastload.js', 'dist/cli/lint.cjs', 'dist/cli/main.js']);
  });

  it('runs every other command without the lint bundle', () => {
    const t = traced(MAIN, ['detect', project, '--json']);
    expect(t.code).toBe(0);
    // detect has its own bundle (dist/cli/detect.cjs, test/e2e/detect-startup.e2e.test.ts); never lint's.
    expect(packageFiles(t).filter((f) => /(^|\/)lint(-project)?\.cjs$/.test(f))).toEqual([]);
    const v = run(BIN, ['--version']);
    expect(v.code).toBe(0);
    expect(v.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('with a Python project beside the Dockerfile', () => {
  it('loads the project bundle as well, and still no unbundled module of the package', () => {
    const t = traced(BIN, ['lint', '--fail-level', 'none', path.join(project, 'Dockerfile')], false, {
      PYCONTAIN_CACHE_DIR: path.join(work, 'user-cache-3'),
    });
    expect(t.code).toBe(0);
    expect(t.stdout).toContain('PC402');
    const code = packageFiles(t).filter((f) => f.startsWith('dist/') && !f.endsWith('.v8cache'));
    expect(code).toEqual(['dist/cli/lint-project.cjs', 'dist/cli/lint.cjs', path.relative(repo, BIN)].sort());
    expect(packageFiles(t).filter((f) => f.startsWith('node_modules/'))).toEqual([]);
    expect(existsSync(path.join(work, 'user-cache-3'))).toBe(false);
  });
});

describe('the bundle behaves as the unbundled CLI', () => {
  const unbundled = (args: string[], cwd?: string) =>
    run(MAIN, args, { cwd, env: { PYCONTAIN_NO_BUNDLE: '1' } });
  const bundled = (args: string[], cwd?: string) => run(BIN, args, { cwd });
  const same = (args: string[], cwd = plain) => {
    const a = bundled(args, cwd);
    const b = unbundled(args, cwd);
    expect(a).toEqual(b);
    return a;
  };

  it('in every format, exit code and stream', () => {
    for (const format of ['text', 'json', 'sarif', 'github', 'checkstyle'])
      expect(same(['lint', '--format', format, 'Dockerfile', 'clean.Dockerfile']).code).toBe(1);
    expect(same(['lint', 'clean.Dockerfile']).code).toBe(0);
    // Only warnings and below in it.
    expect(same(['lint', '--fail-level', 'error', 'Dockerfile']).code).toBe(0);
    expect(same(['lint', '--fail-level', 'none', 'Dockerfile']).code).toBe(0);
  });

  it('on bad input and usage errors', () => {
    expect(same(['lint', 'missing.Dockerfile']).code).toBe(2);
    expect(same(['lint', 'junk']).code).toBe(2);
    expect(same(['lint', '--format', 'xml', 'Dockerfile']).code).toBe(2);
    expect(same(['lint', '--no-such-option']).code).toBe(2);
    expect(same(['lint', '--list-rules']).code).toBe(0);
    expect(same(['lint', '--help']).code).toBe(0);
  });

  it('with [tool.pycontain.lint] configuration, valid and invalid', () => {
    const dir = path.join(work, 'config');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'Dockerfile'), BAD);
    writeFileSync(
      path.join(dir, 'pyproject.toml'),
      '[project]\nname = "x"\nversion = "1"\nrequires-python = ">=3.12"\n\n[tool.pycontain.lint]\nignore = ["PC104"]\nfail-level = "error"\n',
    );
    const r = same(['lint', '--format', 'json', 'Dockerfile'], dir);
    expect(r.stdout).not.toContain('PC104');
    writeFileSync(path.join(dir, 'pyproject.toml'), '[tool.pycontain.lint]\nignore = [\n');
    expect(same(['lint', 'Dockerfile'], dir).code).toBe(2);
    writeFileSync(path.join(dir, 'pyproject.toml'), '[tool.pycontain.lint]\nbogus = 1\n');
    expect(same(['lint', 'Dockerfile'], dir).code).toBe(2);
  });

  it('with the project-aware rules, and with --no-project', () => {
    expect(same(['lint', '--format', 'json', 'Dockerfile'], project).stdout).toContain('PC402');
    expect(same(['lint', '--no-project', 'Dockerfile'], project).stderr).toContain('--no-project');
  });

  it('--fix rewrites the same bytes', () => {
    const a = path.join(work, 'fix-a');
    const b = path.join(work, 'fix-b');
    for (const d of [a, b]) {
      mkdirSync(d);
      writeFileSync(path.join(d, 'Dockerfile'), BAD);
    }
    const ra = bundled(['lint', '--fix', 'Dockerfile'], a);
    const rb = unbundled(['lint', '--fix', 'Dockerfile'], b);
    expect(ra).toEqual(rb);
    const fixed = readFileSync(path.join(a, 'Dockerfile'), 'utf8');
    expect(fixed).not.toBe(BAD);
    expect(fixed).toBe(readFileSync(path.join(b, 'Dockerfile'), 'utf8'));
    expect(readdirSync(a)).toEqual(['Dockerfile']);
  });
});

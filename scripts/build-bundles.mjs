/**
 * The fast path of `pycontain lint` (part of `npm run build`, after tsc; see src/cli/fastload.ts):
 *   dist/cli/lint.cjs          the lint command: commander, the linter, dockerfile-ast, smol-toml
 *   dist/cli/lint-project.cjs  the project readers, loaded only when a Python project is beside
 *                              the Dockerfile (src/lint/project.ts and what it imports)
 *   dist/cli/detect.cjs        `detect` and `init`: the project readers, the report, the generator
 *   dist/cli/pycontain.cjs     the package bin: runs lint, detect and init from their bundles,
 *                              anything else via main.js
 * and a V8 code cache for each bundle, made by linting a few Dockerfiles with the built bin.
 *
 * The bundles sit in dist/cli/, two levels below the package root like src/project/, so the
 * `new URL('../../data/...', import.meta.url)` of the project readers finds data/ from them too.
 *
 *   node scripts/build-bundles.mjs [--no-cache]
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'dist', 'cli');
const HEADER = '// pycontain-bundle sha256=';

const IMPORT_META_URL = '__pycontain_import_meta_url';

/** Source modules that must never be in a bundle of the lint path. */
export const FORBIDDEN = {
  /** Neither bundle: the image readers, the engine layer, the other commands. */
  any: [
    /^src\/image\//,
    /^src\/engine\//,
    /^src\/verify\//,
    /^src\/report\//,
    /^src\/cli\/commands\/(?!lint\.ts$)/,
  ],
  /** Not in the lint bundle: the project readers and their libraries, the Dockerfile generator. */
  lint: [
    /^src\/project\//,
    /^src\/dockerfile\//,
    /^node_modules\/zod\//,
    /^node_modules\/@renovatebot\//,
    /^node_modules\/yaml\//,
  ],
  /** Not in the detect bundle: the image readers, the engine layer, the other commands. */
  detect: [
    /^src\/image\//,
    /^src\/engine\//,
    /^src\/verify\//,
    /^src\/cli\/commands\/(?!(detect|init)\.ts$)/,
  ],
};

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // Resolve packages as Node resolves them for require(): without esbuild's default `module`
  // condition, which picks ES builds (vscode-languageserver-types) that then need an interop copy
  // of all their exports at every require.
  conditions: [],
  // No source maps: the bundles are not minified, and every module is marked with a `// src/...`
  // comment (which the start-up test reads to know what a bundle holds).
  sourcemap: false,
  legalComments: 'none',
  metafile: true,
  logLevel: 'silent',
};

/** Resolve the linter's `import('./project.js')` to the sibling bundle, through a CommonJS require. */
const projectAsSibling = {
  name: 'project-as-sibling',
  setup(build) {
    build.onResolve({ filter: /\/project\.js$/ }, (args) => {
      const target = path.resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
      if (target !== path.join(root, 'src', 'lint', 'project.ts')) return undefined;
      return { path: 'lint-project', namespace: 'pycontain-sibling' };
    });
    build.onLoad({ filter: /.*/, namespace: 'pycontain-sibling' }, () => ({
      contents: 'module.exports = require("./lint-project.cjs");',
      loader: 'js',
    }));
  },
};

/**
 * commander requires node:child_process at load, for executable subcommands pycontain does not
 * have; loading it (with net, dgram and their streams) is a measurable part of a lint process, so
 * the bundle gets it on first use instead.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes(`${path.sep}node_modules${path.sep}commander${path.sep}`)
        ? { path: 'child_process', namespace: 'pycontain-lazy' }
        : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'pycontain-lazy' }, () => ({
      contents: 'module.exports = new Proxy({}, { get: (_, key) => require("node:child_process")[key] });',
      loader: 'js',
    }));
  },
};

/** The project bundle shares the lint bundle's src/plan.ts, so `instanceof InputError` holds across both. */
const planFromLintBundle = {
  name: 'plan-from-lint-bundle',
  setup(build) {
    build.onResolve({ filter: /\/plan\.js$/ }, (args) => {
      const target = path.resolve(args.resolveDir, args.path.replace(/\.js$/, '.ts'));
      if (target !== path.join(root, 'src', 'plan.ts')) return undefined;
      return { path: 'plan', namespace: 'pycontain-shared' };
    });
    build.onLoad({ filter: /.*/, namespace: 'pycontain-shared' }, () => ({
      contents: 'module.exports = require("./lint.cjs").plan;',
      loader: 'js',
    }));
  },
};

/** The esbuild options of each bundle (exported for the test that checks what the lint path contains). */
export function bundleOptions() {
  return {
    lint: {
      ...common,
      entryPoints: { lint: 'src/cli/lint-entry.ts' },
      // src/lint/apt-releases.ts finds data/ through import.meta.url too (read on first use).
      define: { 'import.meta.url': IMPORT_META_URL },
      banner: { js: `var ${IMPORT_META_URL} = require('node:url').pathToFileURL(__filename).href;` },
      plugins: [projectAsSibling, lazyChildProcess],
      external: ['./lint-project.cjs'],
    },
    project: {
      ...common,
      entryPoints: { 'lint-project': 'src/cli/lint-project-entry.ts' },
      // The project readers find data/ through import.meta.url (see the top of this file).
      define: { 'import.meta.url': IMPORT_META_URL },
      banner: { js: `var ${IMPORT_META_URL} = require('node:url').pathToFileURL(__filename).href;` },
      plugins: [planFromLintBundle],
      external: ['./lint.cjs'],
    },
    detect: {
      ...common,
      entryPoints: { detect: 'src/cli/detect-entry.ts' },
      define: { 'import.meta.url': IMPORT_META_URL },
      banner: { js: `var ${IMPORT_META_URL} = require('node:url').pathToFileURL(__filename).href;` },
      plugins: [lazyChildProcess],
    },
    bin: {
      ...common,
      entryPoints: { pycontain: 'src/cli/bin.ts' },
      define: { 'import.meta.dirname': '__dirname' },
      external: ['./main.js'],
    },
  };
}

function inputsOf(result) {
  return Object.keys(result.metafile.inputs);
}

/** Fail the build on what would break at run time or defeat the fast path. */
function check(name, result) {
  const problems = [];
  for (const m of [...result.errors, ...result.warnings])
    problems.push(esbuild.formatMessagesSync([m], { kind: 'warning' }).join(''));
  const inputs = inputsOf(result);
  const rules =
    name === 'detect' ? FORBIDDEN.detect : [...FORBIDDEN.any, ...(name === 'lint' ? FORBIDDEN.lint : [])];
  for (const input of inputs)
    if (rules.some((re) => re.test(input)))
      problems.push(`${name}: bundles ${input}, which the lint path must not load`);
  // import() of anything left outside would need the ES module loader inside vm.Script.
  for (const out of Object.values(result.metafile.outputs))
    for (const imp of out.imports ?? [])
      if (imp.external && imp.kind === 'dynamic-import' && name !== 'bin')
        problems.push(`${name}: dynamic import of ${imp.path} left outside the bundle`);
  if (problems.length > 0) throw new Error(`bundle ${name}:\n${problems.join('\n')}`);
}

/** Prefix the content hash the code cache is keyed by (src/cli/fastload.ts reads it). */
function withHeader(text) {
  const hash = createHash('sha256').update(text).digest('hex');
  return `${HEADER}${hash}\n${text}`;
}

export async function buildBundles({ cache = true } = {}) {
  mkdirSync(outDir, { recursive: true });
  for (const f of readdirSync(outDir))
    if (f.endsWith('.v8cache') || /^(lint|lint-project|detect|pycontain)\.cjs\.map$/.test(f))
      rmSync(path.join(outDir, f));
  const options = bundleOptions();
  const made = {};
  for (const [name, opts] of Object.entries(options)) {
    const result = await esbuild.build({
      ...opts,
      outdir: outDir,
      outExtension: { '.js': '.cjs' },
      write: false,
    });
    check(name, result);
    for (const file of result.outputFiles) {
      writeFileSync(file.path, name === 'bin' ? file.text : withHeader(file.text));
    }
    made[name] = inputsOf(result);
  }
  chmodSync(path.join(outDir, 'pycontain.cjs'), 0o755);
  if (cache) trainCache();
  return made;
}

/**
 * The code cache beside the bundles: lint a few Dockerfiles through the built bin, with and without
 * a project beside them, in every format, so the cache holds what a lint run compiles. A user whose
 * Node differs from the build's gets one made in their cache directory on the first run instead.
 */
function trainCache() {
  const work = mkdtempSync(path.join(tmpdir(), 'pycontain-train-'));
  try {
    const plain = path.join(work, 'plain');
    const project = path.join(work, 'project');
    mkdirSync(plain);
    mkdirSync(project);
    const dockerfile = [
      'FROM python:3.12-slim AS build',
      'RUN apt-get update && apt-get install -y build-essential',
      'COPY requirements.txt .',
      'RUN pip install -r requirements.txt',
      'FROM python:3',
      'COPY --from=build /usr/local /usr/local',
      'COPY . .',
      'CMD python app.py',
      '',
    ].join('\n');
    writeFileSync(path.join(plain, 'Dockerfile'), dockerfile);
    writeFileSync(path.join(project, 'Dockerfile'), dockerfile);
    writeFileSync(path.join(project, 'requirements.txt'), 'flask==3.0.0\n');
    writeFileSync(path.join(project, 'app.py'), 'import flask\n');
    writeFileSync(
      path.join(project, 'pyproject.toml'),
      '[project]\nname = "app"\nversion = "1"\nrequires-python = ">=3.11"\n',
    );
    writeFileSync(path.join(project, '.dockerignore'), '.git\n');
    // One run over both: the caches are made at its exit, holding what either path compiled.
    const files = [path.join(plain, 'Dockerfile'), path.join(project, 'Dockerfile')];
    const r = spawnSync(
      process.execPath,
      [path.join(outDir, 'pycontain.cjs'), 'lint', '--fail-level', 'none', ...files],
      {
        encoding: 'utf8',
        // Without NODE_OPTIONS: V8 flags there would make the cache one a plain `node` rejects.
        env: {
          ...withoutNodeOptions(process.env),
          PYCONTAIN_CACHE_DIR: outDir,
          PYCONTAIN_NO_BUNDLE: '',
          NO_COLOR: '1',
        },
      },
    );
    if (r.status !== 0) throw new Error(`training lint run failed (${r.status}): ${r.stderr}`);
    const d = spawnSync(process.execPath, [path.join(outDir, 'pycontain.cjs'), 'detect', project, '--json'], {
      encoding: 'utf8',
      env: {
        ...withoutNodeOptions(process.env),
        PYCONTAIN_CACHE_DIR: outDir,
        PYCONTAIN_NO_BUNDLE: '',
        NO_COLOR: '1',
      },
    });
    if (d.status !== 0) throw new Error(`training detect run failed (${d.status}): ${d.stderr}`);
    const made = readdirSync(outDir).filter((f) => f.endsWith('.v8cache'));
    if (made.length !== 3)
      throw new Error(`training runs made ${made.length} code caches, expected 3: ${made.join(', ')}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function withoutNodeOptions(env) {
  const { NODE_OPTIONS: _, ...rest } = env;
  return rest;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildBundles({ cache: !process.argv.includes('--no-cache') });
}

/**
 * The size journey (issue #6): for four example apps, build every comparison Dockerfile of
 * bench/dockerfiles/<app>/ and pycontain's generated one (slim and distroless) on the testenv's
 * base images, in one run, and measure image size, layer count, cold build time (`--no-cache`),
 * rebuild time after a code-only change (and whether every dependency step came from the cache,
 * read from BuildKit's log), and whether the app starts and answers. Then lint throughput
 * (bench/lint.ts) and analyze throughput (bench/analyze.ts). Writes bench/RESULTS.md and
 * bench/results.json and prints the markdown.
 *
 *   npm run bench                      # everything
 *   npx tsx bench/run.ts --apps numpy-report --variants floor,generated --no-extras --jobs 1
 */
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

import {
  type BuildResult,
  type BuildStep,
  copyExample,
  docker,
  dockerBuild,
  imageDigest,
  inspectImage,
  instructionSteps,
  loadTestenv,
  pollHttp,
  removeCopy,
  removeImage,
  type Testenv,
  withContainer,
} from '../test/e2e/support/index.js';

const benchDir = path.dirname(fileURLToPath(import.meta.url));

export interface AppSpec {
  name: string;
  port: number;
  health: string;
  /** File (relative to the example) that the code-only change touches. */
  codeFile: string;
}

export const APPS: AppSpec[] = [
  { name: 'flask-psycopg2-pip', port: 8000, health: '/health', codeFile: 'app/main.py' },
  { name: 'fastapi-poetry', port: 8000, health: '/health', codeFile: 'inventory/main.py' },
  { name: 'django-pdm', port: 8000, health: '/health/', codeFile: 'catalog/views.py' },
  { name: 'numpy-report', port: 8000, health: '/report', codeFile: 'report/web.py' },
];

export const VARIANTS = [
  'naive',
  'slim',
  'seed-step4',
  'docker-init',
  'floor',
  'generated',
  'generated-distroless',
] as const;
export type Variant = (typeof VARIANTS)[number];

export interface Row {
  app: string;
  variant: Variant;
  ok: boolean;
  error?: string;
  sizeBytes?: number;
  layers?: number;
  coldBuildMs?: number;
  rebuildMs?: number;
  /** Instruction steps BuildKit re-ran after the code-only change. */
  rebuiltSteps?: string[];
  /** Dependency-install steps (pip/poetry/pdm/uv/pipenv/apt) re-run after the code-only change. */
  depStepsRerun?: string[];
  /** Dependency-install steps in the Dockerfile (to tell "none re-ran" from "there were none"). */
  depSteps?: number;
  answered?: boolean;
  httpStatus?: number;
  startMs?: number;
  user?: string;
  vsNaive?: number;
  vsFloor?: number;
}

// A step installs dependencies when it runs a package manager or apt; app-only steps (COPY of the
// code, collectstatic, compileall of the app, project-only installs with --no-deps) may re-run.
const DEP_STEP =
  /\b(pip3?|python3? -m pip)\b[^\n]*\binstall\b|\bpoetry\b[^\n]*\binstall\b|\bpdm\b[^\n]*\b(sync|install|export)\b|\buv\b[^\n]*\b(sync|pip install)\b|\bpipenv\b|\bapt-get\b[^\n]*\binstall\b/;

function isDepStep(s: BuildStep): boolean {
  const ins = s.instruction ?? '';
  if (!ins.startsWith('RUN')) return false;
  if (!DEP_STEP.test(ins)) return false;
  // installing only the project itself, without dependencies, is app code
  if (/--no-deps\b/.test(ins) && !/-r\s|--requirement|requirements/.test(ins)) return false;
  return true;
}

function parseArgs(argv: string[]): {
  apps: string[];
  variants: Variant[];
  extras: boolean;
  keep: boolean;
  jobs: number;
  /** Render from rows saved by an earlier run (results.json or the partial file) instead of building. */
  fromJson?: string;
} {
  const get = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const apps = get('--apps')?.split(',') ?? APPS.map((a) => a.name);
  const variants = (get('--variants')?.split(',') ?? [...VARIANTS]) as Variant[];
  for (const v of variants) if (!VARIANTS.includes(v)) throw new Error(`unknown variant ${v}`);
  for (const a of apps) if (!APPS.some((x) => x.name === a)) throw new Error(`unknown app ${a}`);
  const jobs = Number(get('--jobs') ?? 2);
  if (!Number.isInteger(jobs) || jobs < 1) throw new Error('--jobs takes a positive integer');
  return {
    apps,
    variants,
    extras: !argv.includes('--no-extras'),
    keep: argv.includes('--keep-images'),
    jobs,
    fromJson: get('--from-json'),
  };
}

function buildArgsFor(env: Testenv, variant: Variant): Record<string, string> {
  const args: Record<string, string> = {
    PIP_INDEX_URL: env.indexUrl,
    PDM_PYPI_URL: env.indexUrl,
    UV_INDEX_URL: env.indexUrl,
    UV_DEFAULT_INDEX: env.indexUrl,
  };
  if (variant === 'generated' || variant === 'generated-distroless') {
    // The testenv's index holds these versions only; the generated Dockerfile pins tools through ARGs.
    args.POETRY_VERSION = '1.3.2';
    args.PDM_VERSION = '2.2.1';
  } else {
    args.BASE = variant === 'naive' ? env.pythonFull : env.pythonSlim;
  }
  return args;
}

type InitFn = (
  dir: string,
  o: { force?: boolean; overrides?: Record<string, unknown> },
) => Promise<{ written: string[]; skipped: string[]; output: string }>;

async function loadInit(): Promise<InitFn> {
  const spec = '../src/dockerfile/init.js';
  const mod = (await import(spec)) as { initProject?: InitFn };
  if (!mod.initProject) throw new Error('src/dockerfile/init.ts does not export initProject');
  return mod.initProject;
}

/** Prepare the context and Dockerfile path of one variant in a fresh copy of the example. */
async function prepare(
  env: Testenv,
  app: AppSpec,
  variant: Variant,
): Promise<{ dir: string; dockerfile: string }> {
  const dir = await copyExample(app.name);
  if (variant === 'generated' || variant === 'generated-distroless') {
    const init = await loadInit();
    // The stand-ins are Debian 12; their tags do not say so.
    const overrides: Record<string, unknown> = {
      baseImage: env.pythonSlim,
      builderImage: env.pythonSlim,
      debian: env.debian,
    };
    if (variant === 'generated-distroless') {
      overrides.distroless = true;
      overrides.distrolessImage = env.distroless;
      // Debian's interpreter at /usr/bin/python3.11 lives in the slim stand-in as well.
    }
    await init(dir, { force: true, overrides });
    return { dir, dockerfile: path.join(dir, 'Dockerfile') };
  }
  return { dir, dockerfile: path.join(benchDir, 'dockerfiles', app.name, `${variant}.Dockerfile`) };
}

function fmtErr(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n').slice(0, 12).join('\n');
}

async function measure(env: Testenv, app: AppSpec, variant: Variant, keep: boolean): Promise<Row> {
  const row: Row = { app: app.name, variant, ok: false };
  const tag = `pycontain-dev/bench-${app.name}-${variant}:latest`;
  let dir: string | null = null;
  try {
    const prep = await prepare(env, app, variant);
    await fsp.rm(path.join(os.tmpdir(), `pycontain-bench-${app.name}-${variant}.log`), { force: true });
    dir = prep.dir;
    const common = {
      logFile: path.join(os.tmpdir(), `pycontain-bench-${app.name}-${variant}.log`),
      context: dir,
      dockerfile: prep.dockerfile,
      tag,
      network: 'host' as const,
      buildArgs: buildArgsFor(env, variant),
    };
    const cold: BuildResult = await dockerBuild({ ...common, noCache: true });
    row.coldBuildMs = cold.durationMs;
    row.depSteps = instructionSteps(cold.steps).filter(isDepStep).length;
    const info = await inspectImage(tag);
    row.sizeBytes = info.size;
    row.layers = info.layers;
    row.user = info.user || 'root';

    // Does it start and answer? Distroless images have no shell: nothing here needs one.
    const started = performance.now();
    try {
      const answer = await withContainer(tag, { port: app.port }, (c) =>
        pollHttp(`${c.url}${app.health}`, { timeoutMs: 90_000, container: c, expectStatus: 200 }),
      );
      row.answered = true;
      row.httpStatus = answer.status;
      row.startMs = performance.now() - started;
    } catch (err) {
      row.answered = false;
      row.error = `did not answer: ${fmtErr(err)}`;
    }

    // A code-only change: one line appended to an application module, then a normal (cached) build.
    const codePath = path.join(dir, app.codeFile);
    await fsp.appendFile(codePath, `\n# bench: code-only change ${Date.now()}\n`);
    const re = await dockerBuild(common);
    row.rebuildMs = re.durationMs;
    // FROM of a local image reports DONE, never CACHED: it is a lookup, not a rebuilt layer.
    const rerun = instructionSteps(re.steps).filter((s) => !s.cached && !s.instruction?.startsWith('FROM'));
    row.rebuiltSteps = rerun.map((s) => s.name);
    row.depStepsRerun = rerun.filter(isDepStep).map((s) => s.name);
    row.ok = row.answered === true;
  } catch (err) {
    row.error = fmtErr(err);
  } finally {
    if (dir) await removeCopy(dir);
    if (!keep && !row.ok) await removeImage(tag).catch(() => undefined);
  }
  return row;
}

const MB = 1024 * 1024;
const fmtMB = (b?: number) => (b === undefined ? '—' : (b / MB).toFixed(1));
const fmtS = (ms?: number) => (ms === undefined ? '—' : (ms / 1000).toFixed(1));
const fmtX = (x?: number) => (x === undefined ? '—' : x.toFixed(3));

function computeRatios(rows: Row[]): void {
  for (const r of rows) {
    const naive = rows.find((x) => x.app === r.app && x.variant === 'naive' && x.sizeBytes);
    const floor = rows.find((x) => x.app === r.app && x.variant === 'floor' && x.sizeBytes);
    if (r.sizeBytes && naive?.sizeBytes) r.vsNaive = r.sizeBytes / naive.sizeBytes;
    if (r.sizeBytes && floor?.sizeBytes) r.vsFloor = r.sizeBytes / floor.sizeBytes;
  }
}

function reuseCell(r: Row): string {
  if (r.depStepsRerun === undefined) return '—';
  if (r.depStepsRerun.length === 0) return r.depSteps ? `yes (${r.depSteps} cached)` : 'yes (no dep steps)';
  return `**no**: ${r.depStepsRerun.length} re-ran`;
}

export function markdownTable(rows: Row[]): string {
  const out = [
    '| app | variant | size MB | × naive | × floor | layers | cold build s | code-only rebuild s | dep layers reused | starts & answers | user |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|---|---|',
  ];
  for (const r of rows) {
    const answers =
      r.answered === undefined ? 'not run' : r.answered ? `yes (${fmtS(r.startMs)} s)` : '**no**';
    out.push(
      `| ${r.app} | ${r.variant} | ${fmtMB(r.sizeBytes)} | ${fmtX(r.vsNaive)} | ${fmtX(r.vsFloor)} | ${r.layers ?? '—'} | ${fmtS(r.coldBuildMs)} | ${fmtS(r.rebuildMs)} | ${reuseCell(r)} | ${answers} | ${r.user ?? '—'} |`,
    );
  }
  return out.join('\n');
}

export interface Goal {
  goal: string;
  met: boolean;
  detail: string;
}

/**
 * The seed's two headline claims, against this run: "1 GB -> 80-120 MB" (sizes of the naive and
 * generated images) and "uv builds 10-100x faster than pip" (not measurable here: no uv binary).
 */
export function seedClaims(rows: Row[]): string[] {
  const sizes = (variant: Variant) =>
    rows.filter((r) => r.variant === variant && r.sizeBytes !== undefined).map((r) => r.sizeBytes as number);
  const range = (xs: number[]) =>
    xs.length ? `${fmtMB(Math.min(...xs))}–${fmtMB(Math.max(...xs))} MB` : 'not built';
  const naive = sizes('naive');
  const gen = sizes('generated');
  const dl = sizes('generated-distroless');
  return [
    '| seed claim | this run |',
    '|---|---|',
    `| "1 GB → 80–120 MB" | naive ${range(naive)} → generated ${range(gen)}, distroless ${range(dl)} (the stand-in slim base alone is a large share; see the base sizes above) |`,
    '| "uv builds 10–100× faster than pip" | not measured: uv cannot be installed on this machine (no PyPI, no ghcr.io), so the uv Dockerfiles are checked statically only |',
  ];
}

export function goals(rows: Row[]): Goal[] {
  const out: Goal[] = [];
  for (const variant of ['generated', 'generated-distroless'] as const) {
    for (const r of rows.filter((x) => x.variant === variant)) {
      if (r.vsFloor !== undefined)
        out.push({
          goal: `${r.app} ${variant} ≤ 1.02 × floor${variant === 'generated-distroless' ? ' (floor on slim)' : ''}`,
          met: r.vsFloor <= 1.02,
          detail: `${fmtX(r.vsFloor)} × (${fmtMB(r.sizeBytes)} MB vs ${fmtMB(rows.find((x) => x.app === r.app && x.variant === 'floor')?.sizeBytes)} MB)`,
        });
      if (r.vsNaive !== undefined)
        out.push({
          goal: `${r.app} ${variant} ≤ 0.25 × naive`,
          met: r.vsNaive <= 0.25,
          detail: `${fmtX(r.vsNaive)} ×`,
        });
      if (r.depStepsRerun !== undefined)
        out.push({
          goal: `${r.app} ${variant}: code-only rebuild reuses every dependency layer`,
          met: r.depStepsRerun.length === 0 && (r.depSteps ?? 0) > 0,
          detail:
            r.depStepsRerun.length === 0
              ? `${r.depSteps} dependency steps cached; re-ran: ${r.rebuiltSteps?.join('; ') || 'nothing'}`
              : `re-ran: ${r.depStepsRerun.join('; ')}`,
        });
      out.push({
        goal: `${r.app} ${variant} starts and answers`,
        met: r.answered === true,
        detail: r.answered ? `HTTP ${r.httpStatus}` : (r.error ?? 'not measured'),
      });
    }
  }
  return out;
}

/** Goals of issue #6 for lint and analyze, read from what bench/lint.ts and bench/analyze.ts return. */
export function extraGoals(extras: { title: string; data: unknown }[]): Goal[] {
  const out: Goal[] = [];
  const num = (o: unknown, k: string) =>
    o && typeof o === 'object' && typeof (o as Record<string, unknown>)[k] === 'number'
      ? ((o as Record<string, unknown>)[k] as number)
      : undefined;
  for (const e of extras) {
    if (e.title.startsWith('Lint')) {
      const ratio = num(e.data, 'ratio');
      const perSec = num(e.data, 'inProcessPerSecond');
      if (ratio !== undefined)
        out.push({
          goal: 'one lint process ≤ 0.8 × dockerfilelint wall time',
          met: ratio <= 0.8,
          detail: `${ratio.toFixed(3)} × (${num(e.data, 'cliWallMsPycontain')?.toFixed(0)} ms vs ${num(e.data, 'cliWallMsDockerfilelint')?.toFixed(0)} ms)`,
        });
      if (perSec !== undefined)
        out.push({
          goal: 'lint ≥ 2,000 Dockerfiles/s in process',
          met: perSec >= 2000,
          detail: `${perSec.toFixed(0)} /s per CPU-second`,
        });
    }
    if (e.title.startsWith('Analyze')) {
      const rowsData = (e.data as { rows?: unknown[] } | null)?.rows ?? [];
      for (const r of rowsData) {
        const ratio = num(r, 'ratio');
        if (ratio === undefined) continue;
        out.push({
          goal: `analyze ≥ 0.8 × raw read speed (${String((r as { image?: unknown }).image)})`,
          met: ratio >= 0.8,
          detail: `${ratio.toFixed(3)} × (${num(r, 'analyzeMBps')?.toFixed(0)} vs ${num(r, 'baselineMBps')?.toFixed(0)} MB/s)`,
        });
      }
    }
  }
  return out;
}

async function machine(env: Testenv): Promise<string[]> {
  const engine = await docker(['version', '--format', '{{.Server.Version}} (API {{.Server.APIVersion}})']);
  const buildx = await docker(['buildx', 'version']);
  const cpus = os.cpus();
  const lines = [
    `- Date: ${new Date().toISOString()}`,
    `- Machine: ${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, ${os.type()} ${os.release()}, Node ${process.version}`,
    `- Engine: Docker Engine ${engine.stdout.trim() || 'unknown'}; ${buildx.stdout.trim() || 'buildx unknown'}`,
    `- Load average at start: ${os
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(', ')} (the machine is shared: timings are indicative, ratios are the claim)`,
    '- Base images (testenv stand-ins; sizes differ from the public images, so compare ratios):',
  ];
  for (const [role, image] of [
    ['python slim (runtime and builder)', env.pythonSlim],
    ['python full (naive)', env.pythonFull],
    ['distroless', env.distroless],
  ] as const) {
    const digest = await imageDigest(image).catch(() => 'missing');
    const size = await inspectImage(image)
      .then((i) => `${fmtMB(i.size)} MB`)
      .catch(() => '?');
    lines.push(`  - ${role}: \`${image}\` ${digest} (${size})`);
  }
  return lines;
}

interface Extra {
  title: string;
  markdown: string;
  data: unknown;
}

function genericMarkdown(data: unknown): string {
  if (data && typeof data === 'object' && 'markdown' in data && typeof data.markdown === 'string')
    return data.markdown;
  if (!data || typeof data !== 'object') return String(data);
  const rows = Object.entries(data as Record<string, unknown>).filter(
    ([, v]) => typeof v !== 'object' || v === null,
  );
  return ['| metric | value |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${String(v)} |`)].join('\n');
}

async function runExtra(title: string, spec: string, fn: string, args: unknown[]): Promise<Extra> {
  try {
    const mod = (await import(pathToFileURL(path.join(benchDir, spec)).href)) as Record<
      string,
      (...a: unknown[]) => Promise<unknown>
    >;
    const f = mod[fn];
    if (typeof f !== 'function') return { title, markdown: `_${spec} does not export ${fn}()._`, data: null };
    const data = await f(...args);
    return { title, markdown: genericMarkdown(data), data };
  } catch (err) {
    return { title, markdown: `_Failed: ${fmtErr(err).replace(/\n/g, ' ')}_`, data: { error: fmtErr(err) } };
  }
}

// The same variant of two apps shares its first steps (user creation, tool installs): a `--no-cache`
// build of one between the cold build and the code-only rebuild of the other would replace those
// cache records and make the rebuild look like a cache miss. One app per variant at a time.
const variantLocks = new Map<string, Promise<unknown>>();
function oneAtATime<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const prev = variantLocks.get(key) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  variantLocks.set(
    key,
    run.catch(() => undefined),
  );
  return run;
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<number> {
  const opts = parseArgs(argv);
  const env = await loadTestenv();
  const t0 = performance.now();
  const head = await machine(env);
  // Apps run in parallel (`--jobs`, default 2), each app's variants one after the other, so the
  // images an app's ratios compare are built minutes apart; partial results land in $TMPDIR/pycontain-bench-results.partial.json.
  const byApp = new Map<string, Row[]>();
  const queue = [...opts.apps];
  const partial = path.join(os.tmpdir(), 'pycontain-bench-results.partial.json');
  const worker = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const app = APPS.find((a) => a.name === name)!;
      const appRows: Row[] = [];
      byApp.set(app.name, appRows);
      for (const variant of opts.variants) {
        process.stderr.write(`bench: ${app.name} ${variant} ...\n`);
        const row = await oneAtATime(variant, () => measure(env, app, variant, opts.keep));
        process.stderr.write(
          `bench: ${app.name} ${variant}: ${row.ok ? 'ok' : 'FAILED'} ${fmtMB(row.sizeBytes)} MB, cold ${fmtS(row.coldBuildMs)} s, rebuild ${fmtS(row.rebuildMs)} s${row.error ? `\n  ${row.error.replace(/\n/g, '\n  ')}` : ''}\n`,
        );
        appRows.push(row);
        await fsp.writeFile(partial, `${JSON.stringify([...byApp.values()].flat(), null, 2)}\n`);
      }
    }
  };
  let rows: Row[];
  let savedExtras: Extra[] = [];
  if (opts.fromJson) {
    const saved = JSON.parse(await fsp.readFile(opts.fromJson, 'utf8')) as
      | Row[]
      | { rows: Row[]; extras?: Extra[] };
    if (!opts.extras && !Array.isArray(saved)) savedExtras = saved.extras ?? [];
    rows = (Array.isArray(saved) ? saved : saved.rows).filter(
      (r) => opts.apps.includes(r.app) && opts.variants.includes(r.variant),
    );
    head.push(`- Rows rendered from ${path.basename(opts.fromJson)}, saved by an earlier run of this script`);
  } else {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.jobs, opts.apps.length)) }, worker));
    rows = opts.apps.flatMap((a) => byApp.get(a) ?? []);
  }
  computeRatios(rows);

  const extras: Extra[] = [...savedExtras];
  if (opts.extras) {
    process.stderr.write('bench: lint throughput ...\n');
    extras.push(await runExtra('Lint throughput (bench/lint.ts)', 'lint.ts', 'benchLint', []));
    const images = rows
      .filter((r) => r.ok && r.variant === 'generated' && r.app === opts.apps[0])
      .map((r) => `pycontain-dev/bench-${r.app}-${r.variant}:latest`);
    process.stderr.write(`bench: analyze throughput on ${images.join(', ') || 'its default image'} ...\n`);
    extras.push(
      await runExtra('Analyze throughput (bench/analyze.ts)', 'analyze.ts', 'benchAnalyze', [images]),
    );
  }

  const g = [...goals(rows), ...extraGoals(extras)];
  const md = [
    '# pycontain benchmark: the size journey',
    '',
    'Generated by `npm run bench` (bench/run.ts). Every number below comes from one run on one machine,',
    'on the testenv\'s stand-in base images; "× naive" and "× floor" compare images built in the same run',
    "on the same bases. Sizes are the engine's uncompressed image sizes. Cold builds use `--no-cache`;",
    'the code-only rebuild appends one line to an application module and builds again with the cache,',
    'and "dep layers reused" reads BuildKit\'s log: no dependency-install step (pip, poetry, pdm, uv,',
    'pipenv, apt-get) ran again. The variants are described in bench/dockerfiles/README.md;',
    '`generated` is `pycontain init` with `--base-image` set to the slim stand-in, `generated-distroless`',
    'adds `--distroless` with the distroless stand-in.',
    '',
    ...head,
    `- Total bench time: ${fmtS(performance.now() - t0)} s, ${opts.jobs} app(s) at a time (\`--jobs\`)`,
    '',
    '## Images',
    '',
    markdownTable(rows),
    '',
    "## The seed's claims",
    '',
    ...seedClaims(rows),
    '',
    '## Goals',
    '',
    '| goal | met | measured |',
    '|---|---|---|',
    ...g.map(
      (x) =>
        `| ${x.goal} | ${x.met ? 'yes' : '**NO**'} | ${x.detail.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`,
    ),
    '',
  ];
  const failures = rows.filter((r) => r.error);
  if (failures.length) {
    md.push('## Failures', '');
    for (const r of failures) md.push(`- ${r.app} ${r.variant}:`, '', '```', r.error ?? '', '```', '');
  }
  for (const e of extras) md.push(`## ${e.title}`, '', e.markdown, '');
  const text = `${md.join('\n').trimEnd()}\n`;
  await fsp.writeFile(path.join(benchDir, 'RESULTS.md'), text);
  await fsp.writeFile(
    path.join(benchDir, 'results.json'),
    `${JSON.stringify({ date: new Date().toISOString(), machine: head, rows, goals: g, extras }, null, 2)}\n`,
  );
  process.stdout.write(text);
  return rows.every((r) => r.ok) ? 0 : 1;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err) => {
      process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
      process.exitCode = 2;
    },
  );
}

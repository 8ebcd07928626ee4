/**
 * The end-to-end matrix: every example project goes through `pycontain init` → `pycontain build`
 * (which verifies the image) in the testenv, next to a naive Dockerfile for the same project.
 *
 * Each image is built once, in beforeAll, at most 3 builds at a time; the tests only read results:
 *  - the generated image verifies (non-root, imports, requirements, native libraries, no compilers or
 *    tools) and the app answers over HTTP (verify starts it and polls it);
 *  - generated size ≤ 0.35 × the naive image built in the same run on the same family of base images;
 *  - after a code-only change, every dependency layer comes from the cache (read from BuildKit's
 *    step list in `build --json`, never timed);
 *  - the secret passed with --secret is in no layer of the saved image;
 *  - the distroless variant of two projects builds, verifies and answers.
 * uv projects cannot be built here (no uv on this machine): their generated Dockerfiles are
 * checked statically.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { DockerfileParser } from 'dockerfile-ast';
import tar, { type ExtractEvents } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI,
  type CliResult,
  copyExample,
  docker,
  listExamples,
  loadTestenv,
  repoRoot,
  runCli,
  standInFlags,
  type Testenv,
} from './support/index.js';

const RUN_ID = `matrix-${randomBytes(4).toString('hex')}`;
const SECRET = `pycontain-secret-${randomBytes(12).toString('hex')}`;
const PARALLEL = 2;
const UV_EXAMPLES = new Set(['fastapi-uv', 'uv-workspace']);
// numpy-report: its BLAS/LAPACK are Debian alternatives symlinks, which distroless staging must carry.
const DISTROLESS = ['fastapi-poetry', 'starlette-app', 'numpy-report'];
const SIZE_RATIO = 0.35;
/** Appended to an app source for the code-only change; also the positive control of the layer scan. */
const CODE_MARK = `# a code-only change ${randomBytes(6).toString('hex')}: dependency layers must stay cached`;
const ALL_EXAMPLES = await listExamples();

function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  return runCli(args, { PYCONTAIN_RUN_ID: RUN_ID, ...extraEnv });
}

/** A tiny semaphore: the engine parallelizes inside each build already; 2-3 builds at once is the sweet spot on 2 cores. */
function limiter(n: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(fn: () => Promise<T>): Promise<T> => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await fn();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

interface Step {
  name: string;
  cached: boolean;
}
interface BuildJson {
  image: string | null;
  tags: string[];
  steps: Step[];
  cachedSteps: number;
  verify: {
    ok: boolean;
    sizeBytes: number;
    layers: number;
    checks: { id: string; ok: boolean; skipped?: boolean; summary: string; details: string[] }[];
    http: { ok: boolean; status: number | null; path: string } | null;
    distributions: { name: string; version: string }[];
  } | null;
}

interface Variant {
  init: CliResult;
  build: CliResult;
  json: BuildJson | null;
  rebuild?: CliResult;
  rebuildJson?: BuildJson | null;
  tag: string;
}

interface Plan {
  packageManager: string;
  appDir: string;
  port: number | null;
  command: string[];
  installProject: boolean;
  manifests: string[];
  requirementsFile?: string | null;
  dependencies: { name: string; version?: string; group?: string }[];
  index: { secretId: string };
}

let env: Testenv;
let secretFile: string;
let work: string;
const examples: string[] = [];
const plans = new Map<string, Plan>();
// Promises, started together in beforeAll (3 builds at a time) and awaited by the tests that need them,
// so no single hook has to outlive the whole matrix.
const generated = new Map<string, Promise<Variant>>();
const distroless = new Map<string, Promise<Variant>>();
const naive = new Map<string, Promise<{ build: CliResult; tag: string }>>();
const uvInit = new Map<string, Promise<{ init: CliResult; dockerfile: string | null }>>();
/** Per test: a build may wait behind others in the queue. */
const WAIT = 3_000_000;
const tags: string[] = [];

function parseJson(r: CliResult): BuildJson | null {
  try {
    return JSON.parse(r.stdout) as BuildJson;
  } catch {
    return null;
  }
}

function toolArgs(): string[] {
  return [
    '--network',
    'host',
    '--build-arg',
    `PIP_INDEX_URL=${env.indexUrl}`,
    '--build-arg',
    `PDM_PYPI_URL=${env.indexUrl}`,
    '--build-arg',
    'POETRY_VERSION=1.3.2',
    '--build-arg',
    'PDM_VERSION=2.2.1',
    '--secret',
    `id=pip-index,src=${secretFile}`,
  ];
}

/** A naive Dockerfile for projects without one in bench/dockerfiles: full image, pip install, COPY . . */
function naiveDockerfile(plan: Plan, base: string): string {
  const lines = [`FROM ${base}`, 'ARG PIP_INDEX_URL', 'WORKDIR /app', 'COPY . .'];
  const reqs = plan.requirementsFile ?? plan.manifests.find((m) => /requirements[^/]*\.txt$/.test(m));
  const appDir = plan.appDir === '.' ? '.' : plan.appDir;
  if (reqs) lines.push(`RUN pip install -r ${reqs}`);
  else if (plan.installProject) lines.push(`RUN pip install ${appDir}`);
  else {
    const pins = plan.dependencies
      .filter((d) => !d.group || d.group === 'main' || d.group === 'default')
      .map((d) => (d.version ? `${d.name}==${d.version}` : d.name));
    lines.push(`RUN pip install ${pins.join(' ')}`);
  }
  if (appDir !== '.') lines.push(`WORKDIR /app/${appDir}`);
  if (plan.port) lines.push(`EXPOSE ${plan.port}`);
  lines.push(`CMD ${JSON.stringify(plan.command)}`);
  return `${lines.join('\n')}\n`;
}

/** First Python source of the app (not tests), for the code-only change. */
async function appSource(root: string, appDir: string): Promise<string> {
  const found: string[] = [];
  const walk = async (dir: string) => {
    for (const e of await fsp.readdir(dir, { withFileTypes: true })) {
      if (e.name.startsWith('.') || ['tests', 'test', 'node_modules', 'frontend'].includes(e.name)) continue;
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.endsWith('.py') && e.name !== 'setup.py') found.push(p);
    }
  };
  await walk(path.join(root, appDir));
  found.sort();
  if (!found.length) throw new Error(`no Python source in ${root}/${appDir}`);
  return found[0] as string;
}

async function generatedVariant(name: string, kind: 'gen' | 'distroless'): Promise<Variant> {
  const copy = await copyExample(name);
  const tag = `pycontain-dev/matrix-${name}:${kind}`;
  tags.push(tag);
  const initArgs = ['init', copy, ...standInFlags(env)];
  if (kind === 'distroless') initArgs.push('--distroless', '--distroless-image', env.distroless);
  const init = await cli(initArgs);
  if (init.code !== 0) return { init, build: init, json: null, tag };
  const build = await cli(['build', copy, '--tag', tag, '--json', ...toolArgs()]);
  const variant: Variant = { init, build, json: parseJson(build), tag };
  // rebuild whenever an image came out, even if its verification failed (that is another test's business)
  if (kind === 'gen' && (build.code === 0 || variant.json?.image)) {
    const plan = plans.get(name);
    const src = await appSource(copy, plan?.appDir ?? '.');
    await fsp.appendFile(src, `\n${CODE_MARK}\n`);
    variant.rebuild = await cli(['build', copy, '--tag', tag, '--json', '--no-verify', ...toolArgs()]);
    variant.rebuildJson = parseJson(variant.rebuild);
  }
  return variant;
}

async function naiveVariant(name: string): Promise<{ build: CliResult; tag: string }> {
  const copy = await copyExample(name);
  const tag = `pycontain-dev/matrix-${name}:naive`;
  tags.push(tag);
  let file = path.join(repoRoot, 'bench', 'dockerfiles', name, 'naive.Dockerfile');
  if (!existsSync(file)) {
    const plan = plans.get(name);
    if (!plan) throw new Error(`no plan for ${name}`);
    file = path.join(work, `${name}.naive.Dockerfile`);
    await fsp.writeFile(file, naiveDockerfile(plan, env.pythonFull));
  }
  const build = await cli([
    'build',
    copy,
    '--file',
    file,
    '--tag',
    tag,
    '--no-verify',
    '--json',
    '--build-arg',
    `BASE=${env.pythonFull}`,
    ...toolArgs(),
  ]);
  return { build, tag };
}

async function imageSize(tag: string): Promise<number> {
  const r = await docker(['image', 'inspect', tag, '--format', '{{.Size}}']);
  if (r.code !== 0) throw new Error(`no image ${tag}: ${r.stderr}`);
  return Number(r.stdout.trim());
}

/** Stream `docker save` and look for each needle in every file of every layer (gzip layers decompressed). */
async function savedImageContains(
  tag: string,
  needles: string[],
): Promise<{ found: Map<string, string[]>; entries: number }> {
  const targets = needles.map((n) => Buffer.from(n));
  const keep = Math.max(...targets.map((t) => t.length)) - 1;
  const found = new Map<string, string[]>(needles.map((n) => [n, []]));
  let entries = 0;
  const child = spawn('docker', ['save', tag], { stdio: ['ignore', 'pipe', 'pipe'] });
  const extract = tar.extract();
  // tar-stream's entries are streamx streams, not node:stream ones.
  type Entry = ExtractEvents['entry'][1];
  const scan = (name: string, stream: Entry, done: () => void) => {
    let carry = Buffer.alloc(0);
    let first = true;
    let viaGunzip = false;
    const onPlain = (chunk: Buffer) => {
      const buf = Buffer.concat([carry, chunk]);
      targets.forEach((t, i) => {
        const list = found.get(needles[i] as string) as string[];
        if (buf.includes(t) && !list.includes(name)) list.push(name);
      });
      carry = buf.subarray(Math.max(0, buf.length - keep));
    };
    const onData = (data: unknown) => {
      const chunk = data as Buffer;
      if (first) {
        first = false;
        if (chunk[0] === 0x1f && chunk[1] === 0x8b) {
          // a gzip layer: scan what it decompresses to
          viaGunzip = true;
          const gunzip = zlib.createGunzip();
          stream.removeListener('data', onData);
          gunzip.on('data', onPlain);
          gunzip.on('end', done);
          gunzip.on('error', done);
          gunzip.write(chunk);
          stream.pipe(gunzip);
          return;
        }
      }
      onPlain(chunk);
    };
    stream.on('data', onData);
    stream.on('end', () => {
      if (!viaGunzip) done();
    });
  };
  await new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      entries++;
      scan(header.name, stream, next);
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
    child.on('error', reject);
    child.stdout.pipe(extract);
  });
  return { found, entries };
}

const STEP_RE = /^\[(?:(\S+) )?(\d+)\/(\d+)\] (.*)$/s;
const INSTALL_RE = /\b(pip3?|poetry|pdm|pipenv|uv)\b.*\b(install|sync)\b|apt-get\b.*\binstall\b/s;
const CODE_COPY_RE = /^COPY\s+(?:--\S+\s+)*\.\/?\s+\S+\s*$/;

/** Dependency steps of a build: installs before the code is copied in, and the venv copied to the runtime. */
function dependencySteps(steps: Step[], installProject: boolean): Step[] {
  const byStage = new Map<string, { n: number; instr: string; step: Step }[]>();
  for (const s of steps) {
    const m = STEP_RE.exec(s.name);
    if (!m) continue;
    const stage = m[1] ?? '';
    const list = byStage.get(stage) ?? [];
    list.push({ n: Number(m[2]), instr: (m[4] as string).replace(/\s+/g, ' ').trim(), step: s });
    byStage.set(stage, list);
  }
  const deps: Step[] = [];
  for (const list of byStage.values()) {
    list.sort((a, b) => a.n - b.n);
    const codeCopy = list.find((x) => CODE_COPY_RE.test(x.instr))?.n ?? Number.POSITIVE_INFINITY;
    for (const x of list) {
      if (x.n < codeCopy && x.instr.startsWith('RUN') && INSTALL_RE.test(x.instr)) deps.push(x.step);
      // the venv copied into the runtime holds only dependencies unless the project is installed into it too
      if (!installProject && /^COPY --from=\S+ (--\S+ )*\S*venv\S*/.test(x.instr)) deps.push(x.step);
    }
  }
  return deps;
}

beforeAll(async () => {
  env = await loadTestenv();
  await fsp.access(CLI);
  work = await fsp.mkdtemp(path.join(os.tmpdir(), 'pycontain-matrix-'));
  secretFile = path.join(work, 'netrc');
  await fsp.writeFile(secretFile, `machine 127.0.0.1 login pycontain password ${SECRET}\n`, { mode: 0o600 });
  examples.push(...ALL_EXAMPLES);
  for (const name of examples) {
    const r = await cli(['detect', await copyExample(name), '--json']);
    if (r.code === 0) plans.set(name, JSON.parse(r.stdout) as Plan);
  }
  const limit = limiter(PARALLEL);
  // the slowest builds (distroless, Poetry) first, so they overlap with the rest
  for (const name of DISTROLESS)
    distroless.set(
      name,
      limit(() => generatedVariant(name, 'distroless')),
    );
  for (const name of examples) {
    if (UV_EXAMPLES.has(name) || plans.get(name)?.packageManager === 'uv') {
      uvInit.set(
        name,
        (async () => {
          const copy = await copyExample(name);
          const init = await cli(['init', copy, ...standInFlags(env)]);
          const file = path.join(copy, 'Dockerfile');
          return { init, dockerfile: existsSync(file) ? await fsp.readFile(file, 'utf8') : null };
        })(),
      );
      continue;
    }
    generated.set(
      name,
      limit(() => generatedVariant(name, 'gen')),
    );
    naive.set(
      name,
      limit(() => naiveVariant(name)),
    );
  }
  // keep unhandled-rejection noise away: every promise is awaited by a test
  for (const p of [...generated.values(), ...distroless.values(), ...naive.values(), ...uvInit.values()]) {
    p.catch(() => undefined);
  }
});

afterAll(async () => {
  await Promise.allSettled([
    ...generated.values(),
    ...distroless.values(),
    ...naive.values(),
    ...uvInit.values(),
  ]);
  const left = await docker(['ps', '-aq', '--filter', `label=io.pycontain.run=${RUN_ID}`]);
  const ids = left.stdout.split('\n').filter(Boolean);
  if (ids.length) await docker(['rm', '-f', ...ids]);
  if (tags.length) await docker(['image', 'rm', '-f', ...tags]);
  if (work) await fsp.rm(work, { recursive: true, force: true });
});

function explain(v: { init?: CliResult; build: CliResult }): string {
  return [
    v.init?.code !== 0 ? `init: ${v.init?.stderr}` : '',
    `build (exit ${v.build.code}):`,
    v.build.stderr.slice(-6000),
  ].join('\n');
}

describe('end-to-end matrix', () => {
  it('covers every example project', async () => {
    const all = await listExamples();
    expect(all.length).toBeGreaterThanOrEqual(14);
    for (const name of all) {
      expect(plans.has(name), `pycontain detect failed for ${name}`).toBe(true);
      expect(generated.has(name) || uvInit.has(name)).toBe(true);
    }
    expect(uvInit.size).toBeGreaterThanOrEqual(2);
  });

  describe.each(ALL_EXAMPLES)('%s', (name) => {
    const isUv = () => uvInit.has(name);

    it(
      'init → build → verify: the image verifies and the app answers',
      async () => {
        if (isUv()) return expect((await uvInit.get(name))?.init.code).toBe(0);
        const v = await generated.get(name);
        expect(v, 'built').toBeDefined();
        if (!v) return;
        expect(v.init.code, explain(v)).toBe(0);
        expect(v.build.code, explain(v)).toBe(0);
        const verify = v.json?.verify;
        expect(verify, 'verify ran after build').toBeTruthy();
        if (!verify) return;
        const failed = verify.checks.filter((c) => !c.ok);
        expect(failed, JSON.stringify(failed, null, 2)).toEqual([]);
        expect(verify.distributions.length).toBeGreaterThan(0);
        const plan = plans.get(name);
        if (plan?.port) {
          expect(verify.http?.ok, JSON.stringify(verify.http)).toBe(true);
          expect(verify.http?.status).toBeGreaterThanOrEqual(200);
        }
      },
      WAIT,
    );

    it(
      `the generated image is at most ${SIZE_RATIO} × the naive one`,
      async () => {
        if (isUv()) return;
        const v = await generated.get(name);
        const n = await naive.get(name);
        expect(n?.build.code, n ? explain(n) : 'naive not built').toBe(0);
        // an image came out (its verification is the first test's business)
        expect(v?.json?.image, v ? explain(v) : 'not built').toMatch(/^sha256:/);
        if (!v || !n) return;
        const gen = await imageSize(v.tag);
        const nai = await imageSize(n.tag);
        expect(gen / nai, `generated ${gen} B vs naive ${nai} B`).toBeLessThanOrEqual(SIZE_RATIO);
      },
      WAIT,
    );

    it(
      'a code-only change rebuilds with every dependency layer cached',
      async () => {
        if (isUv()) return;
        const v = await generated.get(name);
        expect(v?.rebuild?.code, v?.rebuild ? explain({ build: v.rebuild }) : 'no rebuild').toBe(0);
        const steps = v?.rebuildJson?.steps ?? [];
        const deps = dependencySteps(steps, plans.get(name)?.installProject ?? false);
        expect(
          deps.length,
          `dependency steps found in ${JSON.stringify(steps.map((s) => s.name))}`,
        ).toBeGreaterThan(0);
        const uncached = deps.filter((s) => !s.cached).map((s) => s.name);
        expect(uncached).toEqual([]);
        // and the change was seen: something after the code copy ran again
        expect(steps.some((s) => !s.cached)).toBe(true);
      },
      WAIT,
    );

    it(
      'the --secret value is in no layer of the saved image',
      async () => {
        if (isUv()) return;
        const v = await generated.get(name);
        expect(v?.rebuild?.code).toBe(0);
        if (!v) return;
        const { found, entries } = await savedImageContains(v.tag, [SECRET, CODE_MARK]);
        expect(entries).toBeGreaterThan(2);
        // the scan does find what is there: the marker of the code-only change, in the rebuilt image
        expect(found.get(CODE_MARK)?.length, 'positive control').toBeGreaterThan(0);
        expect(found.get(SECRET)).toEqual([]);
      },
      WAIT,
    );

    it('uv projects (uv cannot run here): the generated Dockerfile is checked statically', async () => {
      if (!isUv()) return;
      const u = await uvInit.get(name);
      expect(u?.init.code, u?.init.stderr).toBe(0);
      const text = u?.dockerfile ?? '';
      // the pinned uv binary comes from its official image (by ARG UV_VERSION or a literal tag)
      expect(text).toMatch(/ghcr\.io\/astral-sh\/uv:(\$\{UV_VERSION\}|\d+\.\d+\.\d+)/);
      if (/\$\{UV_VERSION\}/.test(text)) expect(text).toMatch(/ARG UV_VERSION=\d+\.\d+\.\d+/);
      expect(text).toMatch(/COPY --from=\S+ \/uv /);
      expect(text).toContain(env.indexUrl.replace(/\/$/, ''));
      expect(text).toMatch(/uv sync[^\n]*--locked/);
      expect(text).toMatch(/uv sync[^\n]*--no-dev/);
      expect(text).toMatch(/UV_COMPILE_BYTECODE=1/);
      const df = DockerfileParser.parse(text);
      expect(df.getFROMs().length).toBeGreaterThanOrEqual(2);
      const users = df.getInstructions().filter((i) => i.getKeyword() === 'USER');
      expect(users.at(-1)?.getArgumentsContent()).toMatch(/^\d+(:\d+)?$/);
    });
  });

  describe.each(DISTROLESS)('%s (distroless)', (name) => {
    it(
      'builds on the distroless runtime, verifies, answers, and is smaller than the naive one',
      async () => {
        const v = await distroless.get(name);
        expect(v, 'built').toBeDefined();
        if (!v) return;
        expect(v.init.code, explain(v)).toBe(0);
        expect(v.build.code, explain(v)).toBe(0);
        const verify = v.json?.verify;
        const failed = verify?.checks.filter((c) => !c.ok) ?? [{ id: 'no verify report' }];
        expect(failed, JSON.stringify(failed, null, 2)).toEqual([]);
        expect(verify?.http?.ok).toBe(true);
        const n = await naive.get(name);
        if (n?.build.code === 0) {
          expect((await imageSize(v.tag)) / (await imageSize(n.tag))).toBeLessThanOrEqual(SIZE_RATIO);
        }
      },
      WAIT,
    );
  });

  it('left no container behind', async () => {
    await Promise.allSettled([...generated.values(), ...distroless.values(), ...naive.values()]);
    const r = await docker([
      'ps',
      '-a',
      '--filter',
      `label=io.pycontain.run=${RUN_ID}`,
      '--format',
      '{{.Names}}',
    ]);
    expect(r.stdout.trim()).toBe('');
  });
});

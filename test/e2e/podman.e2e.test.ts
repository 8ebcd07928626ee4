/**
 * The podman paths, for real: `pycontain build` and `pycontain verify` with PYCONTAIN_ENGINE=podman
 * (podman 4.3 from Debian 12, rootful, set up by test/e2e/support/podman-setup.sh, which CI runs),
 * and `pycontain analyze` of a podman image in every shape `podman save` writes that analyze reads:
 * docker-archive streamed from the engine, oci-archive through a pipe, an oci-dir and a docker-dir directory.
 *
 * Two builds, shared by every test: flask-psycopg2-pip (pip, native psycopg2, Debian runtime) and
 * fastapi-poetry on the distroless runtime (Poetry, cache mounts that hang podman < 4.4 when locked).
 * Figures are checked against podman's own `image inspect` and `history`.
 */
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI,
  type CliResult,
  copyExample,
  execCommand,
  loadTestenv,
  repoRoot,
  runCli,
  standInFlags,
  type Testenv,
} from './support/index.js';

const RUN_ID = `podman-e2e-${randomBytes(4).toString('hex')}`;
const PREFIX = 'pycontain-dev/podman-e2e';
const FLASK = `${PREFIX}-flask:${RUN_ID}`;
const POETRY = `${PREFIX}-fastapi-distroless:${RUN_ID}`;

const exec = (cmd: string, args: string[]) => execCommand(cmd, args);
const podman = (...args: string[]) => exec('podman', args);
/** Names of the containers this run's CLI processes labelled (none may be left behind). */
const containersOfRun = () =>
  podman('ps', '-a', '--filter', `label=io.pycontain.run=${RUN_ID}`, '--format', '{{.Names}}');

async function podmanJson<T>(...args: string[]): Promise<T> {
  const r = await podman(...args);
  if (r.code !== 0) throw new Error(`podman ${args.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

interface PodmanImage {
  Id: string;
  Size: number;
  RootFS: { Layers: string[] };
  Config: { User?: string };
  /** Outside Config: podman's JSON keeps a Docker-format image's HEALTHCHECK at the top. */
  Healthcheck?: { Test?: string[] };
}

async function inspect(ref: string): Promise<PodmanImage> {
  const [img] = await podmanJson<PodmanImage[]>('image', 'inspect', ref);
  if (!img) throw new Error(`no image ${ref}`);
  return img;
}

/** Sizes of the layers podman stored, base first (history lists the newest first; metadata steps are 0). */
async function historyLayerSizes(ref: string): Promise<number[]> {
  const h = await podmanJson<{ size: number }[]>('history', '--format', 'json', ref);
  return h
    .map((e) => e.size)
    .filter((s) => s > 0)
    .reverse();
}

let env: Testenv;
let work: string;
/** TMPDIR of every CLI process: empty after each run (the podman-specific Dockerfile copies are removed). */
let tmpdir: string;
let secretFile: string;
let podmanVersion: string;

function cli(args: string[]): Promise<CliResult> {
  return runCli(args, { PYCONTAIN_ENGINE: 'podman', TMPDIR: tmpdir, PYCONTAIN_RUN_ID: RUN_ID });
}

function buildArgs(): string[] {
  return [
    ...standInFlags(env),
    '--network',
    'host',
    '--build-arg',
    `PIP_INDEX_URL=${env.indexUrl}`,
    '--build-arg',
    'POETRY_VERSION=1.3.2',
    '--secret',
    `id=pip-index,src=${secretFile}`,
    '--progress',
    'plain',
    '--json',
  ];
}

interface Check {
  id: string;
  ok: boolean;
  skipped?: boolean;
  summary: string;
}
interface VerifyJson {
  ok: boolean;
  imageId: string;
  sizeBytes: number;
  layers: number;
  user: string;
  checks: Check[];
  http: { ok: boolean; status: number | null; path: string } | null;
  distributions: { name: string; version: string }[];
  importChecks: string[];
}
interface BuildJson {
  image: string | null;
  tags: string[];
  engine: string;
  loaded: boolean;
  steps: { name: string; cached: boolean }[];
  verify: VerifyJson | null;
}
interface Built {
  r: CliResult;
  json: BuildJson;
  ms: number;
  copy: string;
}

function parse<T>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout.slice(-2000)}\n${r.stderr.slice(-4000)}`);
  }
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | null = null;
  return () => {
    p ??= fn();
    return p;
  };
}

const flask = once(async (): Promise<Built> => {
  const copy = await copyExample('flask-psycopg2-pip');
  // must stay out of the image: the generated ignore file excludes both
  await fsp.mkdir(path.join(copy, 'tests'), { recursive: true });
  await fsp.writeFile(path.join(copy, 'tests', 'test_app.py'), 'def test_x():\n    pass\n');
  await fsp.writeFile(path.join(copy, '.env'), 'DATABASE_PASSWORD=not-for-images\n');
  const t0 = Date.now();
  const r = await cli(['build', copy, '--tag', FLASK, ...buildArgs()]);
  return { r, json: parse<BuildJson>(r), ms: Date.now() - t0, copy };
});

const poetry = once(async (): Promise<Built> => {
  const copy = await copyExample('fastapi-poetry');
  const t0 = Date.now();
  const r = await cli([
    'build',
    copy,
    '--tag',
    POETRY,
    '--distroless',
    '--distroless-image',
    env.distroless,
    ...buildArgs(),
  ]);
  return { r, json: parse<BuildJson>(r), ms: Date.now() - t0, copy };
});

function check(v: VerifyJson, id: string): Check {
  const c = v.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id} in ${JSON.stringify(v.checks)}`);
  return c;
}

beforeAll(async () => {
  env = await loadTestenv();
  // idempotent: installs podman if missing, configures it, copies the base images from docker
  const setup = await exec('bash', [path.join(repoRoot, 'test/e2e/support/podman-setup.sh')]);
  if (setup.code !== 0) throw new Error(`podman-setup.sh failed (${setup.code}):\n${setup.stderr}`);
  podmanVersion = (await podman('version', '--format', '{{.Client.Version}}')).stdout.trim();
  work = await fsp.mkdtemp(path.join(os.tmpdir(), 'pycontain-podman-e2e-'));
  tmpdir = path.join(work, 'tmp');
  await fsp.mkdir(tmpdir);
  secretFile = path.join(work, 'netrc');
  await fsp.writeFile(secretFile, 'machine 127.0.0.1 login pycontain password podman-e2e\n', { mode: 0o600 });
});

afterAll(async () => {
  await podman('rmi', '-f', FLASK, POETRY);
  // the intermediate images of both builds (podman keeps one per step for its layer cache)
  await podman('image', 'prune', '-f');
  if (work) await fsp.rm(work, { recursive: true, force: true });
});

/**
 * pycontain leaves nothing in its TMPDIR. podman keeps its RUN --mount=type=cache directories in
 * $TMPDIR/buildah-cache (default /var/tmp): podman's, on purpose, and kept between builds.
 */
async function expectNoTempFiles(): Promise<void> {
  expect((await fsp.readdir(tmpdir)).filter((f) => f !== 'buildah-cache')).toEqual([]);
}

function olderThan44(v: string): boolean {
  const [major = 0, minor = 0] = v.split('.').map(Number);
  return major < 4 || (major === 4 && minor < 4);
}

describe('pycontain build with PYCONTAIN_ENGINE=podman', () => {
  it('flask-psycopg2-pip: builds in Docker format with the generated ignore file, verify passes every check', async () => {
    const { r, json, ms } = await flask();
    process.stderr.write(`podman build flask-psycopg2-pip: ${(ms / 1000).toFixed(1)}s\n`);
    expect(r.code, r.stderr.slice(-4000)).toBe(0);
    expect(r.stderr).toMatch(/engine: podman build \(podman \d+\.\d+/);
    expect(json.engine).toBe('podman');
    expect(json.loaded).toBe(true);
    const img = await inspect(FLASK);
    expect(json.image).toBe(`sha256:${img.Id}`);
    // BuildKit's step names from podman's `[1/2] STEP 3/10:` lines; the last step completes at COMMIT
    expect(json.steps.length).toBeGreaterThan(10);
    for (const s of json.steps) expect(s.name).toMatch(/^\[(builder|runtime) \d+\/\d+\] [A-Z]+ /);
    expect(json.steps.at(-1)?.name).toMatch(/^\[runtime (\d+)\/\1\] CMD \["gunicorn"/);
    expect(r.stderr).toMatch(new RegExp(`build finished: ${json.steps.length} steps`));
    // podman's OCI default would drop the HEALTHCHECK with this warning
    expect(r.stderr).not.toContain('HEALTHCHECK is not supported');
    expect(img.Healthcheck?.Test?.[0]).toBe('CMD');
    expect(img.Config.User).toBe('10001:10001');
    const inImage = await podman(
      'run',
      '--rm',
      '--network',
      'none',
      '--entrypoint',
      'python3',
      FLASK,
      '-c',
      "import os; print([os.path.exists(p) for p in ('/app/tests', '/app/.env', '/app/app/main.py')])",
    );
    expect(inImage.stdout.trim(), inImage.stderr).toBe('[False, False, True]');

    const v = json.verify;
    expect(v?.ok, JSON.stringify(v?.checks, null, 2)).toBe(true);
    if (!v) return;
    expect(check(v, 'non-root').summary).toBe('runs as UID 10001, GID 10001');
    expect(v.user).toBe('10001:10001');
    expect(v.importChecks).toEqual(['app.main', 'psycopg2']);
    expect(check(v, 'native-libraries').ok).toBe(true);
    expect(v.distributions).toContainEqual({ name: 'psycopg2', version: '2.9.5' });
    expect(v.http).toMatchObject({ ok: true, status: 200, path: '/health' });
    expect(v.layers).toBe(img.RootFS.Layers.length);
    expect(v.sizeBytes).toBe(img.Size);
    await expectNoTempFiles();
  });

  it('fastapi-poetry on distroless: Poetry with cache mounts builds (no lock hang), runs as nonroot, answers', async () => {
    const { r, json, ms } = await poetry();
    process.stderr.write(`podman build fastapi-poetry --distroless: ${(ms / 1000).toFixed(1)}s\n`);
    expect(r.code, r.stderr.slice(-4000)).toBe(0);
    if (olderThan44(podmanVersion)) expect(r.stderr).toContain('building with shared cache mounts');
    const img = await inspect(POETRY);
    expect(json.image).toBe(`sha256:${img.Id}`);
    expect(img.Healthcheck?.Test?.[0]).toBe('CMD');
    // distroless: no shell to run
    const sh = await podman(
      'run',
      '--rm',
      '--network',
      'none',
      '--entrypoint',
      '/bin/sh',
      POETRY,
      '-c',
      'true',
    );
    expect(sh.code).not.toBe(0);
    const v = json.verify;
    expect(v?.ok, JSON.stringify(v?.checks, null, 2)).toBe(true);
    if (!v) return;
    expect(check(v, 'non-root').summary).toBe('runs as UID 65532, GID 65532');
    expect(check(v, 'no-build-tools').ok).toBe(true);
    expect(v.distributions).toContainEqual({ name: 'fastapi', version: '0.92.0' });
    expect(v.distributions.map((d) => d.name)).toContain('inventory');
    expect(v.http).toMatchObject({ ok: true, status: 200, path: '/health' });
    expect(v.layers).toBe(img.RootFS.Layers.length);
    expect(v.sizeBytes).toBe(img.Size);
    await expectNoTempFiles();
  });
});

/** Processes whose command line contains `text` (Linux /proc). */
async function processesWith(text: string): Promise<string[]> {
  const found: string[] = [];
  for (const e of await fsp.readdir('/proc')) {
    if (!/^\d+$/.test(e) || Number(e) === process.pid) continue;
    const cmd = await fsp.readFile(`/proc/${e}/cmdline`, 'utf8').catch(() => '');
    if (cmd.includes(text)) found.push(`${e}: ${cmd.replace(/\0/g, ' ')}`);
  }
  return found;
}

describe('Ctrl-C during a podman build', () => {
  it('exits 130, stops the RUN step podman would leave running, removes temp files, names the build container', async () => {
    const dir = path.join(work, 'interrupted');
    const marker = `pycontain-interrupt-${RUN_ID}`;
    await fsp.mkdir(dir, { recursive: true });
    // no network, no index: the base image is in podman's store; the long step is interrupted
    await fsp.writeFile(
      path.join(dir, 'Dockerfile'),
      `FROM ${env.pythonSlim}\nRUN sleep 120 # ${marker}\nRUN echo never\n`,
    );
    let stderr = '';
    let sent = false;
    const r = await runCli(
      ['build', dir, '--tag', `${PREFIX}-interrupted:${RUN_ID}`, '--no-verify', '--progress', 'plain'],
      { PYCONTAIN_ENGINE: 'podman', TMPDIR: tmpdir, PYCONTAIN_RUN_ID: RUN_ID },
      (child) => {
        child.stderr?.on('data', (d: Buffer) => {
          stderr += d.toString();
          // the RUN step has started: its container exists
          if (!sent && stderr.includes('RUN sleep 120')) {
            sent = true;
            setTimeout(() => child.kill('SIGINT'), 1500);
          }
        });
      },
    );
    expect(r.code, r.stderr).toBe(130);
    expect(r.stderr).toContain('interrupted (SIGINT): cleaned up');
    // the RUN step's container (podman leaves it running) is stopped, its bundle dir removed
    expect(r.stderr).not.toContain('podman left its temp dir');
    expect(await processesWith(marker)).toEqual([]);
    await expectNoTempFiles();
    const m =
      /podman left (\d+) build containers? of the interrupted build behind; remove with: \S+ rm -f ([0-9a-f ]+)\n/.exec(
        r.stderr,
      );
    expect(m, r.stderr).not.toBeNull();
    const ids = (m?.[2] ?? '').trim().split(' ');
    expect(ids.length).toBe(Number(m?.[1]));
    const external = await podman('ps', '-a', '--external', '--format', '{{.ID}} {{.Names}}');
    for (const id of ids) expect(external.stdout).toContain(`${id} `);
    const rm = await podman('rm', '-f', ...ids);
    expect(rm.code, rm.stderr).toBe(0);
    expect((await podman('image', 'exists', `${PREFIX}-interrupted:${RUN_ID}`)).code).toBe(1);
  });
});

describe('pycontain verify with PYCONTAIN_ENGINE=podman', () => {
  it('verifies a podman image on its own and leaves no container behind', async () => {
    // --dir: the plan says which modules must import, and that the project itself requires setuptools
    const { copy } = await flask();
    const r = await cli(['verify', FLASK, '--dir', copy, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const v = parse<VerifyJson>(r);
    const img = await inspect(FLASK);
    expect(v.imageId).toBe(img.Id);
    expect(check(v, 'non-root').ok).toBe(true);
    expect(check(v, 'imports').summary).toBe('imports app.main, psycopg2');
    expect(v.http).toMatchObject({ ok: true, status: 200, path: '/health' });
    const left = await containersOfRun();
    expect(left.stdout.trim()).toBe('');
  });

  it('an image podman does not have is bad input (exit 2)', async () => {
    const r = await cli(['verify', `${PREFIX}-missing:${RUN_ID}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is not in the local engine');
  });
});

interface Layer {
  diffId: string | null;
  digest: string | null;
  tarSize: number;
  compression: string;
}
interface Report {
  image: { name: string; format: string; tags: string[]; configDigest: string | null };
  size: { total: number; tar: number };
  layers: Layer[];
  user: { configured: string; uid: number | null; root: boolean; numeric: boolean };
  python: { distributions: { name: string; version: string; venv: string | null }[] };
}

async function analyzeJson(args: string[]): Promise<Report> {
  const r = await cli(['analyze', ...args, '--json']);
  expect(r.code, r.stderr).toBe(0);
  return parse<{ report: Report }>(r).report;
}

/** What every format must agree on, checked against podman's own inspect and history. */
async function expectMatchesPodman(report: Report, ref: string, tagged = true): Promise<void> {
  const img = await inspect(ref);
  const sizes = await historyLayerSizes(ref);
  expect(report.layers.length).toBe(img.RootFS.Layers.length);
  expect(report.layers.map((l) => l.diffId)).toEqual(img.RootFS.Layers);
  expect(report.layers.map((l) => l.tarSize)).toEqual(sizes);
  expect(report.size.tar).toBe(sizes.reduce((a, b) => a + b, 0));
  // podman's Size is the layers plus its config and manifest
  expect(img.Size - report.size.tar).toBeGreaterThanOrEqual(0);
  expect(img.Size - report.size.tar).toBeLessThan(64 * 1024);
  // containers/image's dir: layout stores no name.
  if (tagged) expect(report.image.tags).toContain(`localhost/${ref}`);
  else expect(report.image.tags).toEqual([]);
  expect(report.user).toMatchObject({ configured: '10001:10001', uid: 10001, root: false, numeric: true });
  const venv = report.python.distributions.filter((d) => d.venv === '/opt/venv');
  expect(venv).toContainEqual(expect.objectContaining({ name: 'psycopg2', version: '2.9.5' }));
}

describe('pycontain analyze of a podman image', () => {
  let dockerArchive: Report;
  let ociConfigDigest: string | null = null;

  it('docker-archive streamed from `podman save` (podman: prefix, and --engine podman)', async () => {
    await flask();
    const t0 = Date.now();
    dockerArchive = await analyzeJson([`podman:${FLASK}`]);
    process.stderr.write(`analyze podman:${FLASK}: ${((Date.now() - t0) / 1000).toFixed(1)}s\n`);
    expect(dockerArchive.image.format).toBe('docker-archive-legacy');
    expect(dockerArchive.layers.every((l) => l.compression === 'none')).toBe(true);
    await expectMatchesPodman(dockerArchive, FLASK);
    const viaFlag = await analyzeJson([FLASK, '--engine', 'podman']);
    expect(viaFlag.size).toEqual(dockerArchive.size);
    expect(viaFlag.layers.map((l) => l.diffId)).toEqual(dockerArchive.layers.map((l) => l.diffId));
  });

  it('oci-archive piped from `podman save --format oci-archive`', async () => {
    await flask();
    const pipe = await exec('bash', [
      '-o',
      'pipefail',
      '-c',
      'podman save --format oci-archive "$1" | "$2" "$3" analyze /dev/stdin --json',
      'pipe',
      FLASK,
      process.execPath,
      CLI,
    ]);
    expect(pipe.code, pipe.stderr).toBe(0);
    const report = JSON.parse(pipe.stdout).report as Report;
    expect(report.image.format).toBe('oci-archive');
    // podman gzips the layers of an OCI archive; the figures are the same as uncompressed
    expect(report.layers.every((l) => l.compression === 'gzip')).toBe(true);
    // podman converts the config to OCI's media type on the way out: a digest of its own
    expect(report.image.configDigest).toMatch(/^sha256:[0-9a-f]{64}$/);
    ociConfigDigest = report.image.configDigest;
    await expectMatchesPodman(report, FLASK);
    expect(report.size.total).toBe(dockerArchive.size.total);
  });

  // The two directory formats differ in where the manifest lives and whether a name is kept.
  const manifestOf = {
    'oci-dir': async (dir: string) => {
      const index = JSON.parse(await fsp.readFile(path.join(dir, 'index.json'), 'utf8'));
      const hex = index.manifests[0].digest.replace('sha256:', '');
      return JSON.parse(await fsp.readFile(path.join(dir, 'blobs', 'sha256', hex), 'utf8'));
    },
    'docker-dir': async (dir: string) =>
      JSON.parse(await fsp.readFile(path.join(dir, 'manifest.json'), 'utf8')),
  };
  it.each([
    { kind: 'oci-dir', format: 'oci-layout', tagged: true },
    { kind: 'docker-dir', format: 'dir-transport', tagged: false },
  ] as const)(
    'a $kind written by `podman save --format $kind -o DIR`, read as $format',
    async ({ kind, format, tagged }) => {
      await flask();
      const dir = path.join(work, kind);
      const saved = await podman('save', '--format', kind, '-o', dir, FLASK);
      expect(saved.code, saved.stderr).toBe(0);
      const report = await analyzeJson([dir]);
      expect(report.image.format).toBe(format);
      const manifest = await manifestOf[kind](dir);
      expect(report.image.configDigest).toBe(manifest.config.digest);
      if (kind === 'oci-dir') expect(report.image.configDigest).toBe(ociConfigDigest);
      await expectMatchesPodman(report, FLASK, tagged);
      expect(report.size.total).toBe(dockerArchive.size.total);
      await fsp.rm(dir, { recursive: true, force: true });
    },
  );

  it('an image podman does not have is bad input (exit 2), not an engine failure', async () => {
    const r = await cli(['analyze', `podman:${PREFIX}-missing:${RUN_ID}`]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no such image in podman');
  });
});

describe('cleanup', () => {
  it('left no container of this run behind', async () => {
    const r = await containersOfRun();
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('');
    await expectNoTempFiles();
  });
});

/**
 * Docker helpers for end-to-end tests: builds through buildx with the plain progress log (parsed
 * into steps so tests can read cache hits instead of timing), containers that are always removed,
 * free ports, HTTP polling with a deadline, image facts.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  timeoutMs?: number;
  /** Called with every chunk of output as it arrives (stdout and stderr). */
  onOutput?: (chunk: string) => void;
}

/** Run `docker ...`; never throws for a non-zero exit (look at `code`). */
export function docker(args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return execCommand('docker', args, opts);
}

/** Run any command (podman, skopeo, ...) the same way. */
export function execCommand(cmd: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => {
      out.push(d);
      opts.onOutput?.(d.toString());
    });
    child.stderr.on('data', (d: Buffer) => {
      err.push(d);
      opts.onOutput?.(d.toString());
    });
    let timer: NodeJS.Timeout | undefined;
    if (opts.timeoutMs) {
      timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    }
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({
        code: code ?? (signal ? 128 : 1),
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      });
    });
    // A child that exits before reading its stdin (docker run -d, a failed build) must not crash
    // the test process with EPIPE.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

async function dockerOk(args: string[], opts: Parameters<typeof docker>[1] = {}): Promise<string> {
  const r = await docker(args, opts);
  if (r.code !== 0)
    throw new Error(`docker ${args.join(' ')} failed (${r.code}): ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/** True when the engine answers. */
export async function dockerAvailable(): Promise<boolean> {
  try {
    return (await docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 20_000 })).code === 0;
  } catch {
    return false;
  }
}

export interface BuildSecret {
  id: string;
  /** A file holding the secret. */
  src?: string;
  /** Or an environment variable of the build process holding it. */
  env?: string;
}

export interface BuildOptions {
  /** Build context directory. */
  context: string;
  /** Dockerfile path (default: <context>/Dockerfile). */
  dockerfile?: string;
  /** Or the Dockerfile's text, given on stdin. */
  dockerfileText?: string;
  tag: string;
  buildArgs?: Record<string, string>;
  /** 'host' for builds that reach the local index or apt. */
  network?: 'host' | 'default' | 'none';
  target?: string;
  secrets?: BuildSecret[];
  /** Extra environment for the build process (for `secrets[].env`). */
  env?: NodeJS.ProcessEnv;
  noCache?: boolean;
  platform?: string;
  labels?: Record<string, string>;
  /** Throw a BuildError when the build fails (default true). */
  check?: boolean;
  /** Stream the build log here as it runs (watch a slow build with `tail -f`). */
  logFile?: string;
}

/** One `#N` step of BuildKit's plain progress output. */
export interface BuildStep {
  id: number;
  /** The step's title, e.g. `[builder 4/7] RUN pip install ...` or `[internal] load metadata ...`. */
  name: string;
  /** Stage name when the title has one (`builder`), '' for an unnamed stage, null for internal steps. */
  stage: string | null;
  /** The instruction part of the title, e.g. `RUN pip install ...`, or null for internal steps. */
  instruction: string | null;
  cached: boolean;
  done: boolean;
  error: string | null;
  /** Output lines the step printed (without the `#N 0.123 ` prefix). */
  output: string[];
}

export interface BuildResult {
  ok: boolean;
  code: number;
  tag: string;
  /** The full plain-progress log (BuildKit writes it to stderr). */
  log: string;
  steps: BuildStep[];
  durationMs: number;
  /** The `# syntax=` directive was dropped because its frontend image could not be pulled. */
  syntaxStripped: boolean;
}

export class BuildError extends Error {
  constructor(
    message: string,
    public readonly result: BuildResult,
  ) {
    super(message);
    this.name = 'BuildError';
  }
}

export function buildArgv(opts: BuildOptions): string[] {
  const args = ['buildx', 'build', '--progress=plain', '--load', '--tag', opts.tag];
  if (opts.dockerfileText !== undefined) args.push('--file', '-');
  else if (opts.dockerfile) args.push('--file', opts.dockerfile);
  for (const [k, v] of Object.entries(opts.buildArgs ?? {})) args.push('--build-arg', `${k}=${v}`);
  if (opts.network && opts.network !== 'default') args.push('--network', opts.network);
  if (opts.target) args.push('--target', opts.target);
  for (const s of opts.secrets ?? []) {
    const parts = [`id=${s.id}`];
    if (s.src) parts.push(`src=${s.src}`);
    if (s.env) parts.push(`env=${s.env}`);
    args.push('--secret', parts.join(','));
  }
  if (opts.noCache) args.push('--no-cache');
  if (opts.platform) args.push('--platform', opts.platform);
  for (const [k, v] of Object.entries(opts.labels ?? {})) args.push('--label', `${k}=${v}`);
  args.push(opts.context);
  return args;
}

const SYNTAX_LINE = /^#\s*syntax\s*=.*$/im;
const FRONTEND_UNREACHABLE =
  /failed to resolve source metadata for [^\s]*docker\/dockerfile|docker\/dockerfile[^\n]*(no such host|dial tcp|i\/o timeout|connection refused)/;

/** A Dockerfile's text without its leading `# syntax=` parser directive (the built-in frontend then parses it). */
export function stripSyntaxDirective(text: string): string {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (!/^\s*#/.test(line)) break; // directives only precede the first instruction or comment line
    if (SYNTAX_LINE.test(line)) {
      lines.splice(i, 1);
      break;
    }
    if (!/^\s*#\s*\w+\s*=/.test(line)) break;
  }
  return lines.join('\n');
}

/**
 * Build an image with `docker buildx build --progress=plain --load`.
 * When the Dockerfile names a `# syntax=` frontend image and the registry is unreachable (the
 * testenv has no Docker Hub), the build is retried once without the directive: BuildKit's built-in
 * frontend supports everything pycontain writes (`RUN --mount`, heredocs). `syntaxStripped` says so.
 */
export async function dockerBuild(opts: BuildOptions): Promise<BuildResult> {
  const started = performance.now();
  let result = await buildOnce(opts, started);
  if (!result.ok && FRONTEND_UNREACHABLE.test(result.log)) {
    const text =
      opts.dockerfileText ??
      (await readFile(opts.dockerfile ?? path.join(opts.context, 'Dockerfile'), 'utf8'));
    const stripped = stripSyntaxDirective(text);
    if (stripped !== text) {
      // Keep `<Dockerfile>.dockerignore` semantics out of it: the context's .dockerignore applies either way.
      result = await buildOnce(
        { ...opts, dockerfile: undefined, dockerfileText: stripped },
        performance.now(),
      );
      result.syntaxStripped = true;
    }
  }
  if (!result.ok && opts.check !== false) {
    const failed = result.steps.find((s) => s.error);
    const where = failed ? ` at ${failed.name}` : '';
    throw new BuildError(
      `docker build of ${opts.tag} failed${where}:\n${result.log.split('\n').slice(-40).join('\n')}`,
      result,
    );
  }
  return result;
}

async function buildOnce(opts: BuildOptions, started: number): Promise<BuildResult> {
  const sink = opts.logFile ? createWriteStream(opts.logFile, { flags: 'a' }) : null;
  const r = await docker(buildArgv(opts), {
    input: opts.dockerfileText,
    env: opts.env,
    onOutput: sink ? (chunk) => sink.write(chunk) : undefined,
  });
  if (sink) await new Promise<void>((resolve) => sink.end(resolve));
  const log = r.stderr + (r.stdout ? `\n${r.stdout}` : '');
  return {
    ok: r.code === 0,
    code: r.code,
    tag: opts.tag,
    log,
    steps: parseBuildLog(log),
    durationMs: performance.now() - started,
    syntaxStripped: false,
  };
}

const STEP_TITLE = /^#(\d+) (\[.*)$/;
const STEP_LINE = /^#(\d+) (.*)$/;

/** Parse BuildKit's plain progress log into steps. */
export function parseBuildLog(log: string): BuildStep[] {
  const steps = new Map<number, BuildStep>();
  for (const line of log.split('\n')) {
    const title = STEP_TITLE.exec(line);
    if (title) {
      const id = Number(title[1]);
      if (!steps.has(id)) {
        const name = title[2]!;
        const m = /^\[(?:([^\]]*?)\s+)?(\d+\/\d+)\]\s+(.*)$/.exec(name);
        const internal =
          /^\[(internal|auth)\]/.test(name) || /^\[[^\]]*\] (load|resolve|transferring)/.test(name);
        steps.set(id, {
          id,
          name,
          stage: m && !internal ? (m[1] ?? '') : null,
          instruction: m && !internal ? m[3]! : null,
          cached: false,
          done: false,
          error: null,
          output: [],
        });
        continue;
      }
    }
    const m = STEP_LINE.exec(line);
    if (!m) continue;
    const step = steps.get(Number(m[1]));
    if (!step) continue;
    const rest = m[2]!;
    if (rest === 'CACHED') step.cached = true;
    else if (/^DONE \d/.test(rest)) step.done = true;
    else if (rest.startsWith('ERROR')) step.error = rest.replace(/^ERROR:?\s*/, '') || 'error';
    else if (rest.startsWith('CANCELED')) step.error ??= 'canceled';
    else step.output.push(rest.replace(/^\d+\.\d+ /, ''));
  }
  return [...steps.values()].sort((a, b) => a.id - b.id);
}

/** Steps that ran a Dockerfile instruction (not internal bookkeeping). */
export function instructionSteps(steps: BuildStep[]): BuildStep[] {
  return steps.filter((s) => s.instruction !== null);
}

// ---------------------------------------------------------------------------------------------
// Containers: every container started here is removed, by the caller's finally and, as a last
// resort, by an exit hook (a test run killed with Ctrl-C leaves nothing behind).

const liveContainers = new Set<string>();
let hooked = false;

function removeAllSync(): void {
  for (const id of liveContainers) {
    spawnSync('docker', ['rm', '-f', id], { stdio: 'ignore' });
  }
  liveContainers.clear();
}

function installExitHook(): void {
  if (hooked) return;
  hooked = true;
  process.on('exit', removeAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      removeAllSync();
      process.kill(process.pid, sig);
    });
  }
}

export interface RunOptions {
  /** Container port to publish on 127.0.0.1:<free port>. */
  port?: number;
  /** Host port to use (default: a free one). */
  hostPort?: number;
  env?: Record<string, string>;
  /** Command (replaces CMD). */
  command?: string[];
  entrypoint?: string;
  user?: string;
  name?: string;
  network?: string;
  /** Extra raw `docker run` arguments. */
  extraArgs?: string[];
}

export interface Container {
  id: string;
  image: string;
  /** 127.0.0.1 port mapped to `port`, when one was asked for. */
  hostPort: number | null;
  /** http://127.0.0.1:<hostPort> when a port is published. */
  url: string | null;
  logs(): Promise<string>;
  /** 'running', 'exited', ... and the exit code once exited. */
  state(): Promise<{ status: string; exitCode: number; running: boolean }>;
  exec(argv: string[], opts?: { user?: string }): Promise<ExecResult>;
  remove(): Promise<void>;
}

/** Start a detached container. The caller must `remove()` it (withContainer does). */
export async function runContainer(image: string, opts: RunOptions = {}): Promise<Container> {
  installExitHook();
  const args = ['run', '-d'];
  let hostPort: number | null = null;
  if (opts.port !== undefined) {
    hostPort = opts.hostPort ?? (await freePort());
    args.push('-p', `127.0.0.1:${hostPort}:${opts.port}`);
  }
  for (const [k, v] of Object.entries(opts.env ?? {})) args.push('-e', `${k}=${v}`);
  if (opts.user) args.push('--user', opts.user);
  if (opts.name) args.push('--name', opts.name);
  if (opts.network) args.push('--network', opts.network);
  if (opts.entrypoint !== undefined) args.push('--entrypoint', opts.entrypoint);
  args.push(...(opts.extraArgs ?? []));
  args.push(image, ...(opts.command ?? []));
  const r = await docker(args);
  const id = r.stdout.trim();
  if (r.code !== 0 || !id) {
    if (id) await docker(['rm', '-f', id]);
    throw new Error(`docker run ${image} failed (${r.code}): ${r.stderr.trim()}`);
  }
  liveContainers.add(id);
  return {
    id,
    image,
    hostPort,
    url: hostPort === null ? null : `http://127.0.0.1:${hostPort}`,
    logs: async () => {
      const l = await docker(['logs', id]);
      return l.stdout + l.stderr;
    },
    state: async () => {
      const s = await docker([
        'inspect',
        '-f',
        '{{.State.Status}} {{.State.ExitCode}} {{.State.Running}}',
        id,
      ]);
      const [status = 'gone', code = '0', running = 'false'] = s.stdout.trim().split(' ');
      return { status, exitCode: Number(code), running: running === 'true' };
    },
    exec: (argv, eopts = {}) => docker(['exec', ...(eopts.user ? ['--user', eopts.user] : []), id, ...argv]),
    remove: async () => {
      await docker(['rm', '-f', id]);
      liveContainers.delete(id);
    },
  };
}

/** Run `fn` with a started container; the container is removed afterwards, whatever happens. */
export async function withContainer<T>(
  image: string,
  opts: RunOptions,
  fn: (c: Container) => Promise<T>,
): Promise<T> {
  const c = await runContainer(image, opts);
  try {
    return await fn(c);
  } finally {
    await c.remove();
  }
}

/** Run a container to completion (`docker run --rm`) and return its output. */
export async function runOnce(
  image: string,
  argv: string[] = [],
  opts: Omit<RunOptions, 'port' | 'hostPort'> & { input?: string } = {},
): Promise<ExecResult> {
  const args = ['run', '--rm', '-i'];
  for (const [k, v] of Object.entries(opts.env ?? {})) args.push('-e', `${k}=${v}`);
  if (opts.user) args.push('--user', opts.user);
  if (opts.network) args.push('--network', opts.network);
  if (opts.entrypoint !== undefined) args.push('--entrypoint', opts.entrypoint);
  args.push(...(opts.extraArgs ?? []), image, ...argv);
  return docker(args, { input: opts.input });
}

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export interface PollOptions {
  timeoutMs?: number;
  /** Pause between attempts (short backoff, capped). */
  intervalMs?: number;
  /** Accept this status only (default: any status below 500). */
  expectStatus?: number;
  /** Stop early, with its logs, when this container exits. */
  container?: Container;
}

export interface HttpAnswer {
  status: number;
  body: string;
  attempts: number;
}

/** Poll `url` until it answers (status < 500, or `expectStatus`), or fail after the deadline. */
export async function pollHttp(url: string, opts: PollOptions = {}): Promise<HttpAnswer> {
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  let pause = Math.min(opts.intervalMs ?? 100, 1000);
  let attempts = 0;
  let last = 'no attempt';
  for (;;) {
    attempts++;
    // A referenced timer (AbortSignal.timeout's is not): the pending poll keeps the process alive.
    const ac = new AbortController();
    const timer = setTimeout(() => ac.abort(), Math.max(1000, Math.min(5000, deadline - Date.now())));
    try {
      const res = await fetch(url, { signal: ac.signal });
      const body = await res.text();
      const good = opts.expectStatus === undefined ? res.status < 500 : res.status === opts.expectStatus;
      if (good) return { status: res.status, body, attempts };
      last = `HTTP ${res.status}: ${body.slice(0, 200)}`;
    } catch (err) {
      last = (err as Error).cause ? String((err as Error).cause) : String(err);
    } finally {
      clearTimeout(timer);
    }
    if (opts.container) {
      const st = await opts.container.state();
      if (!st.running) {
        throw new Error(
          `container ${opts.container.image} exited (${st.status}, code ${st.exitCode}) before ${url} answered:\n${(await opts.container.logs()).slice(-3000)}`,
        );
      }
    }
    if (Date.now() >= deadline) {
      const logs = opts.container ? `\n${(await opts.container.logs()).slice(-3000)}` : '';
      throw new Error(
        `${url} did not answer within ${timeoutMs} ms (${attempts} attempts, last: ${last})${logs}`,
      );
    }
    await new Promise((r) => setTimeout(r, Math.min(pause, Math.max(0, deadline - Date.now()))));
    pause = Math.min(pause * 2, 1000);
  }
}

// ---------------------------------------------------------------------------------------------
// Images

export interface ImageInfo {
  id: string;
  size: number;
  layers: number;
  user: string;
  cmd: string[] | null;
  entrypoint: string[] | null;
  env: string[];
  exposedPorts: string[];
  healthcheck: string[] | null;
}

export async function inspectImage(tag: string): Promise<ImageInfo> {
  const raw = JSON.parse(await dockerOk(['image', 'inspect', tag]))[0] as {
    Id: string;
    Size: number;
    RootFS: { Layers?: string[] };
    Config: {
      User?: string;
      Cmd?: string[] | null;
      Entrypoint?: string[] | null;
      Env?: string[];
      ExposedPorts?: Record<string, unknown>;
      Healthcheck?: { Test?: string[] };
    };
  };
  return {
    id: raw.Id,
    size: raw.Size,
    layers: raw.RootFS.Layers?.length ?? 0,
    user: raw.Config.User ?? '',
    cmd: raw.Config.Cmd ?? null,
    entrypoint: raw.Config.Entrypoint ?? null,
    env: raw.Config.Env ?? [],
    exposedPorts: Object.keys(raw.Config.ExposedPorts ?? {}),
    healthcheck: raw.Config.Healthcheck?.Test ?? null,
  };
}

/** Image size in bytes as the engine reports it (uncompressed). */
export async function imageSize(tag: string): Promise<number> {
  return (await inspectImage(tag)).size;
}

/** Number of filesystem layers. */
export async function imageLayers(tag: string): Promise<number> {
  return (await inspectImage(tag)).layers;
}

/** `sha256:...` repo digest of an image when it has one, else its image id. */
export async function imageDigest(tag: string): Promise<string> {
  const r = await docker(['image', 'inspect', '-f', '{{json .RepoDigests}} {{.Id}}', tag]);
  if (r.code !== 0) throw new Error(`docker image inspect ${tag}: ${r.stderr.trim()}`);
  const [digests, id] = r.stdout.trim().split(' ');
  const list = JSON.parse(digests ?? '[]') as string[];
  const d = list[0]?.split('@')[1];
  return d ?? id ?? '';
}

export async function imageExists(tag: string): Promise<boolean> {
  return (await docker(['image', 'inspect', tag])).code === 0;
}

export async function removeImage(tag: string): Promise<void> {
  await docker(['image', 'rm', '-f', tag]);
}

/** `docker save` an image to a tar file (OCI layout on engine 25+). */
export async function saveImage(tag: string, file: string): Promise<void> {
  await dockerOk(['save', '-o', file, tag]);
}

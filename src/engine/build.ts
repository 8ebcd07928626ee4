import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { promises as fsp, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '../plan.js';
import { onInterrupt } from './cleanup.js';
import { describeEngine, type Engine, engineAnswers } from './driver.js';
import { BuildFailedError, EngineError } from './errors.js';
import { lastLines, type RunResult, run } from './exec.js';
import type { ProgressView } from './progress.js';
import { SolveState } from './progress-model.js';
import { PlainProgressParser, RawJsonParser } from './rawjson.js';

/** Engine flags passed through unchanged, by `build` and by `bake` alike. */
export interface EngineBuildFlags {
  platforms?: string[];
  /** `KEY=VALUE` (or `KEY` to take it from the environment, as docker does). */
  buildArgs?: string[];
  /** `id=NAME,src=PATH` / `id=NAME,env=VAR`, passed through. */
  secrets?: string[];
  network?: string;
  target?: string;
  builder?: string;
  cacheFrom?: string[];
  cacheTo?: string[];
  push?: boolean;
  /** Load the result into the engine's image store (default: yes, unless pushing or building several platforms). */
  load?: boolean;
}

export interface BuildOptions extends EngineBuildFlags {
  engine: Engine;
  /** Build context directory (absolute). */
  context: string;
  /** A Dockerfile on disk (absolute, or relative to the context). Ignored when dockerfileText is set. */
  dockerfile?: string;
  /** A generated Dockerfile: written to a private temp dir (with its ignore file) and removed afterwards. */
  dockerfileText?: string;
  /** Generated ignore rules; applied as `<Dockerfile>.dockerignore`, which BuildKit prefers over the context's. */
  dockerignoreText?: string | null;
  tags?: string[];
  labels?: Record<string, string>;
  noCache?: boolean;
  progress?: ProgressView;
  /** Drop a `# syntax=` directive and use the engine's built-in frontend (offline engines). */
  builtinFrontend?: boolean;
}

export interface BuildResult {
  /** `sha256:...` of the built image (from --iidfile), null when the engine did not write one. */
  imageId: string | null;
  tags: string[];
  /** Whether the image is in the local engine (so verify can run it). */
  loaded: boolean;
  state: SolveState;
  engine: Engine;
  /** The command line that ran (for logs and the report). */
  argv: string[];
  durationMs: number;
}

export interface PreparedArgs {
  args: string[];
  env: NodeJS.ProcessEnv;
  loaded: boolean;
  /** Commands to run after a successful build (podman and classic docker push separately). */
  pushAfter: string[][];
}

/**
 * podman's --cache-from/--cache-to take a repository, not BuildKit's `type=...` specs: a registry
 * spec is reduced to its ref, anything else (local directories, gha, s3) podman cannot do.
 */
export function podmanCacheRef(flag: string, spec: string): string {
  if (!spec.includes('=')) return spec;
  const fields = new Map<string, string>();
  for (const part of spec.split(',')) {
    const i = part.indexOf('=');
    if (i > 0) fields.set(part.slice(0, i).trim(), part.slice(i + 1).trim());
  }
  const type = fields.get('type') ?? 'registry';
  const ref = fields.get('ref');
  if (type === 'registry' && ref) return ref;
  throw new InputError(
    `${flag} ${spec}: podman caches only in a registry repository (type=registry,ref=REPO, or just REPO)`,
  );
}

/**
 * The engine CLI's argument list for a build; pure (tested without an engine). `ignoreFile` is the
 * Dockerfile-specific ignore file (`<Dockerfile>.dockerignore`) when there is one: BuildKit finds it
 * by itself, podman 4 only when told with --ignorefile.
 */
export function buildArgs(
  o: BuildOptions,
  dockerfilePath: string,
  iidfile: string,
  ignoreFile: string | null = null,
): PreparedArgs {
  const e = o.engine;
  const platforms = o.platforms ?? [];
  const multiPlatform = platforms.length > 1 || platforms.some((p) => p.includes(','));
  const args: string[] = e.kind === 'buildx' ? ['buildx', 'build'] : ['build'];
  const pushAfter: string[][] = [];
  if (e.kind !== 'podman') args.push(`--progress=${e.kind === 'buildx' ? 'rawjson' : 'plain'}`);
  if (o.builder) {
    if (e.kind !== 'buildx')
      throw new InputError(`--builder needs docker buildx; this machine builds with ${describeEngine(e)}`);
    args.push('--builder', o.builder);
  }
  args.push('-f', dockerfilePath);
  if (e.kind === 'podman') {
    // podman's default image format, OCI, has no HEALTHCHECK (podman drops it with a warning), no
    // SHELL and no ONBUILD: build Docker's v2s2 format, as docker does.
    args.push('--format', 'docker');
    if (ignoreFile) args.push('--ignorefile', ignoreFile);
  }
  for (const t of o.tags ?? []) args.push('-t', t);
  for (const p of platforms) args.push('--platform', p);
  for (const b of o.buildArgs ?? []) args.push('--build-arg', b);
  for (const s of o.secrets ?? []) args.push('--secret', s);
  if (o.network) args.push('--network', o.network);
  if (o.target) args.push('--target', o.target);
  const cacheSpec = (flag: string, c: string) => (e.kind === 'podman' ? podmanCacheRef(flag, c) : c);
  for (const c of o.cacheFrom ?? []) args.push('--cache-from', cacheSpec('--cache-from', c));
  if ((o.cacheTo ?? []).length) {
    if (e.kind !== 'buildx' && e.kind !== 'podman') {
      throw new InputError(
        '--cache-to needs docker buildx (the classic `docker build` cannot export a cache)',
      );
    }
    for (const c of o.cacheTo ?? []) args.push('--cache-to', cacheSpec('--cache-to', c));
  }
  for (const [k, v] of Object.entries(o.labels ?? {})) args.push('--label', `${k}=${v}`);
  if (o.noCache) args.push('--no-cache');
  let loaded: boolean;
  if (e.kind === 'buildx') {
    const load = o.load ?? (!o.push && !multiPlatform);
    if (load && multiPlatform) {
      throw new InputError(
        '--load cannot load a multi-platform image into the engine; use --push or one --platform',
      );
    }
    if (load) args.push('--load');
    if (o.push) args.push('--push');
    loaded = load;
  } else {
    // the classic builder and podman always leave the image in the local store
    loaded = true;
    if (o.push) {
      if (!(o.tags ?? []).length) throw new InputError('--push needs --tag NAME');
      for (const t of o.tags ?? []) pushAfter.push(['push', t]);
    }
  }
  args.push('--iidfile', iidfile);
  args.push(o.context);
  const env = e.kind === 'docker' ? { ...e.env, DOCKER_BUILDKIT: '1' } : e.env;
  return { args, env, loaded, pushAfter };
}

/**
 * Build one image. Progress goes to `o.progress`; failure throws BuildFailedError (the failing step
 * and the engine's last lines) or EngineError (the engine went away). Temp files are always removed,
 * also on Ctrl-C.
 */
export async function buildImage(o: BuildOptions): Promise<BuildResult> {
  const t0 = Date.now();
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'pycontain-build-'));
  const snap = o.engine.kind === 'podman' ? await podmanSnapshot(o.engine) : null;
  const unregister = onInterrupt(() => {
    const child = currentChild;
    if (snap && child) cleanUpInterruptedPodman(o.engine, child, snap);
    else child?.kill('SIGINT');
    rmSync(tmp, { recursive: true, force: true });
  });
  try {
    let dockerfilePath: string;
    if (o.dockerfileText !== undefined) {
      dockerfilePath = path.join(tmp, 'Dockerfile');
      await fsp.writeFile(dockerfilePath, o.dockerfileText);
      if (o.dockerignoreText != null)
        await fsp.writeFile(path.join(tmp, 'Dockerfile.dockerignore'), o.dockerignoreText);
    } else {
      dockerfilePath = path.resolve(o.context, o.dockerfile ?? 'Dockerfile');
      try {
        await fsp.access(dockerfilePath);
      } catch {
        throw new InputError(
          `no Dockerfile at ${path.relative(process.cwd(), dockerfilePath) || dockerfilePath}`,
        );
      }
    }
    const iidfile = path.join(tmp, 'iid');
    const view = o.progress;
    if (o.builtinFrontend) dockerfilePath = await withoutSyntaxDirective(dockerfilePath, tmp);
    if (podmanLeaksCacheLocks(o.engine)) {
      const text = await fsp.readFile(dockerfilePath, 'utf8');
      const unlocked = withoutCacheLocks(text);
      if (unlocked !== text) {
        view?.note(
          `podman ${o.engine.serverVersion} can hang on RUN --mount=type=cache,sharing=locked (fixed in 4.4): building with shared cache mounts`,
        );
        dockerfilePath = await rewriteDockerfile(dockerfilePath, tmp, 'Dockerfile.podman', unlocked);
      }
    }
    view?.note(`building ${o.context} with ${describeEngine(o.engine)}`);
    let attempt = await runBuild(o, dockerfilePath, iidfile);
    if (!attempt.ok && frontendUnreachable(attempt.state) && !o.builtinFrontend) {
      const text = await fsp.readFile(dockerfilePath, 'utf8');
      if (syntaxDirective(text)) {
        view?.note(
          `the engine could not fetch the Dockerfile frontend named by "# syntax=${syntaxDirective(text)}" (no registry access?): building again with the engine's built-in frontend`,
        );
        dockerfilePath = await withoutSyntaxDirective(dockerfilePath, tmp);
        attempt = await runBuild(o, dockerfilePath, iidfile);
      }
    }
    const { state, prepared, r } = attempt;
    view?.done(state, attempt.ok);
    if (!attempt.ok) throw await failure(o.engine, state, r.stderr, r.stdout);
    for (const cmd of prepared.pushAfter) {
      const p = await run(o.engine.bin, cmd, { env: prepared.env });
      if (p.code !== 0) throw new BuildFailedError(`push of ${cmd[1]} failed`, null, lastLines(p.stderr, 15));
    }
    let imageId: string | null = null;
    try {
      imageId = (await fsp.readFile(iidfile, 'utf8')).trim() || null;
    } catch {
      imageId = null;
    }
    return {
      imageId,
      tags: o.tags ?? [],
      loaded: prepared.loaded,
      state,
      engine: o.engine,
      argv: [o.engine.bin, ...prepared.args],
      durationMs: Date.now() - t0,
    };
  } finally {
    unregister();
    await fsp.rm(tmp, { recursive: true, force: true });
  }
}

/** Where podman keeps its per-build temp dirs (`buildah123456789`) and its cache mounts. */
function podmanTmp(engine: Engine): string {
  return engine.env.TMPDIR || '/var/tmp';
}

function podmanTempDirs(engine: Engine): string[] {
  try {
    return readdirSync(podmanTmp(engine)).filter((f) => /^buildah\d+$/.test(f));
  } catch {
    return [];
  }
}

interface PodmanSnapshot {
  /** Build (buildah "working") containers, as `podman ps --external` lists them, and temp dirs. */
  known: Set<string>;
  /** The OCI runtime podman runs RUN steps with (runc, crun). */
  runtime: string | null;
}

/** What exists before the build: anything new after an interrupted one is the build's leftover. */
async function podmanSnapshot(engine: Engine): Promise<PodmanSnapshot> {
  const [ps, info] = await Promise.all([
    run(engine.bin, ['ps', '-a', '--external', '--format', '{{.ID}}'], {
      env: engine.env,
      timeoutMs: 30_000,
    }),
    run(engine.bin, ['info', '--format', '{{.Host.OCIRuntime.Path}}'], {
      env: engine.env,
      timeoutMs: 30_000,
    }),
  ]);
  return {
    known: new Set([...ps.stdout.split('\n').filter((l) => l.trim() !== ''), ...podmanTempDirs(engine)]),
    runtime: info.code === 0 && info.stdout.trim() ? info.stdout.trim() : null,
  };
}

/**
 * The bundle directories of the RUN steps a podman process is running: the working directories of
 * its `buildah-oci-runtime` children (one per running step; the runtime's container is named
 * `buildah-<bundle dir name>`). Linux /proc; empty elsewhere.
 */
function podmanRunBundles(pid: number): string[] {
  const out: string[] = [];
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const m = /^\d+ \(.*\) \S+ (\d+) /.exec(readFileSync(`/proc/${e}/stat`, 'utf8'));
      if (!m || Number(m[1]) !== pid) continue;
      // a re-exec of podman itself (comm "exe"): argv[0] names its role
      const argv0 = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0')[0];
      if (argv0 === 'buildah-oci-runtime') out.push(readlinkSync(`/proc/${e}/cwd`));
    } catch {
      // the process ended meanwhile
    }
  }
  return out;
}

/**
 * Ctrl-C of a podman build. podman 4.3, interrupted (SIGINT and SIGTERM alike), leaves the running
 * RUN step's container running (orphaned: a `pip install` goes on to its end), its bundle temp dir,
 * and the build's working container. The first two are ours for certain (found through our podman's
 * children) and are stopped and removed; working containers are only named: a podman build running
 * at the same time has ones that look just the same. Synchronous (Ctrl-C handler).
 */
function cleanUpInterruptedPodman(engine: Engine, child: ChildProcess, snap: PodmanSnapshot): void {
  const bundles = child.pid ? podmanRunBundles(child.pid) : [];
  child.kill('SIGINT');
  // let podman finish exiting first (at most 10 s)
  spawnSync(
    'sh',
    ['-c', `i=0; while kill -0 ${child.pid} 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done`],
    { stdio: 'ignore', timeout: 15_000 },
  );
  for (const bundle of bundles) {
    const id = `buildah-${path.basename(bundle)}`;
    if (snap.runtime) {
      spawnSync(snap.runtime, ['kill', id, 'KILL'], { stdio: 'ignore', timeout: 15_000 });
      spawnSync(snap.runtime, ['delete', '--force', id], { stdio: 'ignore', timeout: 15_000 });
    }
    rmSync(bundle, { recursive: true, force: true });
  }
  const r = spawnSync(engine.bin, ['ps', '-a', '--external', '--format', '{{.ID}}'], {
    env: engine.env,
    encoding: 'utf8',
    timeout: 15_000,
  });
  const left = (r.stdout ?? '').split('\n').filter((id) => id.trim() !== '' && !snap.known.has(id));
  if (left.length) {
    process.stderr.write(
      `podman left ${left.length} build container${left.length > 1 ? 's' : ''} of the interrupted build behind; remove with: ${engine.bin} rm -f ${left.join(' ')}\n`,
    );
  }
  const dirs = podmanTempDirs(engine)
    .filter((d) => !snap.known.has(d))
    .map((d) => path.join(podmanTmp(engine), d));
  if (dirs.length) {
    process.stderr.write(
      `podman left its temp dir${dirs.length > 1 ? 's' : ''} of the interrupted build behind: ${dirs.join(' ')}\n`,
    );
  }
}

/** Turn a failed build into the error users can act on: which step, and what the engine said. */
async function failure(engine: Engine, state: SolveState, stderr: string, stdout: string): Promise<Error> {
  const failed = state.failed();
  const engineTail = state.otherLines.length
    ? state.otherLines.slice(-15)
    : lastLines(`${stdout}\n${stderr}`, 15);
  if (!(await engineAnswers(engine))) {
    const at = failed ?? state.current();
    return new EngineError(
      `the engine stopped answering during the build${at ? ` (at ${at.name})` : ''}`,
      engineTail,
    );
  }
  if (failed) {
    const stepLog = failed.logs.filter((l) => l.trim() !== '').slice(-20);
    const lines = [...stepLog, ...engineTail.filter((l) => !stepLog.includes(l))];
    return new BuildFailedError(
      `build failed at step ${failed.name}: ${failed.error ?? 'failed'}\n${lines.map((l) => `  | ${l}`).join('\n')}`,
      failed.name,
      lines,
    );
  }
  return new BuildFailedError(
    `build failed before any step ran\n${engineTail.map((l) => `  | ${l}`).join('\n')}`,
    null,
    engineTail,
  );
}

interface Attempt {
  ok: boolean;
  state: SolveState;
  prepared: PreparedArgs;
  r: RunResult;
}

let currentChild: ChildProcess | null = null;

async function runBuild(o: BuildOptions, dockerfilePath: string, iidfile: string): Promise<Attempt> {
  const ignoreFile = `${dockerfilePath}.dockerignore`;
  const hasIgnore = await fsp.access(ignoreFile).then(
    () => true,
    () => false,
  );
  const prepared = buildArgs(o, dockerfilePath, iidfile, hasIgnore ? ignoreFile : null);
  const state = new SolveState();
  const view = o.progress;
  const update = () => view?.update(state);
  const parser =
    o.engine.kind === 'buildx'
      ? new RawJsonParser(state, undefined, update)
      : new PlainProgressParser(state, update);
  const r = await run(o.engine.bin, prepared.args, {
    env: prepared.env,
    // buildx writes progress to stderr; podman writes its steps to stdout, warnings and errors to stderr
    onStderr: (d) => parser.feed(d, 'stderr'),
    onStdout: o.engine.kind === 'buildx' ? undefined : (d) => parser.feed(d, 'stdout'),
    onSpawn: (c) => {
      currentChild = c;
    },
  });
  currentChild = null;
  parser.end();
  if (r.spawnError) throw new EngineError(`could not start ${o.engine.bin}: ${r.spawnError.message}`);
  return { ok: r.code === 0, state, prepared, r };
}

/** The `# syntax=` parser directive of a Dockerfile, if any (only valid before any other line). */
export function syntaxDirective(text: string): string | null {
  for (const line of text.split(/\r?\n/)) {
    const m = /^#\s*syntax\s*=\s*(\S+)\s*$/i.exec(line);
    if (m) return m[1] ?? null;
    if (/^#\s*\w+\s*=/.test(line)) continue;
    return null;
  }
  return null;
}

/** Same Dockerfile without its `# syntax=` line, so the engine's built-in frontend parses it. */
export function stripSyntaxDirective(text: string): string {
  const lines = text.split('\n');
  const out: string[] = [];
  let inDirectives = true;
  for (const line of lines) {
    if (inDirectives && /^#\s*syntax\s*=/i.test(line)) continue;
    if (!/^#\s*\w+\s*=/.test(line)) inDirectives = false;
    out.push(line);
  }
  return out.join('\n');
}

/**
 * Buildah before 1.29 (podman before 4.4) keeps only the last mount's lock of a RUN with several
 * `--mount`s: a `type=cache,sharing=locked` mount followed by another mount (a secret, a second
 * cache) is never unlocked, and the next RUN that locks the same cache waits forever (buildah
 * PR #4349). Seen here with podman 4.3.1 on the generated Poetry Dockerfile.
 */
export function podmanLeaksCacheLocks(e: Engine): boolean {
  if (e.kind !== 'podman') return false;
  const m = /^(\d+)\.(\d+)/.exec(e.serverVersion);
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major < 4 || (major === 4 && minor < 4);
}

/**
 * The Dockerfile with `sharing=locked` dropped from its cache mounts (shared, the default): pip's,
 * Poetry's and PDM's caches are safe for concurrent writers, and apt takes its own lock.
 */
export function withoutCacheLocks(text: string): string {
  return text.replace(/--mount=(\S+)/g, (all, spec: string) => {
    const parts = spec.split(',');
    if (!parts.includes('type=cache') || !parts.includes('sharing=locked')) return all;
    return `--mount=${parts.filter((p) => p !== 'sharing=locked').join(',')}`;
  });
}

/** Write a changed Dockerfile next to the original's ignore file (kept, if it has one). */
async function rewriteDockerfile(
  dockerfilePath: string,
  tmp: string,
  name: string,
  text: string,
): Promise<string> {
  const target = path.join(tmp, name);
  await fsp.writeFile(target, text);
  const ignore = await fsp.readFile(`${dockerfilePath}.dockerignore`, 'utf8').catch(() => null);
  if (ignore !== null) await fsp.writeFile(`${target}.dockerignore`, ignore);
  return target;
}

async function withoutSyntaxDirective(dockerfilePath: string, tmp: string): Promise<string> {
  const text = await fsp.readFile(dockerfilePath, 'utf8');
  return rewriteDockerfile(dockerfilePath, tmp, 'Dockerfile.builtin', stripSyntaxDirective(text));
}

/** BuildKit could not pull the `# syntax=` frontend image (offline machines, no registry). */
export function frontendUnreachable(state: SolveState): boolean {
  const text = [...state.otherLines, ...state.list().map((v) => v.error ?? '')].join('\n');
  return (
    /(resolve source metadata for|resolve image config for|pull access denied for|failed to .*)\s*\S*docker\/dockerfile/i.test(
      text,
    ) || /docker\.io\/docker\/dockerfile/.test(text)
  );
}

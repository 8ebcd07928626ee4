import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { InputError } from '../plan.js';
import type { Engine } from './driver.js';
import { EngineError } from './errors.js';
import { lastLines, type RunResult, run } from './exec.js';

/** Every container pycontain starts carries this label, so tests (and users) can find leftovers. */
export const OWNER_LABEL = 'io.pycontain.owner';
export const OWNER_VALUE = 'pycontain';

export interface ImageInfo {
  id: string;
  repoTags: string[];
  sizeBytes: number;
  /** Number of filesystem layers (RootFS.Layers). */
  layers: number;
  user: string;
  env: Record<string, string>;
  exposedPorts: number[];
  labels: Record<string, string>;
  entrypoint: string[] | null;
  cmd: string[] | null;
  workingDir: string;
  /** HEALTHCHECK test, e.g. ['CMD', 'python', '-c', '...']. */
  healthcheck: string[] | null;
  architecture: string;
  os: string;
}

interface RawInspect {
  Id?: string;
  /** podman keeps a Docker-format image's HEALTHCHECK here, outside Config (OCI configs have none). */
  Healthcheck?: { Test?: string[] } | null;
  RepoTags?: string[] | null;
  Size?: number;
  RootFS?: { Layers?: string[] };
  Architecture?: string;
  Os?: string;
  Config?: {
    User?: string;
    Env?: string[] | null;
    ExposedPorts?: Record<string, unknown> | null;
    Labels?: Record<string, string> | null;
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    WorkingDir?: string;
    Healthcheck?: { Test?: string[] } | null;
  };
}

/** `docker image inspect`, parsed. Unknown image → InputError (exit 2). */
export async function inspectImage(engine: Engine, ref: string): Promise<ImageInfo> {
  const r = await run(engine.bin, ['image', 'inspect', ref], { env: engine.env, timeoutMs: 60_000 });
  if (r.code !== 0) {
    const msg = `${r.stderr}${r.stdout}`;
    if (/no such image|image not known|No such object/i.test(msg)) {
      throw new InputError(`image ${ref} is not in the local engine (build it, or pull it first)`);
    }
    throw engineFailure(`docker image inspect ${ref} failed`, r);
  }
  let parsed: RawInspect[];
  try {
    parsed = JSON.parse(r.stdout) as RawInspect[];
  } catch {
    throw new EngineError(
      `docker image inspect ${ref} returned output that is not JSON`,
      lastLines(r.stdout, 5),
    );
  }
  const raw = parsed[0];
  if (!raw) throw new InputError(`image ${ref} is not in the local engine`);
  const cfg = raw.Config ?? {};
  const env: Record<string, string> = {};
  for (const e of cfg.Env ?? []) {
    const i = e.indexOf('=');
    if (i > 0) env[e.slice(0, i)] = e.slice(i + 1);
  }
  const ports = Object.keys(cfg.ExposedPorts ?? {})
    .map((p) => Number.parseInt(p, 10))
    .filter((n) => Number.isInteger(n) && n > 0);
  return {
    id: raw.Id ?? ref,
    repoTags: raw.RepoTags ?? [],
    sizeBytes: raw.Size ?? 0,
    layers: raw.RootFS?.Layers?.length ?? 0,
    user: cfg.User ?? '',
    env,
    exposedPorts: ports,
    labels: cfg.Labels ?? {},
    entrypoint: cfg.Entrypoint ?? null,
    cmd: cfg.Cmd ?? null,
    workingDir: cfg.WorkingDir ?? '',
    healthcheck: cfg.Healthcheck?.Test ?? raw.Healthcheck?.Test ?? null,
    architecture: raw.Architecture ?? '',
    os: raw.Os ?? '',
  };
}

export function engineFailure(what: string, r: RunResult): Error {
  if (r.spawnError) return new EngineError(`${what}: ${r.spawnError.message}`);
  const text = `${r.stderr}\n${r.stdout}`;
  if (
    /Cannot connect to the Docker daemon|connection refused|error during connect|daemon is not running/i.test(
      text,
    )
  ) {
    return new EngineError(`${what}: the engine did not answer`, lastLines(text, 5));
  }
  return new Error(
    `${what}\n${lastLines(text, 10)
      .map((l) => `  | ${l}`)
      .join('\n')}`,
  );
}

export function containerName(role: string): string {
  return `pycontain-${role}-${randomBytes(4).toString('hex')}`;
}

/** Labels for a container we start (owner + role + the run it belongs to). */
export function containerLabels(role: string, runId: string): string[] {
  return [
    '--label',
    `${OWNER_LABEL}=${OWNER_VALUE}`,
    '--label',
    `io.pycontain.role=${role}`,
    '--label',
    `io.pycontain.run=${runId}`,
  ];
}

/**
 * `rm -f`: docker kills a running container at once; podman first sends the stop signal and waits
 * 10 s (an app that ignores SIGTERM as PID 1, like `python -m http.server`, takes all of them):
 * `-t 0` kills at once there too.
 */
function rmArgs(engine: Engine, name: string, volumes: boolean): string[] {
  return ['rm', '-f', ...(engine.kind === 'podman' ? ['-t', '0'] : []), ...(volumes ? ['-v'] : []), name];
}

/** Remove a container synchronously (used from the Ctrl-C handler, where nothing async runs). */
export function removeContainerSync(engine: Engine, name: string): void {
  spawnSync(engine.bin, rmArgs(engine, name, false), { env: engine.env, stdio: 'ignore', timeout: 30_000 });
}

export async function removeContainer(engine: Engine, name: string): Promise<void> {
  await run(engine.bin, rmArgs(engine, name, true), { env: engine.env, timeoutMs: 60_000 });
}

export interface ContainerState {
  status: string;
  running: boolean;
  exitCode: number;
  error: string;
  oomKilled: boolean;
}

export async function containerState(engine: Engine, name: string): Promise<ContainerState | null> {
  const r = await run(engine.bin, ['container', 'inspect', '--format', '{{json .State}}', name], {
    env: engine.env,
    timeoutMs: 30_000,
  });
  if (r.code !== 0) return null;
  try {
    const s = JSON.parse(r.stdout) as {
      Status?: string;
      Running?: boolean;
      ExitCode?: number;
      Error?: string;
      OOMKilled?: boolean;
    };
    return {
      status: s.Status ?? '',
      running: s.Running ?? false,
      exitCode: s.ExitCode ?? 0,
      error: s.Error ?? '',
      oomKilled: s.OOMKilled ?? false,
    };
  } catch {
    return null;
  }
}

export async function containerLogs(engine: Engine, name: string, tail = 30): Promise<string[]> {
  const r = await run(engine.bin, ['logs', '--tail', String(tail), name], {
    env: engine.env,
    timeoutMs: 30_000,
  });
  return lastLines(`${r.stdout}\n${r.stderr}`, tail);
}

import { EngineError } from './errors.js';
import { lastLines, run, which } from './exec.js';

/**
 * How images get built, in order of preference:
 *  - `buildx`: `docker buildx build` (BuildKit, rawjson progress, bake, remote builders);
 *  - `docker`: `docker build` with DOCKER_BUILDKIT=1 (a Docker CLI without the buildx plugin; plain progress);
 *  - `podman`: `podman build` (Buildah; plain progress, no bake).
 */
export type EngineKind = 'buildx' | 'docker' | 'podman';

export interface Engine {
  kind: EngineKind;
  /** Absolute path of the CLI (docker or podman). */
  bin: string;
  /** Version of the daemon (docker) or of podman itself. */
  serverVersion: string;
  buildxVersion?: string;
  /** Environment the CLI runs with (DOCKER_BUILDKIT=1 for `docker`). */
  env: NodeJS.ProcessEnv;
}

export function describeEngine(e: Engine): string {
  switch (e.kind) {
    case 'buildx':
      return `docker buildx build (buildx ${e.buildxVersion ?? '?'}, engine ${e.serverVersion})`;
    case 'docker':
      return `docker build with DOCKER_BUILDKIT=1 (engine ${e.serverVersion}; buildx plugin not found)`;
    case 'podman':
      return `podman build (podman ${e.serverVersion})`;
  }
}

export interface DetectOptions {
  env?: NodeJS.ProcessEnv;
  /** Use only this CLI ('docker' or 'podman'); default from PYCONTAIN_ENGINE, else docker, then podman. */
  prefer?: 'docker' | 'podman';
  timeoutMs?: number;
}

/** Find a working engine, or throw EngineError (exit 4) saying what is missing or not answering. */
export async function detectEngine(opts: DetectOptions = {}): Promise<Engine> {
  const env = opts.env ?? process.env;
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const prefer =
    opts.prefer ??
    (env.PYCONTAIN_ENGINE === 'podman' ? 'podman' : env.PYCONTAIN_ENGINE === 'docker' ? 'docker' : undefined);
  const problems: string[] = [];
  let lines: string[] = [];

  const tryDocker = async (): Promise<Engine | null> => {
    const bin = await which('docker', env);
    if (!bin) {
      problems.push('docker: not found on PATH');
      return null;
    }
    const v = await run(bin, ['version', '--format', '{{.Server.Version}}'], { env, timeoutMs });
    const server = v.stdout.trim();
    if (v.code !== 0 || !server) {
      const where = env.DOCKER_HOST ? ` at DOCKER_HOST=${env.DOCKER_HOST}` : '';
      problems.push(
        v.timedOut
          ? `docker: the daemon${where} did not answer within ${Math.round(timeoutMs / 1000)}s`
          : `docker: the daemon${where} did not answer`,
      );
      lines = lastLines(`${v.stderr}\n${v.stdout}`, 5);
      return null;
    }
    const bx = await run(bin, ['buildx', 'version'], { env, timeoutMs });
    if (bx.code === 0) {
      const m = /\bv?(\d+\.\d+\.\d+[^\s]*)/.exec(bx.stdout);
      return { kind: 'buildx', bin, serverVersion: server, buildxVersion: m?.[1] ?? bx.stdout.trim(), env };
    }
    return { kind: 'docker', bin, serverVersion: server, env: { ...env, DOCKER_BUILDKIT: '1' } };
  };

  const tryPodman = async (): Promise<Engine | null> => {
    const bin = await which('podman', env);
    if (!bin) {
      problems.push('podman: not found on PATH');
      return null;
    }
    const v = await run(bin, ['version', '--format', '{{.Client.Version}}'], { env, timeoutMs });
    if (v.code !== 0 || !v.stdout.trim()) {
      problems.push('podman: `podman version` failed');
      lines = lastLines(`${v.stderr}\n${v.stdout}`, 5);
      return null;
    }
    return { kind: 'podman', bin, serverVersion: v.stdout.trim(), env };
  };

  // A named engine is the only one tried: falling back to the other would build somewhere the user
  // did not ask for (with other images, another cache, another store).
  const order =
    prefer === 'podman' ? [tryPodman] : prefer === 'docker' ? [tryDocker] : [tryDocker, tryPodman];
  for (const attempt of order) {
    const e = await attempt();
    if (e) return e;
  }
  if (prefer) {
    const named = env.PYCONTAIN_ENGINE === prefer ? `PYCONTAIN_ENGINE=${prefer}` : prefer;
    throw new EngineError(
      `the engine named (${named}) is not usable (${problems.join('; ')}); the other engine is not tried when one is named.`,
      lines,
    );
  }
  throw new EngineError(
    `no container engine is usable (${problems.join('; ')}). Install Docker (with the buildx plugin) or podman, and check that \`docker version\` shows a server.`,
    lines,
  );
}

/** True when the engine still answers (used to tell a failed build from an engine that went away). */
export async function engineAnswers(e: Engine, timeoutMs = 10_000): Promise<boolean> {
  const args = e.kind === 'podman' ? ['version'] : ['version', '--format', '{{.Server.Version}}'];
  const r = await run(e.bin, args, { env: e.env, timeoutMs });
  return r.code === 0 && r.stdout.trim() !== '';
}

import { existsSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage } from './build.js';
import { detectEngine } from './driver.js';
import { BuildFailedError, EngineError } from './errors.js';
import { which } from './exec.js';

// Fake engine CLIs (shell scripts on a private PATH) stand in for states a real engine is hard to put
// in on purpose: no CLI at all, no buildx plugin, a daemon that vanishes in the middle of a build.
let dir: string;

async function fakeBin(name: string, script: string): Promise<string> {
  const bin = path.join(dir, name);
  await fsp.mkdir(bin, { recursive: true });
  await fsp.writeFile(path.join(bin, 'docker'), `#!/bin/sh\n${script}\n`, { mode: 0o755 });
  return bin;
}

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'pycontain-driver-test-'));
});
afterAll(async () => {
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('detectEngine', () => {
  it('fails with exit code 3 when neither docker nor podman is on PATH', async () => {
    const empty = path.join(dir, 'empty');
    await fsp.mkdir(empty, { recursive: true });
    const err = await detectEngine({ env: { PATH: empty } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).exitCode).toBe(4);
    expect((err as Error).message).toMatch(/docker: not found on PATH; podman: not found on PATH/);
  });

  it('says the daemon does not answer when DOCKER_HOST points at a dead socket', async () => {
    const docker = await which('docker');
    expect(docker, 'the docker CLI is installed on test machines').not.toBeNull();
    const only = path.join(dir, 'only-docker');
    await fsp.mkdir(only, { recursive: true });
    await fsp.symlink(docker as string, path.join(only, 'docker')).catch(() => undefined);
    const err = await detectEngine({
      env: { PATH: only, HOME: dir, DOCKER_HOST: `unix://${path.join(dir, 'dead.sock')}` },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as Error).message).toContain(
      `the daemon at DOCKER_HOST=unix://${path.join(dir, 'dead.sock')} did not answer`,
    );
    expect((err as Error).message).toMatch(/Cannot connect to the Docker daemon/);
  });

  it('falls back to podman when docker does not answer, unless an engine is named', async () => {
    const bin = await fakeBin('deaddocker', 'echo "Cannot connect to the Docker daemon" >&2; exit 1');
    await fsp.writeFile(path.join(bin, 'podman'), '#!/bin/sh\necho 4.3.1\n', { mode: 0o755 });
    const e = await detectEngine({ env: { PATH: bin } });
    expect(e.kind).toBe('podman');
    // Named: only that engine, so a dead docker is an error rather than a build somewhere else.
    const err = await detectEngine({ env: { PATH: bin, PYCONTAIN_ENGINE: 'docker' } }).catch(
      (x: unknown) => x,
    );
    expect(err).toBeInstanceOf(EngineError);
    expect((err as Error).message).toMatch(/docker: the daemon did not answer\)/);
    expect((err as Error).message).toMatch(/^the engine named \(PYCONTAIN_ENGINE=docker\) is not usable/);
    expect((await detectEngine({ env: { PATH: bin }, prefer: 'podman' })).kind).toBe('podman');
  });

  it('falls back to docker build with DOCKER_BUILDKIT=1 when the buildx plugin is missing', async () => {
    const bin = await fakeBin(
      'nobuildx',
      `case "$1" in version) echo 26.1.5;; buildx) echo "docker: 'buildx' is not a docker command." >&2; exit 1;; esac`,
    );
    const e = await detectEngine({ env: { PATH: bin } });
    expect(e.kind).toBe('docker');
    expect(e.env.DOCKER_BUILDKIT).toBe('1');
    expect(e.serverVersion).toBe('26.1.5');
  });

  it('uses buildx when present', async () => {
    const bin = await fakeBin(
      'withbuildx',
      `case "$1" in version) echo 26.1.5;; buildx) echo "github.com/docker/buildx 0.13.1+ds1 0.13.1+ds1-3";; esac`,
    );
    const e = await detectEngine({ env: { PATH: bin } });
    expect(e.kind).toBe('buildx');
    expect(e.buildxVersion).toBe('0.13.1+ds1');
  });
});

describe('buildImage against a failing engine', () => {
  it('reports an engine that disappears mid-build as an engine error with its last lines, and removes its temp files', async () => {
    const gone = path.join(dir, 'gone');
    const seen = path.join(dir, 'seen-dockerfile');
    const bin = await fakeBin(
      'vanishing',
      `
case "$1" in
  version) if [ -e "${gone}" ]; then echo "Cannot connect to the Docker daemon at unix:///var/run/docker.sock." >&2; exit 1; fi; echo 26.1.5;;
  buildx)
    if [ "$2" = version ]; then echo "github.com/docker/buildx 0.13.1"; exit 0; fi
    while [ $# -gt 0 ]; do if [ "$1" = -f ]; then echo "$2" > "${seen}"; fi; shift; done
    printf '{\\n  "vertexes": [\\n    {"digest": "sha256:1", "name": "[2/5] RUN pip install -r requirements.txt", "started": "2026-01-01T00:00:00Z"}\\n  ]\\n}\\n' >&2
    : > "${gone}"
    echo "ERROR: failed to receive status: rpc error: code = Unavailable desc = error reading from server: EOF" >&2
    exit 1;;
esac`,
    );
    const engine = await detectEngine({ env: { PATH: bin } });
    const err = await buildImage({ engine, context: dir, dockerfileText: 'FROM scratch\n' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EngineError);
    const msg = (err as Error).message;
    expect(msg).toContain(
      'the engine stopped answering during the build (at [2/5] RUN pip install -r requirements.txt)',
    );
    expect(msg).toContain('error reading from server: EOF');
    const dockerfile = (await fsp.readFile(seen, 'utf8')).trim();
    expect(dockerfile.startsWith(os.tmpdir())).toBe(true);
    expect(existsSync(path.dirname(dockerfile))).toBe(false);
  });

  it('names the failing step and quotes its log when the build itself fails', async () => {
    const bin = await fakeBin(
      'failing',
      `
case "$1" in
  version) echo 26.1.5;;
  buildx)
    if [ "$2" = version ]; then echo "github.com/docker/buildx 0.13.1"; exit 0; fi
    printf '%s\\n' '{"vertexes":[{"digest":"d","name":"[3/4] RUN python -m pip install .","started":"2026-01-01T00:00:00Z"}]}' >&2
    printf '%s\\n' '{"logs":[{"vertex":"d","stream":2,"data":"ZXJyb3I6IHN1YnByb2Nlc3MtZXhpdGVkLXdpdGgtZXJyb3IK"}]}' >&2
    printf '%s\\n' '{"vertexes":[{"digest":"d","name":"[3/4] RUN python -m pip install .","started":"2026-01-01T00:00:00Z","completed":"2026-01-01T00:00:01Z","error":"exit code: 1"}]}' >&2
    echo 'ERROR: failed to solve: process "/bin/sh -c python -m pip install ." did not complete successfully: exit code: 1' >&2
    exit 1;;
esac`,
    );
    const engine = await detectEngine({ env: { PATH: bin } });
    const err = await buildImage({ engine, context: dir, dockerfileText: 'FROM scratch\n' }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(BuildFailedError);
    expect((err as BuildFailedError).exitCode).toBe(1);
    expect((err as BuildFailedError).step).toBe('[3/4] RUN python -m pip install .');
    expect((err as Error).message).toContain('error: subprocess-exited-with-error');
    expect((err as Error).message).toContain('did not complete successfully: exit code: 1');
  });
});

describe('podman', () => {
  it('is used when docker is absent; its STEP output on stdout becomes steps, the iidfile the image id', async () => {
    const bin = path.join(dir, 'podman-only');
    await fsp.mkdir(bin, { recursive: true });
    await fsp.writeFile(
      path.join(bin, 'podman'),
      `#!/bin/sh
case "$1" in
  version) echo 4.3.1;;
  build)
    printf '%s\n' "$@" > "${'$'}{0%/*}/args"
    for a in "$@"; do case "$a" in *.dockerignore) while IFS= read -r l; do echo "$l"; done < "$a" > "${'$'}{0%/*}/ignore";; esac; done
    while [ $# -gt 0 ]; do if [ "$1" = --iidfile ]; then printf sha256:0123abcd > "$2"; fi; shift; done
    echo "[1/2] STEP 1/2: FROM python:3.11-slim AS builder"
    echo "[1/2] STEP 2/2: RUN pip install flask"
    echo "--> Using cache 4f3c2a"
    echo "[2/2] STEP 1/2: FROM python:3.11-slim"
    echo "[2/2] STEP 2/2: COPY --from=builder /opt/venv /opt/venv"
    echo "COMMIT app"
    echo "--> 9d8e7f"
    echo "Successfully tagged localhost/app:latest"
    ;;
esac
`,
      { mode: 0o755 },
    );
    const engine = await detectEngine({ env: { PATH: bin } });
    expect(engine.kind).toBe('podman');
    const r = await buildImage({
      engine,
      context: dir,
      dockerfileText: 'FROM scratch\n',
      dockerignoreText: 'tests\n',
      tags: ['app'],
    });
    // Docker's image format (podman's OCI default drops HEALTHCHECK), and the generated ignore file
    // named explicitly (podman 4 does not look for <Dockerfile>.dockerignore)
    const args = (await fsp.readFile(path.join(bin, 'args'), 'utf8')).split('\n');
    expect(args.slice(0, 3)).toEqual(['build', '-f', args[2]]);
    expect(args).toContain('--format');
    expect(args[args.indexOf('--format') + 1]).toBe('docker');
    expect(args[args.indexOf('--ignorefile') + 1]).toBe(`${args[2]}.dockerignore`);
    expect(await fsp.readFile(path.join(bin, 'ignore'), 'utf8')).toBe('tests\n');
    expect(r.imageId).toBe('sha256:0123abcd');
    expect(r.loaded).toBe(true);
    expect(r.state.steps().map((s) => [s.name, s.cached])).toEqual([
      ['[builder 1/2] FROM python:3.11-slim AS builder', false],
      ['[builder 2/2] RUN pip install flask', true],
      ['[stage-1 1/2] FROM python:3.11-slim', false],
      ['[stage-1 2/2] COPY --from=builder /opt/venv /opt/venv', false],
    ]);
  });
});

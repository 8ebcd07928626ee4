/**
 * `pycontain build` and `pycontain verify` against the real engine with hand-written Dockerfiles:
 * failing builds, engines that are missing or dead, missing native libraries, apps that exit at
 * once, ports in use, Ctrl-C, monorepo bake, cache hits. Every container the CLI starts carries
 * io.pycontain.run=<this file's run id>; the suite ends by checking none is left.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, docker, loadTestenv, runCli, standInFlags, type Testenv } from './support/index.js';

const RUN_ID = `build-e2e-${randomBytes(4).toString('hex')}`;
const PREFIX = 'pycontain-dev/engine-e2e';

let env: Testenv;
let work: string;
/** TMPDIR of every CLI process: must be empty after each run (no temp files left behind). */
let tmpdir: string;

function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}, onChild?: (c: ChildProcess) => void) {
  return runCli(args, { TMPDIR: tmpdir, PYCONTAIN_RUN_ID: RUN_ID, ...extraEnv }, onChild);
}

async function project(name: string, files: Record<string, string>): Promise<string> {
  const dir = path.join(work, name);
  for (const [f, text] of Object.entries(files)) {
    await fsp.mkdir(path.dirname(path.join(dir, f)), { recursive: true });
    await fsp.writeFile(path.join(dir, f), text);
  }
  return dir;
}

async function leftovers(): Promise<string[]> {
  const r = await docker([
    'ps',
    '-a',
    '--filter',
    `label=io.pycontain.run=${RUN_ID}`,
    '--format',
    '{{.Names}}',
  ]);
  return r.stdout.split('\n').filter(Boolean);
}

async function expectNoTempFiles(): Promise<void> {
  expect(await fsp.readdir(tmpdir)).toEqual([]);
}

/** Poll (no fixed sleeps) until `fn` is true or the deadline passes. */
async function until(fn: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('condition not met in time');
}

// A stdlib HTTP app; psycopg2 (from the test index) needs libpq5 at run time.
const APP_PY = `import http.server, json, os, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps({"ok": True, "path": self.path}).encode()
        self.send_response(200 if self.path in ("/", "/health") else 404)
        self.send_header("content-type", "application/json")
        self.end_headers()
        self.wfile.write(body)
if __name__ == "__main__":
    http.server.ThreadingHTTPServer(("0.0.0.0", int(os.environ.get("PORT", "8000"))), H).serve_forever()
`;

function nativeDockerfile(e: Testenv): string {
  return `FROM ${e.pythonSlim} AS builder
ARG PIP_INDEX_URL
RUN python3 -m venv /opt/tools && python3 -m venv --without-pip /opt/venv \\
    && /opt/tools/bin/pip --python /opt/venv/bin/python install --index-url "$PIP_INDEX_URL" psycopg2==2.9.5

FROM ${e.pythonSlim} AS runtime-without-libpq
COPY --from=builder /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
COPY app.py .
USER 10001:10001
EXPOSE 8000
CMD ["python", "app.py"]

FROM runtime-without-libpq AS runtime
USER 0
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*
USER 10001:10001
`;
}

beforeAll(async () => {
  env = await loadTestenv();
  work = await fsp.mkdtemp(path.join(os.tmpdir(), 'pycontain-build-e2e-'));
  tmpdir = path.join(work, 'tmp');
  await fsp.mkdir(tmpdir);
  await fsp.access(CLI);
});

afterAll(async () => {
  const names = await leftovers();
  if (names.length) await docker(['rm', '-f', ...names]);
  await docker([
    'image',
    'rm',
    '-f',
    ...['fail', 'native-bad', 'native-good', 'exits', 'slow', 'cache', 'mono-api', 'mono-worker'].map(
      (t) => `${PREFIX}:${t}`,
    ),
  ]);
  await fsp.rm(work, { recursive: true, force: true });
});

describe('pycontain build: engines', () => {
  it('exits 4 with a clear message when no engine is installed', async () => {
    const empty = path.join(work, 'empty-bin');
    await fsp.mkdir(empty, { recursive: true });
    const dir = await project('noengine', { Dockerfile: 'FROM scratch\n' });
    const r = await cli(['build', dir], { PATH: empty });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(
      'no container engine is usable (docker: not found on PATH; podman: not found on PATH)',
    );
  });

  it('exits 4 naming DOCKER_HOST when the daemon does not answer', async () => {
    const dir = await project('deadengine', { Dockerfile: 'FROM scratch\n' });
    const sock = path.join(work, 'dead.sock');
    const r = await cli(['build', dir], { DOCKER_HOST: `unix://${sock}`, PYCONTAIN_ENGINE: 'docker' });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain(`the daemon at DOCKER_HOST=unix://${sock} did not answer`);
    expect(r.stderr).toMatch(/Cannot connect to the Docker daemon/);
    await expectNoTempFiles();
  });
});

describe('pycontain build: bad Dockerfiles', () => {
  it('names the failing step and quotes its output, exit 1, no temp files', async () => {
    const dir = await project('fails', {
      Dockerfile: `FROM ${env.debianSlim}\nRUN echo "compiling the thing" && echo "fatal: it broke" >&2 && exit 7\n`,
    });
    const r = await cli(['build', dir, '--tag', `${PREFIX}:fail`, '--no-verify']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('build failed at step [2/2] RUN echo "compiling the thing"');
    expect(r.stderr).toContain('fatal: it broke');
    expect(r.stderr).toContain('exit code: 7');
    expect(r.stderr).toContain('engine: docker buildx build');
    await expectNoTempFiles();
  });

  it('reports a Dockerfile syntax error with the engine’s own message', async () => {
    const dir = await project('syntax', {
      Dockerfile: `FROM ${env.debianSlim}\nFROBNICATE all the things\n`,
    });
    const r = await cli(['build', dir, '--tag', `${PREFIX}:fail`, '--no-verify']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/unknown instruction: FROBNICATE/i);
    await expectNoTempFiles();
  });
});

describe('pycontain build + verify: native libraries', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await project('native', {
      'app.py': APP_PY,
      'requirements.txt': 'psycopg2==2.9.5\n',
      Dockerfile: nativeDockerfile(env),
    });
    const args = ['--network', 'host', '--build-arg', `PIP_INDEX_URL=${env.indexUrl}`, '--no-verify'];
    const [bad, good] = await Promise.all([
      cli(['build', dir, '--target', 'runtime-without-libpq', '--tag', `${PREFIX}:native-bad`, ...args]),
      cli(['build', dir, '--target', 'runtime', '--tag', `${PREFIX}:native-good`, ...args]),
    ]);
    expect(bad.stderr).toContain('built');
    expect(bad.code, bad.stderr).toBe(0);
    expect(good.code, good.stderr).toBe(0);
  });

  it('fails verification of a runtime without libpq5, naming the library and the Debian package', async () => {
    const r = await cli(['verify', `${PREFIX}:native-bad`, '--import', 'psycopg2', '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.ok).toBe(false);
    expect(report.missingLibraries).toEqual([
      expect.objectContaining({ soname: 'libpq.so.5', debianPackage: 'libpq5' }),
    ]);
    const native = report.checks.find((c: { id: string }) => c.id === 'native-libraries');
    expect(native.ok).toBe(false);
    expect(native.summary).toContain('libpq.so.5 (Debian package libpq5)');
    const imports = report.checks.find((c: { id: string }) => c.id === 'imports');
    expect(imports.details.join('\n')).toContain('libpq.so.5: cannot open shared object file');
    // the HTTP app itself does not import psycopg2, so it still answers
    expect(report.http.ok).toBe(true);
    expect(await leftovers()).toEqual([]);
  });

  it('verifies the runtime with libpq5: every check passes, size, layers and distributions reported', async () => {
    const r = await cli([
      'verify',
      `${PREFIX}:native-good`,
      '--import',
      'psycopg2',
      '--import',
      'app',
      '--health',
      '/health',
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/✔ non-root +runs as UID 10001, GID 10001/);
    expect(r.stdout).toMatch(/✔ imports +imports psycopg2, app/);
    expect(r.stdout).toMatch(/✔ native-libraries +\d+ extension modules, every shared library found/);
    expect(r.stdout).toMatch(/✔ no-compilers/);
    expect(r.stdout).toMatch(/✔ no-build-tools +no pip\/setuptools\/poetry in the runtime venv/);
    expect(r.stdout).toMatch(/✔ http +GET \/health answered 200/);
    expect(r.stdout).toMatch(/layers +\d+/);
    expect(r.stdout).toContain('psycopg2==2.9.5');
    expect(r.stdout).toContain('verified:');
    expect(await leftovers()).toEqual([]);
  });

  it('flags compilers, -dev headers and pip in the full image', async () => {
    const r = await cli(['verify', env.pythonFull, '--no-http', '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    const byId = Object.fromEntries(report.checks.map((c: { id: string }) => [c.id, c]));
    expect(byId['non-root'].ok).toBe(false);
    expect(byId['no-compilers'].ok).toBe(false);
    expect(byId['no-compilers'].summary).toMatch(/gcc/);
    expect(byId['no-dev-headers'].ok).toBe(false);
    expect(byId['no-dev-headers'].summary).toMatch(/python3|-dev/);
  });

  it('refuses a host port that is already in use (exit 2) and leaves nothing behind', async () => {
    const srv = net.createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as net.AddressInfo).port;
    try {
      const r = await cli(['verify', `${PREFIX}:native-good`, '--host-port', String(port)]);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`host port ${port} is already in use`);
    } finally {
      srv.close();
    }
    expect(await leftovers()).toEqual([]);
  });
});

describe('pycontain verify: apps that do not come up', () => {
  it('reports an image that exits at once with its exit code and last log lines', async () => {
    const dir = await project('exits', {
      Dockerfile: `FROM ${env.pythonSlim}\nUSER 10001:10001\nEXPOSE 8000\nCMD ["python3", "-c", "import sys; print('boom: DATABASE_URL is not set', flush=True); sys.exit(3)"]\n`,
    });
    const b = await cli(['build', dir, '--tag', `${PREFIX}:exits`, '--no-verify']);
    expect(b.code, b.stderr).toBe(0);
    const r = await cli(['verify', `${PREFIX}:exits`]);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(
      'the container stopped (status exited, exit code 3) before answering on port 8000',
    );
    expect(r.stdout).toContain('boom: DATABASE_URL is not set');
    expect(await leftovers()).toEqual([]);
  });

  it('removes the container on Ctrl-C while waiting for the app', async () => {
    const dir = await project('slow', {
      Dockerfile: `FROM ${env.pythonSlim}\nUSER 10001:10001\nEXPOSE 8000\nCMD ["python3", "-c", "import time; time.sleep(600)"]\n`,
    });
    const b = await cli(['build', dir, '--tag', `${PREFIX}:slow`, '--no-verify']);
    expect(b.code, b.stderr).toBe(0);
    let child: ChildProcess | undefined;
    const running = cli(['verify', `${PREFIX}:slow`, '--timeout', '300'], {}, (c) => {
      child = c;
    });
    await until(async () => {
      const r = await docker([
        'ps',
        '--filter',
        `label=io.pycontain.run=${RUN_ID}`,
        '--filter',
        'label=io.pycontain.role=verify-http',
        '--format',
        '{{.Names}}',
      ]);
      return r.stdout.trim() !== '';
    }, 120_000);
    child?.kill('SIGINT');
    const r = await running;
    expect(r.code).toBe(130);
    expect(r.stderr).toContain('interrupted (SIGINT): cleaned up');
    expect(await leftovers()).toEqual([]);
  });
});

describe('pycontain build: cache and monorepo', () => {
  it('reports every step CACHED on an unchanged rebuild (from BuildKit output, not timing)', async () => {
    const dir = await project('cache', {
      'app.py': APP_PY,
      Dockerfile: `FROM ${env.pythonSlim}\nWORKDIR /app\nCOPY app.py .\nRUN python3 -m compileall -q .\nUSER 10001:10001\nCMD ["python3", "app.py"]\n`,
    });
    const first = await cli(['build', dir, '--tag', `${PREFIX}:cache`, '--no-verify', '--json']);
    expect(first.code, first.stderr).toBe(0);
    const second = await cli(['build', dir, '--tag', `${PREFIX}:cache`, '--no-verify', '--json']);
    const j = JSON.parse(second.stdout);
    expect(j.steps.length).toBeGreaterThanOrEqual(4);
    // A FROM of a local base image is re-resolved, not rebuilt: BuildKit reports it CACHED or done
    // depending on its metadata lookup. Every step that does work must be CACHED.
    const work = (j.steps as { name: string; cached: boolean }[]).filter((s) => !/\] FROM /.test(s.name));
    expect(work.length).toBeGreaterThanOrEqual(3);
    expect(work.filter((s) => !s.cached)).toEqual([]);
    expect(second.stderr).toMatch(/=> CACHED \[\d\/4\] RUN python3 -m compileall/);
  });

  it('builds several apps through a generated docker-bake.hcl', async () => {
    const app = (name: string) => ({
      [`services/${name}/requirements.txt`]: '',
      [`services/${name}/app.py`]: APP_PY,
      [`services/${name}/Dockerfile`]: `FROM ${env.pythonSlim}\nWORKDIR /app\nCOPY app.py .\nUSER 10001:10001\nEXPOSE 8000\nCMD ["python3", "app.py"]\n`,
    });
    const root = await project('mono', { ...app('api'), ...app('worker'), 'README.md': 'two services\n' });
    const r = await cli([
      'build',
      root,
      '--tag-prefix',
      `${PREFIX.replace(/engine-e2e$/, '')}`,
      '--print-bake',
      '--no-verify',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('group "default" {\n  targets = ["services-api", "services-worker"]\n}');
    expect(r.stdout).toContain(`context    = ${JSON.stringify(path.join(root, 'services/api'))}`);
    expect(r.stderr).toContain('building 2 apps with docker buildx bake');
    for (const t of ['services-api', 'services-worker']) {
      const i = await docker(['image', 'inspect', `pycontain-dev/${t}:latest`, '--format', '{{.Id}}']);
      expect(i.code).toBe(0);
      await docker(['image', 'rm', '-f', `pycontain-dev/${t}:latest`]);
    }
    await expectNoTempFiles();
  });
  it('builds a monorepo without Dockerfiles from generated ones through bake, then verifies each app', async () => {
    const app = (name: string) => ({
      [`svc/${name}/main.py`]: APP_PY,
      [`svc/${name}/requirements.txt`]: '\n',
      [`svc/${name}/.python-version`]: '3.11\n',
    });
    const root = await project('mono-generated', { ...app('api'), ...app('worker') });
    const r = await cli([
      'build',
      root,
      ...standInFlags(env),
      '--network',
      'host',
      '--port',
      '8000',
      '--tag-prefix',
      `${PREFIX}-`,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('monorepo: 2 apps: svc/api, svc/worker');
    const j = JSON.parse(r.stdout);
    expect(j.apps.map((a: { app: string }) => a.app)).toEqual(['svc-api', 'svc-worker']);
    for (const a of j.apps) {
      expect(a.verify.ok, JSON.stringify(a.verify.checks)).toBe(true);
      expect(a.verify.http.ok).toBe(true);
      await docker(['image', 'rm', '-f', a.tags[0]]);
    }
    await expectNoTempFiles();
    expect(await leftovers()).toEqual([]);
  });
});

describe('cleanup', () => {
  it('left no container of this run behind', async () => {
    expect(await leftovers()).toEqual([]);
    await expectNoTempFiles();
  });
});

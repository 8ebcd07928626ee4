/**
 * `pycontain init` end to end: the generated Dockerfiles of real example projects (pip Flask with
 * psycopg2, poetry FastAPI, pdm Django, pdm Django on distroless) are built in the testenv
 * (base pycontain.test/python:3.11-slim, the local index, --network host), started on a free port,
 * polled until they answer HTTP, and always removed. Also: the image's own HEALTHCHECK command
 * passes, the runtime is non-root, carries no package manager, and a code-only change rebuilds
 * with the dependency layer cached; and .dockerignore matching agrees with BuildKit's.
 */
import { randomUUID } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileDockerignore } from '../../src/dockerfile/dockerignore.js';
import { initProject } from '../../src/dockerfile/init.js';
import type { Overrides, Plan } from '../../src/plan.js';
import { detectProject } from '../../src/project/detect.js';
import {
  copyExample,
  docker,
  dockerBuild,
  inspectImage,
  instructionSteps,
  loadTestenv,
  pollHttp,
  removeCopy,
  removeImage,
  type Testenv,
  withContainer,
} from './support/index.js';

const PREFIX = 'pycontain-dev/init-e2e';
let env: Testenv;
const images: string[] = [];

beforeAll(async () => {
  env = await loadTestenv();
});

afterAll(async () => {
  for (const tag of images) await removeImage(tag).catch(() => {});
});

interface Built {
  dir: string;
  plan: Plan;
  tag: string;
  dockerfile: string;
}

async function initAndBuild(
  example: string,
  extra: Overrides = {},
  suffix = '',
  prepare?: (dir: string) => Promise<void>,
): Promise<Built> {
  const dir = await copyExample(example);
  if (prepare) await prepare(dir);
  const overrides: Overrides = {
    baseImage: env.pythonSlim,
    debian: env.debian,
    indexUrl: env.indexUrl,
    ...extra,
  };
  const r = await initProject(dir, { overrides });
  expect(r.written).toEqual(['Dockerfile', '.dockerignore']);
  const plan = await detectProject(dir, overrides);
  const tag = `${PREFIX}-${example}${suffix}:test`;
  images.push(tag);
  await dockerBuild({ context: dir, tag, network: 'host' });
  return { dir, plan, tag, dockerfile: await fsp.readFile(path.join(dir, 'Dockerfile'), 'utf8') };
}

/** Runs the image, polls its health path, runs the image's own HEALTHCHECK command, checks the venv. */
async function startAndCheck(
  b: Built,
  extraCheck?: (exec: (argv: string[]) => Promise<string>) => Promise<void>,
) {
  const info = await inspectImage(b.tag);
  expect(info.user).toMatch(/^[1-9]\d*:[1-9]\d*$/);
  expect(info.healthcheck?.[0]).toBe('CMD');
  await withContainer(b.tag, { port: b.plan.port ?? 8000 }, async (c) => {
    const answer = await pollHttp(`${c.url}${b.plan.healthcheckPath ?? '/'}`, {
      timeoutMs: 120_000,
      container: c,
    });
    expect(answer.status).toBe(200);
    // The HEALTHCHECK the Dockerfile declares, run now instead of waiting for its interval.
    const hc = await c.exec((info.healthcheck as string[]).slice(1));
    expect(hc.code, hc.stderr).toBe(0);
    const exec = async (argv: string[]) => {
      const r = await c.exec(argv);
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(0);
      return r.stdout;
    };
    const uid = await exec(['/opt/venv/bin/python', '-c', 'import os; print(os.getuid(), os.getgid())']);
    expect(uid.trim()).not.toBe('0 0');
    // No package manager in the runtime venv (setuptools only when the lock pins it: gunicorn 20 needs pkg_resources).
    const tools = await exec([
      '/opt/venv/bin/python',
      '-c',
      'import importlib.util as u; print(",".join(m for m in ("pip", "poetry", "pdm", "pytest") if u.find_spec(m)))',
    ]);
    expect(tools.trim()).toBe('');
    if (extraCheck) await extraCheck(exec);
  });
}

describe.sequential('init: generated Dockerfiles build and answer HTTP', () => {
  it('pip: Flask + psycopg2 (libpq5 at run time, compilers only in the builder)', async () => {
    const b = await initAndBuild('flask-psycopg2-pip');
    expect(b.plan.packageManager).toBe('pip');
    expect(b.dockerfile).toMatch(/FROM pycontain\.test\/python:3\.11-slim AS runtime\n[\s\S]*libpq5/);
    await startAndCheck(b, async (exec) => {
      expect(
        await exec(['/opt/venv/bin/python', '-c', 'import psycopg2; print(psycopg2.__libpq_version__)']),
      ).toMatch(/^\d+/);
      // gcc was installed in the builder for psycopg2 (an sdist on PyPI); it must not be in the runtime.
      const gcc = await exec([
        '/opt/venv/bin/python',
        '-c',
        'import shutil; print(shutil.which("gcc") or "")',
      ]);
      expect(gcc.trim()).toBe('');
    });

    // A code-only change: every layer up to the dependency install comes from the cache.
    // Unique text: the same change in an earlier run would be a (correct) cache hit for the code too.
    await fsp.appendFile(path.join(b.dir, 'app', 'main.py'), `\n# a code change ${randomUUID()}\n`);
    const again = await dockerBuild({ context: b.dir, tag: b.tag, network: 'host' });
    const steps = instructionSteps(again.steps);
    const depStep = steps.find(
      (s) => s.stage === 'builder' && /install --no-compile/.test(s.instruction ?? ''),
    );
    const codeCopy = steps.find((s) => s.stage === 'builder' && /^COPY \. \/app\//.test(s.instruction ?? ''));
    expect(depStep?.cached).toBe(true);
    expect(codeCopy?.cached).toBe(false);
    // FROM is re-resolved, not rebuilt (BuildKit reports it CACHED or done): every other step must be cached.
    for (const s of steps.filter(
      (s) => s.stage === 'builder' && s.id < (codeCopy?.id ?? 0) && !/^FROM /.test(s.instruction ?? ''),
    ))
      expect(s.cached, s.name).toBe(true);
    await removeCopy(b.dir);
  });

  it('poetry: FastAPI with readme = "README.md" and a .gitignore excluding *.md (the seed\'s failing case), dev group left out, project installed non-editable', async () => {
    const b = await initAndBuild('fastapi-poetry', {}, '', (dir) =>
      fsp.appendFile(path.join(dir, '.gitignore'), '\n*.md\n'),
    );
    expect(b.dockerfile).toContain('ARG POETRY_VERSION=1.3.2');
    const ignore = await fsp.readFile(path.join(b.dir, '.dockerignore'), 'utf8');
    expect(ignore).toContain('**/*.md');
    expect(ignore).toMatch(/^!README\.md$/m);
    await startAndCheck(b, async (exec) => {
      const out = await exec([
        '/opt/venv/bin/python',
        '-c',
        'import importlib.util as u, importlib.metadata as m, inventory; print(bool(u.find_spec("httpx")), m.version("inventory"), inventory.__file__)',
      ]);
      const [httpx, version] = out.trim().split(' ');
      expect(httpx).toBe('False');
      expect(version).toBe('0.3.0');
      // non-editable: the installed distribution has real files, no .pth back into a source tree
      const pth = await exec([
        '/opt/venv/bin/python',
        '-c',
        'import glob; print(glob.glob("/opt/venv/lib/python3.11/site-packages/*.pth"))',
      ]);
      expect(pth).not.toMatch(/inventory/);
    });
    await removeCopy(b.dir);
  });

  it('pdm: Django with collectstatic at build time, served by gunicorn', async () => {
    const b = await initAndBuild('django-pdm');
    expect(b.dockerfile).toContain('collectstatic --noinput');
    await startAndCheck(b, async (exec) => {
      const files = await exec([
        '/opt/venv/bin/python',
        '-c',
        'import os; print(len(os.listdir("/app/staticfiles")))',
      ]);
      expect(Number(files.trim())).toBeGreaterThan(0);
      expect(
        await exec([
          '/opt/venv/bin/python',
          '-c',
          'import importlib.util as u; print(bool(u.find_spec("pytest")))',
        ]),
      ).toContain('False');
    });
    await removeCopy(b.dir);
  });

  it('pdm on distroless: no shell in the runtime, Debian python at the same path, it runs', async () => {
    const b = await initAndBuild(
      'django-pdm',
      { distroless: true, distrolessImage: env.distroless },
      '-distroless',
    );
    expect(b.plan.image.distroless).toBe(true);
    const runtimeStage = b.dockerfile.slice(b.dockerfile.indexOf(' AS runtime'));
    expect(runtimeStage).not.toMatch(/^RUN /m);
    expect(runtimeStage).toContain('USER 65532:65532');
    await startAndCheck(b, async (exec) => {
      await expect(exec(['/bin/sh', '-c', 'true'])).rejects.toThrow();
    });
    await removeCopy(b.dir);
  });
});

describe('.dockerignore matching agrees with BuildKit', () => {
  it('the files BuildKit sends are exactly those compileDockerignore keeps', async () => {
    const ctx = await fsp.mkdtemp(path.join(os.tmpdir(), 'pycontain-ignore-'));
    const out = await fsp.mkdtemp(path.join(os.tmpdir(), 'pycontain-ignore-out-'));
    try {
      const files = [
        'README.md',
        'CHANGES.md',
        'docs/index.md',
        'docs/README.md',
        'app/main.py',
        'app/__pycache__/main.cpython-311.pyc',
        'app/x.pyc',
        'top.pyc',
        'lib/util.py',
        'build/lib/x.py',
        'src/build/keep.py',
        '.env',
        'conf/.env.local',
        'node_modules/a/index.js',
        'data/file1.txt',
        'data/file10.txt',
        'a+b(1).txt',
        'keep/important.log',
        'logs/app.log',
        'x.pyo',
      ];
      for (const f of files) {
        await fsp.mkdir(path.dirname(path.join(ctx, f)), { recursive: true });
        await fsp.writeFile(path.join(ctx, f), f);
      }
      const ignore = [
        '**/__pycache__',
        '*.pyc',
        '*.py[cod]',
        '*.md',
        '!README*.md',
        'docs',
        '!docs/README.md',
        '/build/',
        '**/.env*',
        'node_modules',
        'data/file?.txt',
        'a+b(1).txt',
        '**/*.log',
        '!keep/*.log',
        '',
      ].join('\n');
      await fsp.writeFile(path.join(ctx, '.dockerignore'), ignore);
      await fsp.writeFile(path.join(ctx, 'Dockerfile.ctx'), 'FROM scratch\nCOPY . /\n');
      const r = await docker([
        'buildx',
        'build',
        '--progress=plain',
        '-f',
        path.join(ctx, 'Dockerfile.ctx'),
        '--output',
        `type=local,dest=${out}`,
        ctx,
      ]);
      expect(r.code, r.stderr).toBe(0);
      const sent = new Set<string>();
      const walk = async (d: string, rel: string) => {
        for (const e of await fsp.readdir(d, { withFileTypes: true })) {
          const r2 = rel ? `${rel}/${e.name}` : e.name;
          if (e.isDirectory()) await walk(path.join(d, e.name), r2);
          else sent.add(r2);
        }
      };
      await walk(out, '');
      const excluded = compileDockerignore(ignore);
      const expected = files.filter((f) => !excluded(f)).sort();
      const got = [...sent].filter((f) => files.includes(f)).sort();
      expect(got).toEqual(expected);
    } finally {
      await fsp.rm(ctx, { recursive: true, force: true });
      await fsp.rm(out, { recursive: true, force: true });
    }
  });
});

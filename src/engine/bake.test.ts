import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bakeImages, bakeTargetName, hclString, renderBakeFile } from './bake.js';
import type { Engine } from './driver.js';
import { BuildFailedError } from './errors.js';

describe('renderBakeFile', () => {
  it('writes one target per app with its own context and Dockerfile, in a default group', () => {
    const hcl = renderBakeFile(
      [
        {
          name: 'api',
          context: '/repo/services/api',
          dockerfilePath: '/tmp/b/api/Dockerfile',
          tags: ['api:latest'],
        },
        {
          name: 'worker',
          context: '/repo/services/worker',
          dockerfilePath: '/repo/services/worker/Dockerfile',
          tags: ['worker:latest'],
        },
      ],
      {
        buildArgs: ['PIP_INDEX_URL=http://127.0.0.1:3141/simple/'],
        network: 'host',
        secrets: ['id=pip-index,env=NETRC'],
        platforms: ['linux/amd64'],
      },
    );
    expect(hcl).toContain('group "default" {\n  targets = ["api", "worker"]\n}');
    expect(hcl).toContain(
      'target "api" {\n  context    = "/repo/services/api"\n  dockerfile = "/tmp/b/api/Dockerfile"\n  tags       = ["api:latest"]',
    );
    expect(hcl).toContain('target "worker" {');
    expect(hcl).toContain('    "PIP_INDEX_URL" = "http://127.0.0.1:3141/simple/"');
    expect(hcl).toContain('  network    = "host"');
    expect(hcl).toContain('  secret     = ["id=pip-index,env=NETRC"]');
    expect(hcl).toContain('  platforms  = ["linux/amd64"]');
  });

  it('escapes HCL template sequences and quotes', () => {
    const dollarBrace = '$' + '{';
    expect(hclString(`a${dollarBrace}b}%{c}"d\\`)).toBe(`"a$${dollarBrace}b}%%{c}\\"d\\\\"`);
  });

  it('names targets after app directories', () => {
    expect(bakeTargetName('services/api')).toBe('services-api');
    expect(bakeTargetName('.')).toBe('app');
    expect(bakeTargetName('2fa')).toBe('app-2fa');
  });
});

describe('bakeImages without bake (podman)', () => {
  let dir: string;
  let engine: Engine;
  beforeAll(async () => {
    dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'pycontain-bake-podman-'));
    const bin = path.join(dir, 'podman');
    // a fake podman: logs each build's arguments, prints podman's STEP lines, fails the app whose
    // context is named "broken", writes an image id derived from the tag
    await fsp.writeFile(
      bin,
      `#!/bin/sh
[ "$1" = version ] && { echo 4.3.1; exit 0; }
[ "$1" = build ] || exit 0
echo "$@" >> "${dir}/calls"
ctx=""; tag=""; iid=""
while [ $# -gt 0 ]; do
  case "$1" in -t) tag="$2"; shift;; --iidfile) iid="$2"; shift;; -*) ;; *) ctx="$1";; esac
  shift
done
echo "[1/2] STEP 1/2: FROM python:3.11-slim AS builder"
echo "[1/2] STEP 2/2: RUN pip install ."
case "$ctx" in *broken) echo "boom"; echo 'Error: building at STEP "RUN pip install .": while running runtime: exit status 1' >&2; exit 1;; esac
echo "--> Using cache 4f3c2a1b9e0"
echo "[2/2] STEP 1/1: FROM python:3.11-slim AS runtime"
echo "[2/2] COMMIT $tag"
printf 'sha256:%s' "$(printf '%s' "$tag" | tr -c 'a-z' '0')" > "$iid"
`,
      { mode: 0o755 },
    );
    engine = { kind: 'podman', bin, serverVersion: '4.3.1', env: process.env };
    for (const app of ['api', 'worker', 'broken']) await fsp.mkdir(path.join(dir, app));
    await fsp.writeFile(path.join(dir, 'worker', 'Dockerfile'), 'FROM python:3.11-slim\n');
  });
  afterAll(async () => {
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('builds the apps one after another, with bake-style step names and one image id each', async () => {
    let hcl = '';
    const res = await bakeImages({
      engine,
      targets: [
        {
          name: 'api',
          context: path.join(dir, 'api'),
          dockerfileText: 'FROM x\n',
          dockerignoreText: 'tests\n',
          tags: ['api:latest'],
        },
        {
          name: 'worker',
          context: path.join(dir, 'worker'),
          dockerfile: path.join(dir, 'worker', 'Dockerfile'),
          tags: ['worker:latest'],
        },
      ],
      network: 'host',
      onHcl: (h) => {
        hcl = h;
      },
    });
    expect(res.images).toEqual({ api: 'sha256:api0latest', worker: 'sha256:worker0latest' });
    expect(res.state.steps().map((s) => [s.name, s.cached, !!s.completed])).toEqual([
      ['[api builder 1/2] FROM python:3.11-slim AS builder', false, true],
      ['[api builder 2/2] RUN pip install .', true, true],
      ['[api runtime 1/1] FROM python:3.11-slim AS runtime', false, true],
      ['[worker builder 1/2] FROM python:3.11-slim AS builder', false, true],
      ['[worker builder 2/2] RUN pip install .', true, true],
      ['[worker runtime 1/1] FROM python:3.11-slim AS runtime', false, true],
    ]);
    const calls = (await fsp.readFile(path.join(dir, 'calls'), 'utf8')).trim().split('\n');
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatch(
      /^build -f \S+\/Dockerfile --format docker --ignorefile \S+\/Dockerfile.dockerignore -t api:latest --network host --iidfile \S+ \S+\/api$/,
    );
    expect(calls[1]).toContain(
      `-f ${path.join(dir, 'worker', 'Dockerfile')} --format docker -t worker:latest`,
    );
    expect(hcl).toContain('has no bake: pycontain builds these targets one after another');
    expect(hcl).toContain('target "worker" {');
  });

  it('stops at the first app that fails and names it', async () => {
    const err = await bakeImages({
      engine,
      targets: [
        {
          name: 'broken',
          context: path.join(dir, 'broken'),
          dockerfileText: 'FROM x\n',
          tags: ['broken:latest'],
        },
        { name: 'api', context: path.join(dir, 'api'), dockerfileText: 'FROM x\n', tags: ['api:latest'] },
      ],
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BuildFailedError);
    expect((err as Error).message).toMatch(
      /^broken: build failed at step \[builder 2\/2\] RUN pip install \.: while running runtime: exit status 1/,
    );
    expect((err as BuildFailedError).engineLines).toContain('boom');
  });
});

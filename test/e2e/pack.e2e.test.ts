/**
 * `pycontain pack` on a real example whose lock holds only wheels the local index serves
 * (flask-factory-piptools: hashed pip-compile requirements, gunicorn, one native wheel): the image
 * loads, starts and answers as a non-root user, verifies; the same inputs give the same image ID with
 * the cache wiped, another TZ, umask and checkout path; /opt/venv equals the Dockerfile-built
 * image's file for file, except the documented exceptions (.pyc, INSTALLER, RECORD).
 * One engine build (the reference) and two cold packs: the cost stays around a minute.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI,
  type CliResult,
  copyExample,
  docker,
  execCommand,
  freePort,
  loadTestenv,
  pollHttp,
  runCli,
  runOnce,
  standInFlags,
  type Testenv,
  withContainer,
} from './support/index.js';

const EXAMPLE = 'flask-factory-piptools';
const PACKED = 'pycontain-dev/pack-flask:1';
const PACKED2 = 'pycontain-dev/pack-flask:2';
const REF = 'pycontain-dev/pack-flask:engine';
const EPOCH = '1700000000';

// Lists a tree as `path mode uid gid sha256|->target|dir`, run inside both images.
const LIST = `import hashlib, os, stat, sys
for d, dirs, files in os.walk(sys.argv[1]):
    for n in dirs + files:
        p = os.path.join(d, n)
        st = os.lstat(p)
        if stat.S_ISLNK(st.st_mode): what = "-> " + os.readlink(p)
        elif stat.S_ISDIR(st.st_mode): what = "dir"
        else: what = hashlib.sha256(open(p, "rb").read()).hexdigest()
        print(p, oct(stat.S_IMODE(st.st_mode)), st.st_uid, st.st_gid, what)
`;

let env: Testenv;
let tmp: string;
let first: CliResult;
let firstCopy: string;
let firstJson: {
  imageId: string;
  manifest: string;
  layers: { name: string; cached: boolean }[];
  seconds: number;
};

function packArgs(dir: string, cache: string, tag: string, more: string[] = []): string[] {
  return [
    'pack',
    dir,
    '--python',
    '3.11',
    ...standInFlags(env),
    '--cache-dir',
    cache,
    '--tag',
    tag,
    '--json',
    ...more,
  ];
}

async function listTree(image: string, dir: string): Promise<string[]> {
  const r = await runOnce(image, ['-c', LIST, dir], { entrypoint: 'python3', user: '0' });
  if (r.code !== 0) throw new Error(`listing ${dir} in ${image}: ${r.stderr}`);
  return r.stdout.split('\n').filter(Boolean).sort();
}

beforeAll(async () => {
  env = await loadTestenv();
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'pycontain-pack-e2e-'));
  const copy = await copyExample(EXAMPLE);
  firstCopy = copy;
  first = await runCli(
    packArgs(copy, path.join(tmp, 'cache1'), PACKED, ['--load', '--output', `oci:${path.join(tmp, 'oci')}`]),
    {
      SOURCE_DATE_EPOCH: EPOCH,
    },
  );
  if (first.code !== 0) throw new Error(`pack failed (${first.code}): ${first.stderr}`);
  firstJson = JSON.parse(first.stdout);
}, 600_000);

afterAll(async () => {
  await docker(['image', 'rm', '-f', PACKED, PACKED2, REF]);
  if (tmp) await fsp.rm(tmp, { recursive: true, force: true });
});

describe('pycontain pack', () => {
  it('gives an image that starts and answers HTTP as a non-root user', async () => {
    const inspect = await docker(['image', 'inspect', PACKED, '--format', '{{.Id}} {{.Config.User}}']);
    const [id, user] = inspect.stdout.trim().split(' ');
    expect(id).toBe(firstJson.imageId);
    expect(user).toBe('10001:10001');
    await withContainer(PACKED, { port: 8000 }, async (c) => {
      const answer = await pollHttp(`${c.url}/healthz`, { timeoutMs: 60_000, container: c });
      expect(answer.status).toBe(200);
      const who = await c.exec(['id', '-u']);
      expect(who.stdout.trim()).toBe('10001');
    });
  });

  it('passes pycontain verify as an engine-built image does', async () => {
    const copy = await copyExample(EXAMPLE);
    const r = await runCli(['verify', PACKED, '--dir', copy]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
  });

  it('writes an OCI layout with the same manifest', async () => {
    const index = JSON.parse(await fsp.readFile(path.join(tmp, 'oci', 'index.json'), 'utf8'));
    expect(index.manifests[0].digest).toBe(firstJson.manifest);
    await fsp.access(path.join(tmp, 'oci', 'blobs', 'sha256', firstJson.imageId.slice(7)));
  });

  it('gives the same image ID with the cache wiped, another TZ, umask and checkout path', async () => {
    const src = await copyExample(EXAMPLE);
    const other = path.join(tmp, 'elsewhere', 'deeper', 'checkout');
    const args = packArgs(other, path.join(tmp, 'cache2'), PACKED2);
    const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
    const r = await execCommand(
      'sh',
      [
        '-c',
        `umask 077 && mkdir -p '${path.dirname(other)}' && cp -r '${src}' '${other}' && exec '${process.execPath}' '${CLI}' ${quoted}`,
      ],
      { env: { TZ: 'Pacific/Kiritimati', SOURCE_DATE_EPOCH: EPOCH, CI: '1', NO_COLOR: '1' } },
    );
    expect(r.code, r.stderr).toBe(0);
    const second = JSON.parse(r.stdout);
    expect(second.layers.every((l: { cached: boolean }) => !l.cached)).toBe(true);
    expect(second.imageId).toBe(firstJson.imageId);
    // Same Node zlib on both runs: the compressed layers, hence the manifest, are equal too.
    expect(second.manifest).toBe(firstJson.manifest);
  });

  it('has the /opt/venv of the Dockerfile-built image, file for file (except .pyc, INSTALLER, RECORD)', async () => {
    const copy = await copyExample(EXAMPLE);
    const build = await runCli([
      'build',
      copy,
      '--python',
      '3.11',
      ...standInFlags(env),
      '--network',
      'host',
      '--tag',
      REF,
      '--no-verify',
      '--builtin-frontend',
      '--progress',
      'plain',
    ]);
    expect(build.code, build.stderr).toBe(0);
    const exception = (line: string) => /\.pyc |\/__pycache__ |\.dist-info\/(INSTALLER|RECORD) /.test(line);
    const packed = (await listTree(PACKED, '/opt/venv')).filter((l) => !exception(l));
    const built = (await listTree(REF, '/opt/venv')).filter((l) => !exception(l));
    expect(packed.length).toBeGreaterThan(500);
    expect(packed).toEqual(built);

    // Measured in the same run: size and a code-only rebuild, as ratios to the engine's.
    const size = async (tag: string) =>
      Number((await docker(['image', 'inspect', tag, '--format', '{{.Size}}'])).stdout.trim());
    const sizeRatio = (await size(PACKED)) / (await size(REF));
    // This checkout's first pack pins the base in its pycontain.lock.json; then the code changes.
    const warm = await runCli(packArgs(copy, path.join(tmp, 'cache1'), PACKED, []), {
      SOURCE_DATE_EPOCH: EPOCH,
    });
    expect(warm.code, warm.stderr).toBe(0);
    await fsp.appendFile(path.join(copy, 'wsgi.py'), '\n# code-only change\n');
    let t = performance.now();
    const rebuilt = await runCli([
      'build',
      copy,
      '--python',
      '3.11',
      ...standInFlags(env),
      '--network',
      'host',
      '--tag',
      REF,
      '--no-verify',
      '--builtin-frontend',
      '--progress',
      'quiet',
    ]);
    const engineSeconds = (performance.now() - t) / 1000;
    expect(rebuilt.code).toBe(0);
    t = performance.now();
    const packAgain = await runCli(
      packArgs(copy, path.join(tmp, 'cache1'), PACKED, ['--output', `oci:${path.join(tmp, 'oci3')}`]),
      {
        SOURCE_DATE_EPOCH: EPOCH,
      },
    );
    const packSeconds = (performance.now() - t) / 1000;
    expect(packAgain.code, packAgain.stderr).toBe(0);
    const again = JSON.parse(packAgain.stdout);
    expect(again.layers.map((l: { name: string; cached: boolean }) => `${l.name}:${l.cached}`)).toEqual([
      'user:true',
      'venv:true',
      'app:false',
    ]);
    process.stdout.write(
      `pack e2e: image size ${sizeRatio.toFixed(3)}x the Dockerfile's; code-only rebuild pack ${packSeconds.toFixed(2)} s wall (${again.seconds} s in-process) vs engine ${engineSeconds.toFixed(2)} s = ${(packSeconds / engineSeconds).toFixed(2)}x; cold pack ${firstJson.seconds} s\n`,
    );
    expect(sizeRatio).toBeLessThanOrEqual(1);
    expect(packSeconds).toBeLessThan(engineSeconds);
  });
});

describe('pycontain pack on a uv project', () => {
  // No engine here can run uv (it is on neither Debian nor npm): pack is what builds its image.
  it('installs uv.lock wheels from their recorded URLs; the image answers HTTP', async () => {
    const copy = await copyExample('fastapi-uv');
    const tag = 'pycontain-dev/pack-uv:1';
    const r = await runCli(packArgs(copy, path.join(tmp, 'cache1'), tag, ['--load']), {
      SOURCE_DATE_EPOCH: EPOCH,
    });
    expect(r.code, r.stderr).toBe(0);
    try {
      await withContainer(tag, { port: 8000 }, async (c) => {
        const answer = await pollHttp(`${c.url}/health`, { timeoutMs: 60_000, container: c });
        expect(answer.status).toBe(200);
      });
    } finally {
      await docker(['image', 'rm', '-f', tag]);
    }
  });
});

describe('pycontain pack with runtime Debian libraries', () => {
  // psycopg2 from the index links Debian's libpq5, which the slim base lacks: pack resolves its
  // closure against Debian's archive (reachable here) and unpacks the .debs without apt.
  it('adds libpq5 and its closure; psycopg2 imports, dpkg lists them, the app verifies', async () => {
    const copy = await copyExample('django-psycopg2-pipenv');
    const tag = 'pycontain-dev/pack-pg:1';
    const r = await runCli(packArgs(copy, path.join(tmp, 'cache1'), tag, ['--load']), {
      SOURCE_DATE_EPOCH: EPOCH,
    });
    expect(r.code, r.stderr).toBe(0);
    try {
      const lock = JSON.parse(await fsp.readFile(path.join(copy, 'pycontain.lock.json'), 'utf8'));
      expect(lock.debs.map((d: { name: string }) => d.name)).toContain('libpq5');
      const dpkg = await runOnce(tag, ['-c', 'dpkg -l libpq5 && ls -ld /lib'], {
        entrypoint: 'sh',
        user: '0',
      });
      expect(dpkg.stdout).toMatch(/^ii {2}libpq5/m);
      expect(dpkg.stdout).toMatch(/\/lib -> usr\/lib/);
      const verify = await runCli(['verify', tag, '--dir', copy]);
      expect(verify.code, verify.stdout + verify.stderr).toBe(0);
    } finally {
      await docker(['image', 'rm', '-f', tag]);
    }
  });
});

/**
 * Debian's docker-registry (distribution 2.8) on 127.0.0.1, without and with htpasswd auth. The
 * testenv installs it (`apt-get install docker-registry`); it is started here, on a free port.
 */
async function startRegistry(dir: string, htpasswd?: string): Promise<{ host: string; stop: () => void }> {
  const port = await freePort();
  await fsp.mkdir(dir, { recursive: true });
  const auth = htpasswd ? `auth:\n  htpasswd:\n    realm: pycontain\n    path: ${htpasswd}\n` : '';
  const config = path.join(dir, 'config.yml');
  await fsp.writeFile(
    config,
    `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${dir}/data\nhttp:\n  addr: 127.0.0.1:${port}\n${auth}`,
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: 'ignore' });
  const host = `127.0.0.1:${port}`;
  const answer = await pollHttp(`http://${host}/v2/`, {
    timeoutMs: 20_000,
    expectStatus: htpasswd ? 401 : 200,
  });
  expect(answer.status).toBe(htpasswd ? 401 : 200);
  return { host, stop: () => child.kill() };
}

describe('pycontain pack --output registry:', () => {
  it('pushes to a local registry; docker pulls the same image ID; a second push uploads nothing', async () => {
    const reg = await startRegistry(path.join(tmp, 'registry-open'));
    try {
      const ref = `${reg.host}/pycontain-dev/pack-flask:1`;
      const push = await runCli(
        packArgs(firstCopy, path.join(tmp, 'cache1'), PACKED, ['--output', `registry:${ref}`]),
        {
          SOURCE_DATE_EPOCH: EPOCH,
        },
      );
      expect(push.code, push.stderr).toBe(0);
      expect(JSON.parse(push.stdout).manifest).toBe(firstJson.manifest);
      const pulled = await docker(['pull', ref]);
      expect(pulled.code, pulled.stderr).toBe(0);
      const id = await docker(['image', 'inspect', ref, '--format', '{{.Id}}']);
      expect(id.stdout.trim()).toBe(firstJson.imageId);
      await docker(['image', 'rm', ref]);
      const again = await runCli(
        packArgs(firstCopy, path.join(tmp, 'cache1'), PACKED, ['--output', `registry:${ref}`]),
        {
          SOURCE_DATE_EPOCH: EPOCH,
        },
      );
      expect(again.code, again.stderr).toBe(0);
      const manifest = JSON.parse(
        await fsp.readFile(path.join(tmp, 'oci', 'blobs', 'sha256', firstJson.manifest.slice(7)), 'utf8'),
      );
      expect(JSON.parse(again.stdout).pushed).toEqual([
        { reference: ref, digest: firstJson.manifest, uploaded: 0, skipped: manifest.layers.length + 1 },
      ]);
    } finally {
      reg.stop();
    }
  });

  it('authenticates with htpasswd credentials and refuses wrong ones with a clear error, tag untouched', async () => {
    const dir = path.join(tmp, 'registry-auth');
    await fsp.mkdir(dir, { recursive: true });
    const hash = await execCommand('python3', [
      '-W',
      'ignore',
      '-c',
      'import crypt; print(crypt.crypt("s3cret", crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))',
    ]);
    expect(hash.code, hash.stderr).toBe(0);
    await fsp.writeFile(path.join(dir, 'htpasswd'), `ci:${hash.stdout.trim()}\n`);
    const reg = await startRegistry(dir, path.join(dir, 'htpasswd'));
    try {
      const ref = `${reg.host}/pycontain-dev/pack-flask:auth`;
      const args = packArgs(firstCopy, path.join(tmp, 'cache1'), PACKED, ['--output', `registry:${ref}`]);
      const wrong = await runCli(args, {
        SOURCE_DATE_EPOCH: EPOCH,
        PYCONTAIN_REGISTRY_USER: 'ci',
        PYCONTAIN_REGISTRY_PASSWORD: 'nope',
      });
      expect(wrong.code).not.toBe(0);
      expect(wrong.stderr).toMatch(/credentials were refused/);
      const right = await runCli(args, {
        SOURCE_DATE_EPOCH: EPOCH,
        PYCONTAIN_REGISTRY_USER: 'ci',
        PYCONTAIN_REGISTRY_PASSWORD: 's3cret',
      });
      expect(right.code, right.stderr).toBe(0);
      const res = await fetch(`http://${reg.host}/v2/pycontain-dev/pack-flask/manifests/auth`, {
        method: 'HEAD',
        headers: {
          authorization: `Basic ${Buffer.from('ci:s3cret').toString('base64')}`,
          accept: 'application/vnd.oci.image.manifest.v1+json',
        },
      });
      expect(res.headers.get('docker-content-digest')).toBe(firstJson.manifest);
    } finally {
      reg.stop();
    }
  });
});

import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../plan.js';
import { detectProject } from '../project/detect.js';
import { writeDockerArchive, writeOciLayout } from './image.js';
import { LOCK_FILE, pack } from './pack.js';
import { tarLayer } from './tarlayer.js';
import { makeZip } from './testing.js';

let tmp: string;
let server: http.Server;
let indexUrl: string;
let baseDir: string;
const wheel = makeZip([
  { name: 'demo/__init__.py', data: 'def main():\n    print("hi")\n' },
  { name: 'demo-1.0.dist-info/METADATA', data: 'Metadata-Version: 2.1\nName: demo\nVersion: 1.0\n' },
  {
    name: 'demo-1.0.dist-info/WHEEL',
    data: 'Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n',
  },
  { name: 'demo-1.0.dist-info/entry_points.txt', data: '[console_scripts]\ndemo = demo:main\n' },
]);
const wheelSha = createHash('sha256').update(wheel).digest('hex');
const sha = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function writeBase(dir: string, distroless = false): Promise<void> {
  const layer = tarLayer(
    distroless
      ? [
          {
            path: 'usr/lib/x86_64-linux-gnu/libc.so.6',
            type: 'file',
            mode: 0o755,
            data: Buffer.from('\x7fELF GNU C Library (Debian GLIBC 2.36-9) stable release version 2.36.\n'),
          },
          { path: 'usr/bin/python3.11', type: 'file', mode: 0o755, data: Buffer.from('\x7fELF') },
        ]
      : [
          {
            path: 'etc/passwd',
            type: 'file',
            mode: 0o644,
            data: Buffer.from('root:x:0:0:root:/root:/bin/bash\n'),
          },
          { path: 'etc/group', type: 'file', mode: 0o644, data: Buffer.from('root:x:0:\n') },
          {
            path: 'var/lib/dpkg/status',
            type: 'file',
            mode: 0o644,
            data: Buffer.from(
              'Package: libc6\nStatus: install ok installed\nVersion: 2.36-9+deb12u4\n\nPackage: python3.11-minimal\nVersion: 3.11.2-6\n',
            ),
          },
          { path: 'usr/bin/python3.11', type: 'file', mode: 0o755, data: Buffer.from('\x7fELF') },
          { path: 'usr/local/bin/python3', type: 'symlink', mode: 0o777, linkname: '/usr/bin/python3.11' },
          {
            path: 'usr/lib/python3.11/venv/scripts/common/activate',
            type: 'file',
            mode: 0o644,
            data: Buffer.from('VIRTUAL_ENV=__VENV_DIR__\nPS1=__VENV_PROMPT__\n'),
          },
          { path: 'bin', type: 'symlink', mode: 0o777, linkname: 'usr/bin' },
        ],
    { mtime: 0 },
  );
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { Env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'LANG=C.UTF-8'], Cmd: ['python3'] },
      rootfs: { type: 'layers', diff_ids: [sha(layer)] },
      history: [{ created_by: 'test base' }],
    }),
  );
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: {
        mediaType: 'application/vnd.oci.image.config.v1+json',
        digest: sha(config),
        size: config.length,
      },
      layers: [
        { mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha(layer), size: layer.length },
      ],
    }),
  );
  const blobs = path.join(dir, 'blobs', 'sha256');
  await fsp.mkdir(blobs, { recursive: true });
  for (const b of [layer, config, manifest]) await fsp.writeFile(path.join(blobs, sha(b).slice(7)), b);
  await fsp.writeFile(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await fsp.writeFile(
    path.join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: sha(manifest),
          size: manifest.length,
        },
      ],
    }),
  );
}

async function writeProject(dir: string, mode = 0o644): Promise<void> {
  await fsp.mkdir(path.join(dir, 'pkg'), { recursive: true });
  await fsp.writeFile(path.join(dir, 'requirements.txt'), `demo==1.0 \\\n    --hash=sha256:${wheelSha}\n`);
  await fsp.writeFile(path.join(dir, 'main.py'), 'import demo\ndemo.main()\n', { mode });
  await fsp.writeFile(path.join(dir, 'pkg', '__init__.py'), '', { mode });
  await fsp.chmod(path.join(dir, 'main.py'), mode);
}

async function planOf(dir: string) {
  return detectProject(dir, {
    pythonVersion: '3.11',
    command: ['python', 'main.py'],
    indexUrl,
    debian: 'bookworm',
    baseImage: 'python:3.11-slim',
  });
}

beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'pack-test-'));
  server = http.createServer((req, res) => {
    if (req.url === '/simple/demo/') {
      res.setHeader('content-type', 'text/html');
      res.end(
        `<html><body><a href="../../files/demo-1.0-py3-none-any.whl#sha256=${wheelSha}">demo-1.0-py3-none-any.whl</a></body></html>`,
      );
    } else if (req.url === '/files/demo-1.0-py3-none-any.whl') res.end(wheel);
    else {
      res.statusCode = 404;
      res.end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  indexUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/simple/`;
  baseDir = path.join(tmp, 'base');
  await writeBase(baseDir);
});

afterAll(async () => {
  server.close();
  await fsp.rm(tmp, { recursive: true, force: true });
});

describe('pack', () => {
  it('builds the same image from the same inputs: other cache, checkout path and file modes', async () => {
    const a = path.join(tmp, 'a', 'proj');
    const b = path.join(tmp, 'b', 'elsewhere', 'proj');
    await writeProject(a, 0o644);
    await writeProject(b, 0o600);
    const run = async (dir: string, cache: string) =>
      pack(await planOf(dir), {
        base: `oci:${baseDir}`,
        cacheDir: path.join(tmp, cache),
        tag: 'demo:1',
        epoch: 1700000000,
      });
    const one = await run(a, 'c1');
    const two = await run(b, 'c2');
    expect(two.image.config.digest).toBe(one.image.config.digest);
    expect(two.image.manifest.digest).toBe(one.image.manifest.digest);
    expect(one.layers.map((l) => l.cached)).toEqual([false, false, false]);
    const again = await run(a, 'c1');
    expect(again.layers.map((l) => l.cached)).toEqual([true, true, true]);
    expect(again.image.config.digest).toBe(one.image.config.digest);

    const config = JSON.parse((await one.store.read(one.image.config.digest)).toString());
    expect(config.config.User).toBe('10001:10001');
    expect(config.config.Cmd).toEqual(['python', 'main.py']);
    expect(config.config.Env).toContain(
      'PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    );
    expect(config.config.Env).toContain('LANG=C.UTF-8');
    expect(config.created).toBe('2023-11-14T22:13:20Z');
    expect(config.rootfs.diff_ids).toHaveLength(4);
    expect(config.history).toHaveLength(4);

    const lock = JSON.parse(await fsp.readFile(path.join(a, LOCK_FILE), 'utf8'));
    expect(lock.base.config).toBe(one.base.config.digest);
    expect(lock.wheels).toEqual([
      {
        name: 'demo',
        version: '1.0',
        filename: 'demo-1.0-py3-none-any.whl',
        url: expect.stringContaining('/files/demo-1.0-py3-none-any.whl'),
        sha256: wheelSha,
      },
    ]);
  });

  it('writes the venv as python -m venv would, with the launcher and the interpreter links', async () => {
    const dir = path.join(tmp, 'v', 'proj');
    await writeProject(dir);
    const res = await pack(await planOf(dir), {
      base: `oci:${baseDir}`,
      cacheDir: path.join(tmp, 'cv'),
      tag: 'demo:1',
      epoch: 0,
    });
    const venv = res.layers.find((l) => l.name === 'venv');
    const tar = gunzipSync(await res.store.read(venv?.descriptor.digest as string)).toString('latin1');
    expect(tar).toContain(
      'home = /usr/local/bin\ninclude-system-site-packages = false\nversion = 3.11.2\nexecutable = /usr/bin/python3.11\n',
    );
    expect(tar).toContain('VIRTUAL_ENV=/opt/venv\nPS1=(venv) \n');
    expect(tar).toContain('from demo import main');
    expect(tar).toContain('opt/venv/lib/python3.11/site-packages/demo-1.0.dist-info/RECORD');
    expect(tar).toContain('/usr/local/bin/python3');
  });

  it('writes an OCI layout and a docker-archive with manifest.json', async () => {
    const dir = path.join(tmp, 'o', 'proj');
    await writeProject(dir);
    const res = await pack(await planOf(dir), {
      base: `oci:${baseDir}`,
      cacheDir: path.join(tmp, 'co'),
      tag: 'demo:1',
      epoch: 0,
    });
    const out = path.join(tmp, 'o', 'oci');
    await writeOciLayout(res.store, res.image, out);
    const index = JSON.parse(await fsp.readFile(path.join(out, 'index.json'), 'utf8'));
    expect(index.manifests[0].digest).toBe(res.image.manifest.digest);
    expect(index.manifests[0].annotations['io.containerd.image.name']).toBe('demo:1');
    const archive = path.join(tmp, 'o', 'image.tar');
    await writeDockerArchive(res.store, res.image, archive);
    const text = (await fsp.readFile(archive)).toString('latin1');
    expect(text).toContain('"RepoTags":["demo:1"]');
  });

  it('refuses a base pinned at another digest, and a package with no hash', async () => {
    const dir = path.join(tmp, 'p', 'proj');
    await writeProject(dir);
    await pack(await planOf(dir), {
      base: `oci:${baseDir}`,
      cacheDir: path.join(tmp, 'cp'),
      tag: 'demo:1',
      epoch: 0,
    });
    const lockPath = path.join(dir, LOCK_FILE);
    const lock = JSON.parse(await fsp.readFile(lockPath, 'utf8'));
    lock.base.config = `sha256:${'0'.repeat(64)}`;
    await fsp.writeFile(lockPath, JSON.stringify(lock));
    await expect(
      pack(await planOf(dir), {
        base: `oci:${baseDir}`,
        cacheDir: path.join(tmp, 'cp2'),
        tag: 'demo:1',
        epoch: 0,
      }),
    ).rejects.toThrow(/pins the base .* --update-lock/);
    await fsp.writeFile(path.join(dir, 'requirements.txt'), 'demo==1.0\n');
    await expect(
      pack(await planOf(dir), {
        base: `oci:${baseDir}`,
        cacheDir: path.join(tmp, 'cp3'),
        tag: 'demo:1',
        epoch: 0,
        updateLock: true,
      }),
    ).rejects.toThrow(InputError);
  });

  it('names every package that has no wheel for the base', async () => {
    const dir = path.join(tmp, 's', 'proj');
    await writeProject(dir);
    await fsp.writeFile(path.join(dir, 'requirements.txt'), `demo==1.0 --hash=sha256:${'a'.repeat(64)}\n`);
    await expect(
      pack(await planOf(dir), {
        base: `oci:${baseDir}`,
        cacheDir: path.join(tmp, 'cs'),
        tag: 'demo:1',
        epoch: 0,
      }),
    ).rejects.toThrow(/no wheel .* demo==1\.0 .*--wheelhouse/);
  });

  it('packs on a distroless base: glibc from libc.so.6, no user layer, user 65532, the Debian interpreter', async () => {
    const dlBase = path.join(tmp, 'dl-base');
    await writeBase(dlBase, true);
    const dir = path.join(tmp, 'dl', 'proj');
    await writeProject(dir);
    const plan = await detectProject(dir, {
      pythonVersion: '3.11',
      command: ['python', 'main.py'],
      indexUrl,
      debian: 'bookworm',
      distroless: true,
    });
    const res = await pack(plan, {
      base: `oci:${dlBase}`,
      cacheDir: path.join(tmp, 'cdl'),
      tag: 'demo:1',
      epoch: 0,
    });
    expect(res.layers.map((l) => l.name)).toEqual(['venv', 'app']);
    const config = JSON.parse((await res.store.read(res.image.config.digest)).toString());
    expect(config.config.User).toBe('65532:65532');
    const venv = gunzipSync(await res.store.read(res.layers[0]?.descriptor.digest as string)).toString(
      'latin1',
    );
    expect(venv).toContain('home = /usr/bin\n');
  });
});

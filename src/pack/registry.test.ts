import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OCI_LAYER_GZIP, writeManifest } from './image.js';
import { parseRegistryRef, pushImage, RegistryError } from './registry.js';
import { Store } from './store.js';

/** A registry that keeps everything in memory; `mode` picks its auth. */
function fakeRegistry(mode: 'open' | 'basic' | 'bearer') {
  const blobs = new Map<string, Buffer>();
  const manifests = new Map<string, Buffer>();
  const log: string[] = [];
  let port = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const auth = req.headers.authorization ?? '';
      if (url.pathname === '/token') {
        const ok = auth === `Basic ${Buffer.from('u:p').toString('base64')}`;
        res.statusCode = ok ? 200 : 401;
        res.end(JSON.stringify(ok ? { token: 'T' } : {}));
        return;
      }
      const allowed =
        mode === 'open' ||
        (mode === 'basic' && auth === `Basic ${Buffer.from('u:p').toString('base64')}`) ||
        (mode === 'bearer' && auth === 'Bearer T');
      if (!allowed) {
        res.statusCode = 401;
        res.setHeader(
          'www-authenticate',
          mode === 'basic'
            ? 'Basic realm="r"'
            : `Bearer realm="http://127.0.0.1:${port}/token",service="fake"`,
        );
        res.end();
        return;
      }
      log.push(`${req.method} ${url.pathname}`);
      const blob = /^\/v2\/(.+)\/blobs\/(sha256:[0-9a-f]{64})$/.exec(url.pathname);
      if (req.method === 'HEAD' && blob) {
        res.statusCode = blobs.has(blob[2] as string) ? 200 : 404;
        res.end();
      } else if (req.method === 'POST' && /\/blobs\/uploads\/$/.test(url.pathname)) {
        res.statusCode = 202;
        res.setHeader('location', `${url.pathname}session-1`);
        res.end();
      } else if (req.method === 'PUT' && /\/blobs\/uploads\/session-1$/.test(url.pathname)) {
        const body = Buffer.concat(chunks);
        const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
        if (digest !== url.searchParams.get('digest')) {
          res.statusCode = 400;
          res.end('{"errors":[{"code":"DIGEST_INVALID"}]}');
          return;
        }
        blobs.set(digest, body);
        res.statusCode = 201;
        res.setHeader('docker-content-digest', digest);
        res.end();
      } else if (req.method === 'PUT' && /\/manifests\//.test(url.pathname)) {
        const body = Buffer.concat(chunks);
        manifests.set(url.pathname, body);
        res.statusCode = 201;
        res.setHeader('docker-content-digest', `sha256:${createHash('sha256').update(body).digest('hex')}`);
        res.end();
      } else {
        res.statusCode = 404;
        res.end();
      }
    });
  });
  return {
    blobs,
    manifests,
    log,
    start: () =>
      new Promise<string>((r) =>
        server.listen(0, '127.0.0.1', () => {
          port = (server.address() as AddressInfo).port;
          r(`127.0.0.1:${port}`);
        }),
      ),
    stop: () => server.close(),
  };
}

let tmp: string;
beforeAll(async () => {
  tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'registry-'));
});
afterAll(async () => {
  await fsp.rm(tmp, { recursive: true, force: true });
});

async function image(name: string) {
  const store = new Store(path.join(tmp, name));
  const layer = Buffer.from(`layer of ${name}`);
  const digest = await store.putBuffer(layer);
  const img = await writeManifest(store, Buffer.from(`{"config":"${name}"}`), [
    { mediaType: OCI_LAYER_GZIP, digest, size: layer.length },
  ]);
  return { store, img: { ...img, tag: 'x:1' } };
}

describe('parseRegistryRef', () => {
  it('splits host, repository and tag, and refuses a reference without a host', () => {
    expect(parseRegistryRef('127.0.0.1:5000/team/app:1')).toEqual({
      registry: '127.0.0.1:5000',
      repository: 'team/app',
      tag: '1',
    });
    expect(parseRegistryRef('localhost/app').tag).toBe('latest');
    expect(() => parseRegistryRef('app:1')).toThrow(/HOST\[:PORT\]\/NAME/);
  });
});

describe('pushImage', () => {
  for (const mode of ['open', 'basic', 'bearer'] as const) {
    it(`pushes blobs then the manifest (${mode} auth), and skips blobs the registry has`, async () => {
      const reg = fakeRegistry(mode);
      const host = await reg.start();
      try {
        const { store, img } = await image(`m-${mode}`);
        const env = { PYCONTAIN_REGISTRY_USER: 'u', PYCONTAIN_REGISTRY_PASSWORD: 'p' };
        const first = await pushImage(store, img, parseRegistryRef(`${host}/app:1`), { env });
        expect(first).toMatchObject({ uploaded: 2, skipped: 0, digest: img.manifest.digest });
        expect(reg.log.at(-1)).toBe('PUT /v2/app/manifests/1');
        expect(reg.manifests.get('/v2/app/manifests/1')?.equals(await store.read(img.manifest.digest))).toBe(
          true,
        );
        const again = await pushImage(store, img, parseRegistryRef(`${host}/app:2`), { env });
        expect(again).toMatchObject({ uploaded: 0, skipped: 2 });
      } finally {
        reg.stop();
      }
    });
  }

  it('says the credentials were refused, and pushes nothing', async () => {
    const reg = fakeRegistry('bearer');
    const host = await reg.start();
    try {
      const { store, img } = await image('bad-auth');
      const env = { PYCONTAIN_REGISTRY_USER: 'u', PYCONTAIN_REGISTRY_PASSWORD: 'wrong' };
      await expect(pushImage(store, img, parseRegistryRef(`${host}/app:1`), { env })).rejects.toThrow(
        /check the credentials/,
      );
      expect(reg.blobs.size + reg.manifests.size).toBe(0);
    } finally {
      reg.stop();
    }
  });

  it('refuses a blob whose bytes do not match its digest before uploading anything', async () => {
    const reg = fakeRegistry('open');
    const host = await reg.start();
    try {
      const { store, img } = await image('corrupt');
      await fsp.writeFile(store.blobPath(img.layers[0]?.digest as string), 'tampered');
      await expect(pushImage(store, img, parseRegistryRef(`${host}/app:1`), { env: {} })).rejects.toThrow(
        RegistryError,
      );
      expect(reg.log).toEqual([]);
    } finally {
      reg.stop();
    }
  });
});

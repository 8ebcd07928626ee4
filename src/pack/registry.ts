/**
 * Push to an OCI distribution registry without an engine: each blob is checked against its digest
 * before anything is sent, blobs the registry has are skipped (HEAD), missing ones go up in one
 * monolithic POST + PUT, and the manifest is PUT last, so a failure never leaves a tag pointing at
 * half an image. Auth: anonymous, Basic, or the Bearer token flow of the Docker token spec, with
 * credentials from PYCONTAIN_REGISTRY_USER/PASSWORD or ~/.docker/config.json `auths`.
 */
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InputError } from '../plan.js';
import type { BuiltImage } from './image.js';
import type { Descriptor, Store } from './store.js';

export interface RegistryRef {
  registry: string;
  repository: string;
  tag: string;
}

export class RegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryError';
  }
}

export function parseRegistryRef(ref: string): RegistryRef {
  const m = /^([^/]+)\/([a-z0-9]+(?:[._/-][a-z0-9]+)*)(?::([\w][\w.-]{0,127}))?$/.exec(ref);
  if (!m?.[1] || !m[2] || !/[.:]|^localhost$/.test(m[1]))
    throw new InputError(
      `registry:${ref}: expected HOST[:PORT]/NAME[:TAG] (for example registry:127.0.0.1:5000/app:1)`,
    );
  return { registry: m[1], repository: m[2], tag: m[3] ?? 'latest' };
}

type Credentials = { user: string; password: string } | null;

export async function registryCredentials(
  registry: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<Credentials> {
  if (env.PYCONTAIN_REGISTRY_USER)
    return { user: env.PYCONTAIN_REGISTRY_USER, password: env.PYCONTAIN_REGISTRY_PASSWORD ?? '' };
  const file = path.join(env.DOCKER_CONFIG ?? path.join(os.homedir(), '.docker'), 'config.json');
  try {
    const cfg = JSON.parse(await fsp.readFile(file, 'utf8')) as { auths?: Record<string, { auth?: string }> };
    for (const [host, v] of Object.entries(cfg.auths ?? {})) {
      if (host.replace(/^https?:\/\//, '').replace(/\/.*$/, '') !== registry || !v.auth) continue;
      const plain = Buffer.from(v.auth, 'base64').toString('utf8');
      const i = plain.indexOf(':');
      return { user: plain.slice(0, i), password: plain.slice(i + 1) };
    }
  } catch {
    /* no docker config */
  }
  return null;
}

function challengeParams(header: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of header.matchAll(/(\w+)="([^"]*)"/g)) if (m[1]) out[m[1]] = m[2] ?? '';
  return out;
}

export class RegistryClient {
  private authHeader: string | undefined;
  private readonly base: string;

  constructor(
    readonly ref: RegistryRef,
    private readonly creds: Credentials,
    opts: { insecure?: boolean } = {},
  ) {
    const local = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])(:\d+)?$/.test(ref.registry);
    this.base = `${opts.insecure || local ? 'http' : 'https'}://${ref.registry}`;
  }

  private async authenticate(res: Response): Promise<void> {
    const header = res.headers.get('www-authenticate') ?? '';
    if (/^basic/i.test(header)) {
      if (!this.creds)
        throw new RegistryError(
          `${this.ref.registry} wants credentials: set PYCONTAIN_REGISTRY_USER/PASSWORD or docker login`,
        );
      this.authHeader = `Basic ${Buffer.from(`${this.creds.user}:${this.creds.password}`).toString('base64')}`;
      return;
    }
    if (!/^bearer/i.test(header))
      throw new RegistryError(
        `${this.ref.registry} answered 401 without a usable challenge (${header || 'none'})`,
      );
    const p = challengeParams(header);
    if (!p.realm) throw new RegistryError(`${this.ref.registry}: Bearer challenge without a realm`);
    const url = new URL(p.realm);
    if (p.service) url.searchParams.set('service', p.service);
    url.searchParams.set('scope', `repository:${this.ref.repository}:pull,push`);
    const headers: Record<string, string> = {};
    if (this.creds)
      headers.authorization = `Basic ${Buffer.from(`${this.creds.user}:${this.creds.password}`).toString('base64')}`;
    const t = await fetch(url, { headers });
    if (!t.ok)
      throw new RegistryError(
        `token from ${url.origin}${url.pathname}: ${t.status} ${t.statusText}: check the credentials for ${this.ref.registry}`,
      );
    const body = (await t.json()) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError(`token from ${url.origin}${url.pathname}: no token in the answer`);
    this.authHeader = `Bearer ${token}`;
  }

  async request(
    method: string,
    pathOrUrl: string,
    init: { headers?: Record<string, string>; body?: Buffer } = {},
  ): Promise<Response> {
    const url = new URL(pathOrUrl, this.base);
    for (let attempt = 0; attempt < 2; attempt++) {
      const sameOrigin = url.origin === new URL(this.base).origin;
      let res: Response;
      try {
        res = await fetch(url, {
          method,
          headers: {
            ...(init.headers ?? {}),
            ...(this.authHeader && sameOrigin ? { authorization: this.authHeader } : {}),
          },
          body: init.body,
          redirect: 'follow',
        });
      } catch (err) {
        throw new RegistryError(
          `${method} ${url.href}: ${(err as Error).message}${(err as { cause?: Error }).cause ? ` (${(err as { cause: Error }).cause.message})` : ''}`,
        );
      }
      if (res.status !== 401) return res;
      await res.arrayBuffer();
      if (attempt === 1 || (this.authHeader && !res.headers.get('www-authenticate')?.match(/^bearer/i)))
        throw new RegistryError(
          `${method} ${url.pathname}: 401 Unauthorized from ${this.ref.registry}: the credentials were refused`,
        );
      await this.authenticate(res);
    }
    throw new RegistryError(`${method} ${url.pathname}: not authorized`);
  }

  async hasBlob(digest: string): Promise<boolean> {
    const res = await this.request('HEAD', `/v2/${this.ref.repository}/blobs/${digest}`);
    return res.status === 200;
  }

  async uploadBlob(d: Descriptor, data: Buffer): Promise<void> {
    const start = await this.request('POST', `/v2/${this.ref.repository}/blobs/uploads/`, {
      headers: { 'content-length': '0' },
    });
    const loc = start.headers.get('location');
    await start.arrayBuffer();
    if (start.status !== 202 || !loc)
      throw new RegistryError(`starting the upload of ${d.digest}: ${start.status} ${start.statusText}`);
    const url = new URL(loc, this.base);
    url.searchParams.set('digest', d.digest);
    const put = await this.request('PUT', url.href, {
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(data.length) },
      body: data,
    });
    const text = await put.text();
    if (put.status !== 201)
      throw new RegistryError(`uploading ${d.digest}: ${put.status} ${put.statusText} ${text.slice(0, 300)}`);
    const echoed = put.headers.get('docker-content-digest');
    if (echoed && echoed !== d.digest)
      throw new RegistryError(`the registry stored ${d.digest} as ${echoed}`);
  }

  async putManifest(tag: string, mediaType: string, bytes: Buffer, digest: string): Promise<void> {
    const res = await this.request('PUT', `/v2/${this.ref.repository}/manifests/${tag}`, {
      headers: { 'content-type': mediaType, 'content-length': String(bytes.length) },
      body: bytes,
    });
    const text = await res.text();
    if (res.status !== 201)
      throw new RegistryError(
        `putting the manifest ${this.ref.repository}:${tag}: ${res.status} ${res.statusText} ${text.slice(0, 300)}`,
      );
    const echoed = res.headers.get('docker-content-digest');
    if (echoed && echoed !== digest)
      throw new RegistryError(`the registry computed ${echoed} for the manifest, pack wrote ${digest}`);
  }
}

export interface PushResult {
  reference: string;
  digest: string;
  uploaded: number;
  skipped: number;
}

export async function pushImage(
  store: Store,
  img: BuiltImage,
  ref: RegistryRef,
  opts: { insecure?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<PushResult> {
  const blobs = [...img.layers, img.config];
  // Every blob is read and checked first: a corrupt cache entry stops the push before any upload.
  const data = new Map<string, Buffer>();
  for (const d of blobs) {
    let buf: Buffer;
    try {
      buf = await store.read(d.digest);
    } catch {
      throw new RegistryError(`blob ${d.digest} is missing from the cache (${store.dir}): run pack again`);
    }
    const got = `sha256:${createHash('sha256').update(buf).digest('hex')}`;
    if (got !== d.digest || buf.length !== d.size)
      throw new RegistryError(
        `blob ${d.digest} in the cache has digest ${got} (${buf.length} bytes): refusing to push; wipe ${store.dir}`,
      );
    data.set(d.digest, buf);
  }
  const manifest = await store.read(img.manifest.digest);
  const client = new RegistryClient(ref, await registryCredentials(ref.registry, opts.env), opts);
  let uploaded = 0;
  let skipped = 0;
  for (const d of blobs) {
    if (await client.hasBlob(d.digest)) {
      skipped++;
      continue;
    }
    await client.uploadBlob(d, data.get(d.digest) as Buffer);
    uploaded++;
  }
  await client.putManifest(ref.tag, img.manifest.mediaType, manifest, img.manifest.digest);
  return {
    reference: `${ref.registry}/${ref.repository}:${ref.tag}`,
    digest: img.manifest.digest,
    uploaded,
    skipped,
  };
}

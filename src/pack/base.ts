/**
 * The base image, read without an engine from an OCI layout directory or a `docker save` archive
 * (legacy or Docker 25+ OCI-in-tar), or streamed from the local engine's `docker save`. Its blobs go
 * into the store unchanged (same digests, media types, compression), and the facts pack needs (the
 * interpreter, glibc, the venv templates, /etc/passwd) are read once per config digest.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import tar from 'tar-stream';
import { DecompressMaybe } from '../image/decompress.js';
import { saveImageStream } from '../image/engine.js';
import { InputError } from '../plan.js';
import type { Descriptor, Store } from './store.js';

export interface BaseConfig {
  architecture?: string;
  os?: string;
  config?: Record<string, unknown> & {
    Env?: string[] | null;
    Labels?: Record<string, string> | null;
    Cmd?: string[] | null;
    Entrypoint?: string[] | null;
  };
  rootfs: { type: string; diff_ids: string[] };
  history?: Array<Record<string, unknown>>;
  [k: string]: unknown;
}

export interface BaseImage {
  /** What was read: 'oci:DIR', 'docker-archive:FILE', 'docker:REF'. */
  source: string;
  config: Descriptor;
  layers: Descriptor[];
}

export type BaseSource =
  | { kind: 'oci'; path: string }
  | { kind: 'docker-archive'; path: string }
  | { kind: 'docker'; ref: string };

export function parseBaseSource(arg: string): BaseSource {
  if (arg.startsWith('oci:')) return { kind: 'oci', path: arg.slice(4) };
  if (arg.startsWith('docker-archive:')) return { kind: 'docker-archive', path: arg.slice(15) };
  if (arg.startsWith('docker:')) return { kind: 'docker', ref: arg.slice(7) };
  if (arg.startsWith('docker-daemon:')) return { kind: 'docker', ref: arg.slice(14) };
  if (arg.startsWith('registry:'))
    throw new InputError(
      `${arg}: pulling a base from a registry is not implemented yet; use docker:REF, oci:DIR or docker-archive:FILE`,
    );
  return { kind: 'docker', ref: arg };
}

export function sourceString(s: BaseSource): string {
  return s.kind === 'docker' ? `docker:${s.ref}` : `${s.kind}:${s.path}`;
}

interface IndexJson {
  manifests?: Array<{
    mediaType?: string;
    digest: string;
    platform?: { os?: string; architecture?: string };
    annotations?: Record<string, string>;
  }>;
}
interface ManifestJson {
  mediaType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: IndexJson['manifests'];
}

const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar';

/** Picks the image (linux/amd64 when an index holds several) and returns its descriptors. */
async function fromIndex(
  store: Store,
  index: IndexJson,
  source: string,
  platform: string,
): Promise<BaseImage> {
  let list = index.manifests ?? [];
  for (let depth = 0; depth < 3; depth++) {
    if (!list.length) throw new InputError(`${source}: the image index lists no manifest`);
    const [os, arch] = platform.split('/');
    const pick =
      list.length === 1
        ? list[0]
        : list.find((m) => m.platform?.os === os && m.platform?.architecture === arch);
    if (!pick) throw new InputError(`${source}: no ${platform} image in the index`);
    if (!(await store.has(pick.digest))) throw new InputError(`${source}: blob ${pick.digest} is missing`);
    const m = JSON.parse((await store.read(pick.digest)).toString('utf8')) as ManifestJson;
    if (m.manifests) {
      list = m.manifests;
      continue;
    }
    if (!m.config || !m.layers)
      throw new InputError(`${source}: manifest ${pick.digest} has no config or layers`);
    for (const d of [m.config, ...m.layers])
      if (!(await store.has(d.digest))) throw new InputError(`${source}: blob ${d.digest} is missing`);
    return { source, config: m.config, layers: m.layers };
  }
  throw new InputError(`${source}: image indexes nested too deep`);
}

/** Import a docker-save / OCI tar stream: blobs into the store, index or manifest.json parsed. */
async function importTar(
  store: Store,
  stream: Readable,
  source: string,
  platform: string,
): Promise<BaseImage> {
  const extract = tar.extract();
  const small = new Map<string, Buffer>();
  const memberDigest = new Map<string, { digest: string; size: number }>();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, body, next) => {
      const name = header.name.replace(/^\.\//, '');
      const finish = (p: Promise<unknown>) =>
        p.then(
          () => next(),
          (err) => {
            body.resume();
            reject(err);
          },
        );
      if (header.type !== 'file') {
        body.resume();
        body.on('end', () => next());
        return;
      }
      if (
        name === 'index.json' ||
        name === 'manifest.json' ||
        name === 'oci-layout' ||
        name.endsWith('.json')
      ) {
        const chunks: Buffer[] = [];
        body.on('data', (c: unknown) => chunks.push(c as Buffer));
        body.on('end', () => {
          const buf = Buffer.concat(chunks);
          small.set(name, buf);
          finish(store.putBuffer(buf).then((digest) => memberDigest.set(name, { digest, size: buf.length })));
        });
        return;
      }
      const m = /^blobs\/sha256\/([0-9a-f]{64})$/.exec(name);
      finish(
        store
          .putStream(body as unknown as Readable, m ? `sha256:${m[1]}` : undefined)
          .then((r) => memberDigest.set(name, r)),
      );
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
    stream.on('error', reject);
  });
  stream.pipe(extract);
  await done;
  const index = small.get('index.json');
  if (index) return fromIndex(store, JSON.parse(index.toString('utf8')) as IndexJson, source, platform);
  const legacy = small.get('manifest.json');
  if (!legacy)
    throw new InputError(`${source}: neither index.json nor manifest.json: not a docker save or OCI archive`);
  const entries = JSON.parse(legacy.toString('utf8')) as Array<{ Config: string; Layers: string[] }>;
  const first = entries[0];
  if (!first) throw new InputError(`${source}: manifest.json lists no image`);
  const cfg = memberDigest.get(first.Config);
  if (!cfg) throw new InputError(`${source}: config ${first.Config} is missing`);
  const layers = first.Layers.map((l) => {
    const d = memberDigest.get(l);
    if (!d) throw new InputError(`${source}: layer ${l} is missing`);
    return { mediaType: DOCKER_LAYER, digest: d.digest, size: d.size };
  });
  return { source, config: { mediaType: 'application/vnd.docker.container.image.v1+json', ...cfg }, layers };
}

export async function importBase(
  store: Store,
  src: BaseSource,
  platform = 'linux/amd64',
): Promise<BaseImage> {
  const source = sourceString(src);
  if (src.kind === 'oci') {
    const dir = path.resolve(src.path);
    let index: IndexJson;
    try {
      index = JSON.parse(await fsp.readFile(path.join(dir, 'index.json'), 'utf8')) as IndexJson;
    } catch (err) {
      throw new InputError(`${source}: not an OCI layout (${(err as Error).message})`);
    }
    const blobs = path.join(dir, 'blobs', 'sha256');
    for (const hex of await fsp.readdir(blobs)) {
      if (await store.has(`sha256:${hex}`)) continue;
      const { createReadStream } = await import('node:fs');
      await store.putStream(createReadStream(path.join(blobs, hex)), `sha256:${hex}`);
    }
    return fromIndex(store, index, source, platform);
  }
  if (src.kind === 'docker-archive') {
    const { createReadStream } = await import('node:fs');
    const file = path.resolve(src.path);
    try {
      await fsp.access(file);
    } catch {
      throw new InputError(`${source}: no such file`);
    }
    return importTar(store, createReadStream(file), source, platform);
  }
  return importTar(store, await saveImageStream(src.ref, 'docker'), source, platform);
}

/** What pack needs to know about the base's filesystem. */
export interface BaseFacts {
  /** Symlinks in the base: path -> target (for resolving the interpreter). */
  links: Record<string, string>;
  /** Small files pack reads or extends (etc/passwd, dpkg status, venv templates, /etc/skel). */
  files: Record<string, { mode: number; gid?: number; data: string }>;
  /** Top-level directories that are symlinks (merged /usr). */
  topLinks: string[];
  /** glibc 'major.minor' from libc.so.6's version banner (distroless has no dpkg database to ask). */
  glibc?: string;
}

/** Bumped when WANTED changes: facts cached under an older list lack files. */
const FACTS_FORMAT = 4;

const WANTED = [
  /^etc\/(passwd|group|shadow|gshadow)$/,
  /^etc\/skel\/[^/]+$/,
  /^var\/lib\/dpkg\/status$/,
  // Distroless keeps one stanza per package here instead of a status file.
  /^var\/lib\/dpkg\/status\.d\/[^/.]+$/,
  /^usr\/(local\/)?lib\/python3\.\d+\/venv\/scripts\/(common|posix)\/[^/]+$/,
  /^usr\/(local\/)?lib\/python3\.\d+\/venv\/__init__\.py$/,
];

export async function baseFacts(store: Store, base: BaseImage): Promise<BaseFacts> {
  const cached = await store.getMeta<BaseFacts>('base-facts', `${FACTS_FORMAT}-${base.config.digest}`);
  if (cached) return cached;
  const facts: BaseFacts = { links: {}, files: {}, topLinks: [] };
  for (const layer of base.layers) {
    const extract = tar.extract();
    await new Promise<void>((resolve, reject) => {
      extract.on('entry', (h, body, next) => {
        const name = h.name.replace(/^\.?\//, '').replace(/\/$/, '');
        const base_ = path.posix.basename(name);
        if (base_.startsWith('.wh.')) {
          const gone = path.posix.join(path.posix.dirname(name), base_.slice(4));
          delete facts.links[gone];
          delete facts.files[gone];
        }
        if (h.type === 'symlink' && h.linkname) {
          facts.links[name] = h.linkname;
          if (!name.includes('/')) facts.topLinks.push(name);
          delete facts.files[name];
        } else if (h.type === 'directory' && !name.includes('/')) {
          facts.topLinks = facts.topLinks.filter((t) => t !== name);
        }
        if (h.type === 'file' && /(^|\/)lib(64)?\/([\w]+-linux-gnu\/)?libc\.so\.6$/.test(name)) {
          const chunks: Buffer[] = [];
          body.on('data', (c: unknown) => chunks.push(c as Buffer));
          body.on('end', () => {
            const m = /release version (\d+\.\d+)/.exec(Buffer.concat(chunks).toString('latin1'));
            if (m?.[1]) facts.glibc = m[1];
            next();
          });
          return;
        }
        if (h.type === 'file' && WANTED.some((re) => re.test(name))) {
          const chunks: Buffer[] = [];
          body.on('data', (c: unknown) => chunks.push(c as Buffer));
          body.on('end', () => {
            facts.files[name] = {
              mode: h.mode ?? 0o644,
              gid: h.gid ?? 0,
              data: Buffer.concat(chunks).toString('latin1'),
            };
            delete facts.links[name];
            next();
          });
          return;
        }
        body.on('end', () => next());
        body.resume();
      });
      extract.on('finish', resolve);
      extract.on('error', reject);
      const s = store.stream(layer.digest);
      s.on('error', reject);
      s.pipe(new DecompressMaybe({ maxBytes: 64 * 2 ** 30, maxRatio: 1e9 }))
        .on('error', reject)
        .pipe(extract);
    });
  }
  facts.topLinks = [...new Set(facts.topLinks)].filter((t) => t in facts.links).sort();
  await store.putMeta('base-facts', `${FACTS_FORMAT}-${base.config.digest}`, facts);
  return facts;
}

/** Resolve symlinks in the base's filesystem (absolute and relative targets, merged /usr). */
export function realPath(facts: BaseFacts, p: string): string {
  let parts = p.replace(/^\/+/, '').split('/');
  for (let hops = 0; hops < 40; hops++) {
    let changed = false;
    for (let i = 1; i <= parts.length; i++) {
      const prefix = parts.slice(0, i).join('/');
      const target = facts.links[prefix];
      if (target === undefined) continue;
      const dir = parts.slice(0, i - 1).join('/');
      const joined = target.startsWith('/') ? target.slice(1) : path.posix.join(dir, target);
      parts = [...path.posix.normalize(joined).split('/'), ...parts.slice(i)].filter((s) => s && s !== '.');
      changed = true;
      break;
    }
    if (!changed) return `/${parts.join('/')}`;
  }
  throw new InputError(`${p}: too many symlinks in the base image`);
}

/** Every dpkg stanza of the base: /var/lib/dpkg/status, or status.d/* on distroless images. */
export function dpkgStanzas(facts: BaseFacts): string[] {
  const out: string[] = [];
  for (const [p, f] of Object.entries(facts.files))
    if (p === 'var/lib/dpkg/status' || p.startsWith('var/lib/dpkg/status.d/'))
      out.push(...f.data.split(/\n\s*\n/).filter((s) => s.trim()));
  return out;
}

export function dpkgVersion(facts: BaseFacts, pkg: string): string | null {
  for (const stanza of dpkgStanzas(facts)) {
    if (!new RegExp(`^Package: ${pkg.replace(/[.+]/g, '\\$&')}$`, 'm').test(stanza)) continue;
    const v = /^Version: (.+)$/m.exec(stanza);
    if (v?.[1]) return v[1];
  }
  return null;
}

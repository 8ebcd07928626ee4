/**
 * Config, manifest and outputs: an OCI image layout directory, a docker-loadable archive (the same
 * layout plus Docker's manifest.json, which the classic image store still requires), and `docker
 * load` of that archive streamed to the engine.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, promises as fsp } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import tar from 'tar-stream';
import type { Descriptor, Store } from './store.js';

export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const OCI_LAYER_GZIP = 'application/vnd.oci.image.layer.v1.tar+gzip';

export interface BuiltImage {
  config: Descriptor;
  manifest: Descriptor;
  layers: Descriptor[];
  /** The tag written in the outputs, 'name:tag'. */
  tag: string;
}

export async function writeManifest(
  store: Store,
  configBytes: Buffer,
  layers: Descriptor[],
): Promise<BuiltImage> {
  const configDigest = await store.putBuffer(configBytes);
  const config = { mediaType: OCI_CONFIG, digest: configDigest, size: configBytes.length };
  const manifestBytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_MANIFEST,
      config,
      layers: layers.map((l) => ({ mediaType: l.mediaType, digest: l.digest, size: l.size })),
    }),
  );
  const manifestDigest = await store.putBuffer(manifestBytes);
  return {
    config,
    manifest: { mediaType: OCI_MANIFEST, digest: manifestDigest, size: manifestBytes.length },
    layers,
    tag: '',
  };
}

function indexJson(img: BuiltImage): string {
  const ref = img.tag.includes(':') ? img.tag.slice(img.tag.lastIndexOf(':') + 1) : 'latest';
  return JSON.stringify({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: [
      {
        ...img.manifest,
        annotations: { 'io.containerd.image.name': img.tag, 'org.opencontainers.image.ref.name': ref },
      },
    ],
  });
}

const hexOf = (d: string) => d.slice('sha256:'.length);

export async function writeOciLayout(store: Store, img: BuiltImage, dir: string): Promise<void> {
  const blobs = path.join(dir, 'blobs', 'sha256');
  await fsp.mkdir(blobs, { recursive: true });
  for (const d of [img.manifest, img.config, ...img.layers]) {
    const dest = path.join(blobs, hexOf(d.digest));
    try {
      await fsp.access(dest);
      continue;
    } catch {}
    try {
      await fsp.link(store.blobPath(d.digest), dest);
    } catch {
      await fsp.copyFile(store.blobPath(d.digest), dest);
    }
  }
  await fsp.writeFile(path.join(dir, 'oci-layout'), '{"imageLayoutVersion":"1.0.0"}');
  await fsp.writeFile(path.join(dir, 'index.json'), indexJson(img));
}

/** The docker-archive as a stream: OCI layout + manifest.json, members in a fixed order. */
export function dockerArchive(store: Store, img: BuiltImage): tar.Pack {
  const pack = tar.pack();
  const mtime = new Date(0);
  const small = (name: string, text: string) =>
    new Promise<void>((res, rej) =>
      pack.entry({ name, mode: 0o644, mtime, uid: 0, gid: 0 }, text, (e) => (e ? rej(e) : res())),
    );
  (async () => {
    await small('oci-layout', '{"imageLayoutVersion":"1.0.0"}');
    await small('index.json', indexJson(img));
    await small(
      'manifest.json',
      JSON.stringify([
        {
          Config: `blobs/sha256/${hexOf(img.config.digest)}`,
          RepoTags: [img.tag],
          Layers: img.layers.map((l) => `blobs/sha256/${hexOf(l.digest)}`),
        },
      ]),
    );
    const seen = new Set<string>();
    for (const d of [img.manifest, img.config, ...img.layers]) {
      if (seen.has(d.digest)) continue;
      seen.add(d.digest);
      await new Promise<void>((res, rej) => {
        const entry = pack.entry(
          { name: `blobs/sha256/${hexOf(d.digest)}`, size: d.size, mode: 0o644, mtime, uid: 0, gid: 0 },
          (e) => (e ? rej(e) : res()),
        );
        const s = store.stream(d.digest);
        s.on('error', rej);
        s.pipe(entry);
      });
    }
    pack.finalize();
  })().catch((err) => pack.destroy(err as Error));
  return pack;
}

export async function writeDockerArchive(store: Store, img: BuiltImage, file: string): Promise<void> {
  await fsp.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  await pipeline(dockerArchive(store, img), createWriteStream(file));
}

/** `docker load` from a stream of the archive: no temporary file. */
export async function loadIntoEngine(
  store: Store,
  img: BuiltImage,
  engine = process.env.PYCONTAIN_ENGINE || 'docker',
): Promise<string> {
  const child = spawn(engine, ['load'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exited = new Promise<number>((res, rej) => {
    child.on('error', rej);
    child.on('close', (code) => res(code ?? 1));
  });
  try {
    await pipeline(dockerArchive(store, img), child.stdin);
  } catch (e) {
    const code = await exited;
    throw new Error(`${engine} load failed (${code}): ${err.trim() || (e as Error).message}`);
  }
  const code = await exited;
  if (code !== 0) throw new Error(`${engine} load failed (${code}): ${err.trim() || out.trim()}`);
  return out.trim();
}

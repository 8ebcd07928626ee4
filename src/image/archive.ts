/**
 * Image readers: docker-archive tars (legacy layout, Docker 25+ OCI-inside-tar, containerd image
 * store's), OCI image layout directories and tars, and images streamed from the engine. Every layer
 * is scanned in one streaming pass as it arrives; the order is resolved once the manifest is known
 * (`docker save` may write manifest.json after the layers).
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { InputError } from '../plan.js';
import type { DecompressLimits } from './decompress.js';
import { sniffCompression } from './decompress.js';
import { type EngineKind, saveImageStream } from './engine.js';
import {
  type BlobDigest,
  type BlobHasher,
  type DigestAlgorithm,
  digestAlgorithm,
  digestOf,
  sharedHasher,
} from './hasher.js';
import {
  LayerCollector,
  LayerError,
  type LayerScan,
  READ_SIZE,
  type ScanOptions,
  scanLayer,
} from './layer.js';
import { type EntrySink, normalizeEntryPath, TarFormatError, TarParser } from './tar.js';

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  comment?: string;
  empty_layer?: boolean;
}

export interface ImageConfig {
  architecture?: string;
  os?: string;
  variant?: string;
  config?: {
    User?: string;
    Env?: string[] | null;
    WorkingDir?: string;
    Entrypoint?: string[] | null;
    Cmd?: string[] | null;
    Labels?: Record<string, string> | null;
    ExposedPorts?: Record<string, unknown> | null;
  };
  rootfs?: { type?: string; diff_ids?: string[] };
  history?: HistoryEntry[];
}

export type ArchiveFormat =
  | 'docker-archive-legacy'
  | 'docker-archive-oci'
  | 'docker-archive-containerd'
  | 'oci-layout'
  | 'oci-archive'
  /** containers/image `dir:` (podman save --format docker-dir, skopeo copy dir:). */
  | 'dir-transport';

export interface LoadedLayer {
  /** Blob digest as stored (compressed digest for OCI layouts, diff_id for Docker 25+ archives). */
  digest: string | null;
  diffId: string | null;
  mediaType: string | null;
  /** Where the blob is: the archive member or blob path. */
  blob: string;
  scan: LayerScan;
}

export interface LoadedImage {
  /** What the user asked for: image reference, archive path, or layout directory. */
  name: string;
  format: ArchiveFormat;
  tags: string[];
  configDigest: string | null;
  config: ImageConfig;
  layers: LoadedLayer[];
  warnings: string[];
}

export type ImageSource =
  | { kind: 'engine'; ref: string; engine?: EngineKind }
  | { kind: 'archive'; path: string; ref?: string }
  | { kind: 'oci'; path: string; ref?: string };

export interface LoadOptions {
  limits?: DecompressLimits;
  /** 'os/arch[/variant]' for multi-platform indexes; default: the only one, else linux/amd64. */
  platform?: string;
  /** Stream to read instead of spawning the engine (tests). */
  stream?: Readable;
  /** Read and decompress every layer but parse nothing (the benchmark's raw-read baseline). */
  discard?: boolean;
  /**
   * Check every layer blob against its digest (default true): the manifest's descriptor digest over
   * the stored bytes, or for legacy docker-archives the config's diff_id over the uncompressed tar.
   */
  verify?: boolean;
}

const JSON_CAP = 16 << 20;
const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

interface Descriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
  platform?: { os?: string; architecture?: string; variant?: string };
  annotations?: Record<string, string>;
}
interface OciIndex {
  mediaType?: string;
  manifests?: Descriptor[] | null;
}
interface OciManifest {
  mediaType?: string;
  config?: Descriptor;
  layers?: Descriptor[] | null;
  manifests?: Descriptor[] | null;
}
interface LegacyManifestEntry {
  Config?: string;
  RepoTags?: string[] | null;
  Layers?: string[];
}

/** Decide a source from the user's argument: an existing file or directory, else an engine reference. */
export async function resolveSource(arg: string, engine?: EngineKind): Promise<ImageSource> {
  const prefixes: Array<[string, (rest: string) => ImageSource]> = [
    ['docker-archive:', (p) => ({ kind: 'archive', path: p })],
    ['oci-archive:', (p) => ({ kind: 'archive', path: p })],
    ['oci:', (p) => ({ kind: 'oci', path: p.replace(/:[^/:]+$/, (m) => (m.includes('/') ? m : '')) })],
    ['docker-daemon:', (r) => ({ kind: 'engine', ref: r, engine: 'docker' })],
    ['docker:', (r) => ({ kind: 'engine', ref: r, engine: 'docker' })],
    ['podman:', (r) => ({ kind: 'engine', ref: r, engine: 'podman' })],
  ];
  for (const [p, make] of prefixes) if (arg.startsWith(p)) return make(arg.slice(p.length));
  try {
    const st = await fsp.stat(arg);
    if (st.isDirectory()) return { kind: 'oci', path: arg };
    return { kind: 'archive', path: arg };
  } catch {
    // Image references never start like a path or end like an archive: a missing file is bad input.
    if (/^(\/|\.\.?\/|~)|\.(tar|tar\.gz|tgz|oci)$/.test(arg))
      throw new InputError('no such file or directory', arg);
    return { kind: 'engine', ref: arg, ...(engine ? { engine } : {}) };
  }
}

function parseJson<T>(buf: Buffer, file: string): T {
  try {
    return JSON.parse(buf.toString('utf8')) as T;
  } catch (err) {
    throw new InputError(`not valid JSON: ${(err as Error).message}`, file);
  }
}

function blobPath(digest: string | undefined, file: string): string {
  if (!digest || !DIGEST.test(digest)) {
    throw new InputError(`invalid or missing digest ${JSON.stringify(digest ?? null)}`, file);
  }
  const [alg, hex] = digest.split(':');
  return `blobs/${alg}/${hex}`;
}

function hostPlatform(): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch === 'arm64' ? 'arm64' : process.arch;
  return `linux/${arch}`;
}

function isAttestation(d: Descriptor): boolean {
  return (
    d.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
    (d.platform?.os === 'unknown' && d.platform?.architecture === 'unknown')
  );
}

const INDEX_TYPES = new Set([
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
]);

function checkDigest(buf: Buffer, expected: string, file: string, what: string): void {
  const alg = digestAlgorithm(expected);
  if (!alg) return;
  const got = digestOf(buf, alg);
  if (got !== expected)
    throw new InputError(`${what} does not match its digest: expected ${expected}, read ${got}`, file);
}

/** Common resolution over a blob store (archive members in memory or files in a directory). */
interface Store {
  json(p: string): Promise<Buffer | null>;
  layer(p: string, d: Descriptor | null): Promise<LayerScan | null>;
  has(p: string): Promise<boolean>;
}

async function resolveFromIndex(
  store: Store,
  indexFile: string,
  opts: LoadOptions,
  ref: string | undefined,
  warnings: string[],
): Promise<{ manifest: OciManifest; manifestFile: string; nested: boolean; tags: string[] }> {
  const raw = await store.json(indexFile);
  if (!raw)
    throw new InputError('no index.json or manifest.json: not an image archive or OCI layout', indexFile);
  let index = parseJson<OciIndex>(raw, indexFile);
  let file = indexFile;
  let nested = false;
  let tags: string[] = [];
  for (let depth = 0; depth < 8; depth++) {
    const all = (index.manifests ?? []).filter((d) => !isAttestation(d));
    if (all.length === 0) throw new InputError('the index lists no image manifest', file);
    let candidates = all;
    if (depth === 0 && ref) {
      const named = all.filter((d) => {
        const n =
          d.annotations?.['io.containerd.image.name'] ?? d.annotations?.['org.opencontainers.image.ref.name'];
        return n === ref || (n !== undefined && (n.endsWith(`/${ref}`) || n.endsWith(`:${ref}`)));
      });
      if (named.length) candidates = named;
    }
    let chosen: Descriptor;
    if (candidates.length === 1) chosen = candidates[0]!;
    else {
      const want = opts.platform ?? hostPlatform();
      const [os, arch, variant] = want.split('/');
      const withPlatform = candidates.filter((d) => d.platform);
      const match = withPlatform.find(
        (d) =>
          d.platform!.os === os &&
          d.platform!.architecture === arch &&
          (!variant || d.platform!.variant === variant),
      );
      if (match) chosen = match;
      else if (withPlatform.length === 0) {
        chosen = candidates[0]!;
        warnings.push(
          `${file} lists ${candidates.length} images; analyzing the first (name one with its tag)`,
        );
      } else {
        const avail = withPlatform.map((d) => `${d.platform!.os}/${d.platform!.architecture}`).join(', ');
        throw new InputError(`no manifest for platform ${want} (available: ${avail}); use --platform`, file);
      }
    }
    const name =
      chosen.annotations?.['io.containerd.image.name'] ??
      chosen.annotations?.['org.opencontainers.image.ref.name'];
    if (name && tags.length === 0) tags = [name];
    const p = blobPath(chosen.digest, file);
    const buf = await store.json(p);
    if (!buf) throw new InputError(`${file} names a manifest blob that is missing: ${chosen.digest}`, p);
    if (opts.verify !== false) checkDigest(buf, chosen.digest!, p, 'manifest blob');
    const m = parseJson<OciManifest>(buf, p);
    if (m.manifests || INDEX_TYPES.has(m.mediaType ?? chosen.mediaType ?? '')) {
      index = m;
      file = p;
      nested = true;
      continue;
    }
    return { manifest: m, manifestFile: p, nested, tags };
  }
  throw new InputError('image indexes nested too deeply', file);
}

/** The manifest of a containers/image `dir:` layout, or null when manifest.json is docker save's list. */
async function dirTransportManifest(store: Store): Promise<OciManifest | null> {
  const buf = await store.json('manifest.json');
  if (!buf) return null;
  const m = parseJson<unknown>(buf, 'manifest.json');
  if (!m || Array.isArray(m) || typeof m !== 'object') return null;
  if ((m as { schemaVersion?: unknown }).schemaVersion !== 2) {
    throw new InputError(
      `unsupported manifest (schemaVersion ${JSON.stringify((m as { schemaVersion?: unknown }).schemaVersion ?? null)}); expected docker save's list or an image manifest with schemaVersion 2`,
      'manifest.json',
    );
  }
  return m as OciManifest;
}

async function assemble(
  store: Store,
  name: string,
  ref: string | undefined,
  opts: LoadOptions,
  hasLegacyManifest: boolean,
  hasOciLayout: boolean,
  kindHint: 'archive' | 'dir',
): Promise<LoadedImage> {
  const warnings: string[] = [];
  let configFile: string;
  let layerRefs: Array<{ blob: string; d: Descriptor | null }>;
  let tags: string[] = [];
  let nested = false;
  let ociLayers: Descriptor[] | null = null;

  if (hasOciLayout && (await store.has('index.json'))) {
    try {
      const r = await resolveFromIndex(store, 'index.json', opts, ref, warnings);
      nested = r.nested;
      ociLayers = r.manifest.layers ?? null;
      if (!hasLegacyManifest) {
        if (!r.manifest.config) throw new InputError('manifest has no config', r.manifestFile);
        configFile = blobPath(r.manifest.config.digest, r.manifestFile);
        layerRefs = (r.manifest.layers ?? []).map((d) => ({ blob: blobPath(d.digest, r.manifestFile), d }));
        tags = r.tags;
      }
    } catch (err) {
      // Docker 25.0.0-25.0.2 could write an index with "manifests": null; manifest.json still works.
      if (!hasLegacyManifest) throw err;
      warnings.push(`index.json unusable (${(err as Error).message}); using manifest.json`);
    }
  }
  const dirManifest = hasLegacyManifest && !hasOciLayout ? await dirTransportManifest(store) : null;
  if (dirManifest) {
    // containers/image's `dir:` layout (podman save --format docker-dir, skopeo copy dir:): one
    // manifest, blobs stored under their bare hex digest.
    const hex = (d: string | undefined) => blobPath(d, 'manifest.json').split('/')[2]!;
    if (!dirManifest.config) throw new InputError('manifest has no config', 'manifest.json');
    configFile = hex(dirManifest.config.digest);
    layerRefs = (dirManifest.layers ?? []).map((d) => ({ blob: hex(d.digest), d }));
  } else if (hasLegacyManifest) {
    const list = parseJson<LegacyManifestEntry[]>((await store.json('manifest.json'))!, 'manifest.json');
    if (!Array.isArray(list) || list.length === 0)
      throw new InputError('manifest.json lists no image', 'manifest.json');
    let entry = list[0]!;
    if (list.length > 1) {
      const m = ref
        ? list.find((e) => (e.RepoTags ?? []).some((t) => t === ref || t === `${ref}:latest`))
        : undefined;
      if (m) entry = m;
      else
        warnings.push(
          `manifest.json lists ${list.length} images; analyzing the first (${(entry.RepoTags ?? []).join(', ') || 'untagged'})`,
        );
    }
    if (!entry.Config || !Array.isArray(entry.Layers))
      throw new InputError('manifest.json entry lacks Config or Layers', 'manifest.json');
    configFile = normalizeEntryPath(entry.Config).path;
    layerRefs = entry.Layers.map((l, i) => ({ blob: normalizeEntryPath(l).path, d: ociLayers?.[i] ?? null }));
    tags = entry.RepoTags ?? [];
    if (ociLayers && ociLayers.length !== entry.Layers.length) {
      warnings.push(
        `index.json manifest has ${ociLayers.length} layers but manifest.json ${entry.Layers.length}; using manifest.json`,
      );
    }
  }
  const cfgBuf = await store.json(configFile!);
  if (!cfgBuf) throw new InputError('the manifest names a config blob that is missing', configFile!);
  const cfgAlg = BLOB_MEMBER.exec(configFile!)?.[1] as DigestAlgorithm | undefined;
  if (opts.verify !== false && cfgAlg)
    checkDigest(
      cfgBuf,
      `${cfgAlg}:${configFile!.slice(configFile!.lastIndexOf('/') + 1)}`,
      configFile!,
      'config blob',
    );
  const config = parseJson<ImageConfig>(cfgBuf, configFile!);
  const diffIds = config.rootfs?.diff_ids ?? [];
  if (diffIds.length !== layerRefs!.length) {
    warnings.push(`config lists ${diffIds.length} diff_ids but the manifest ${layerRefs!.length} layers`);
  }
  const layers: LoadedLayer[] = [];
  for (const [i, { blob, d }] of layerRefs!.entries()) {
    const scan = await store.layer(blob, d);
    if (!scan)
      throw new InputError(`the manifest names a layer blob that is missing: ${d?.digest ?? blob}`, blob);
    const fromPath = /^blobs\/(sha256|sha512)\/([a-f0-9]+)$/.exec(blob);
    if (scan.digest) {
      // The stored bytes answer to the descriptor (or the content address they are stored under); a
      // legacy layer.tar answers to the config's diff_id for its position.
      const expected =
        scan.digestOf === 'stored'
          ? (d?.digest ?? (fromPath ? `${fromPath[1]}:${fromPath[2]}` : null))
          : (diffIds[i] ?? null);
      if (!expected) warnings.push(`layer ${i} (${blob}): no digest to verify it against`);
      else if (expected !== scan.digest)
        throw new InputError(
          `layer ${i} does not match its digest (corrupt or tampered blob): expected ${expected}, read ${scan.digest}${scan.digestOf === 'tar' ? ' over the uncompressed tar (rootfs.diff_ids)' : ''}`,
          blob,
        );
    }
    layers.push({
      digest: d?.digest ?? (fromPath ? `${fromPath[1]}:${fromPath[2]}` : null),
      diffId: diffIds[i] ?? null,
      mediaType: d?.mediaType ?? null,
      blob,
      scan,
    });
  }
  let format: ArchiveFormat;
  if (dirManifest) format = 'dir-transport';
  else if (!hasOciLayout) format = 'docker-archive-legacy';
  else if (!hasLegacyManifest) format = kindHint === 'dir' ? 'oci-layout' : 'oci-archive';
  else if (nested || layers.some((l) => l.scan.compression !== 'none')) format = 'docker-archive-containerd';
  else format = 'docker-archive-oci';
  return {
    name,
    format,
    tags,
    configDigest: /^blobs\/sha256\/[a-f0-9]{64}$/.test(configFile!)
      ? `sha256:${configFile!.slice(13)}`
      : dirManifest
        ? (dirManifest.config?.digest ?? null)
        : null,
    config,
    layers,
    warnings,
  };
}

/** Chunks of one archive member, handed from the outer tar parser to the task that reads it. */
class MemberQueue implements AsyncIterable<Buffer> {
  private parts: Buffer[] = [];
  private ended = false;
  private wakeReader: (() => void) | null = null;
  private wakeWriter: (() => void) | null = null;

  push(b: Buffer): void {
    this.parts.push(b);
    this.wakeReader?.();
  }
  end(): void {
    this.ended = true;
    this.wakeReader?.();
  }
  /** Resolves once the reader has taken everything pushed so far (or returned early). */
  taken(): Promise<void> | undefined {
    if (this.parts.length === 0) return undefined;
    return new Promise((resolve) => {
      this.wakeWriter = resolve;
    });
  }
  private release(): void {
    const w = this.wakeWriter;
    this.wakeWriter = null;
    w?.();
  }
  async *[Symbol.asyncIterator](): AsyncGenerator<Buffer> {
    try {
      for (;;) {
        if (this.parts.length) {
          const b = this.parts.shift()!;
          if (this.parts.length === 0) this.release();
          yield b;
        } else if (this.ended) return;
        else
          await new Promise<void>((resolve) => {
            this.wakeReader = resolve;
          });
        this.wakeReader = null;
      }
    } finally {
      // The reader stopped (done or failed): never leave the writer waiting.
      this.parts = [];
      this.release();
    }
  }
}

const BLOB_MEMBER = /^blobs\/(sha256|sha512)\/[a-f0-9]+$/;

/** What to hash for a blob: stored bytes for content-addressed blobs, the uncompressed tar (diff_id) otherwise. */
function hashPlan(
  p: string,
  expected: string | null,
  hasher: BlobHasher | null,
): ScanOptions['hash'] | undefined {
  if (!hasher) return undefined;
  const byPath = BLOB_MEMBER.exec(p)?.[1] as DigestAlgorithm | undefined;
  const alg = digestAlgorithm(expected) ?? byPath;
  if (alg) return { of: 'stored', alg, hasher };
  return { of: 'tar', alg: 'sha256', hasher };
}

/** Read one streamed archive (docker save output or a tar file) in a single pass. */
export async function loadArchiveStream(
  stream: Readable | AsyncIterable<Buffer>,
  name: string,
  ref: string | undefined,
  opts: LoadOptions,
): Promise<LoadedImage> {
  const hasher = opts.verify === false || opts.discard ? null : sharedHasher();
  try {
    return await readArchiveStream(stream as AsyncIterable<Buffer>, name, ref, opts, hasher);
  } finally {
    if ('destroy' in stream && typeof stream.destroy === 'function') stream.destroy();
  }
}

/**
 * A file read in READ_SIZE chunks into two buffers used in turn: the next read is in flight while the
 * caller works on the current chunk, and nothing is allocated per read (1 MiB allocations would each
 * count as external memory and drive V8 into full collections). A chunk is valid until the next one is
 * asked for; whoever keeps bytes longer copies them.
 */
async function* fileChunks(file: string): AsyncGenerator<Buffer> {
  const fh = await fsp.open(file, 'r');
  let pending: Promise<{ bytesRead: number }> | undefined;
  try {
    const bufs = [Buffer.allocUnsafeSlow(READ_SIZE), Buffer.allocUnsafeSlow(READ_SIZE)];
    let k = 0;
    pending = fh.read(bufs[0]!, 0, READ_SIZE, null);
    for (;;) {
      const { bytesRead } = await pending;
      if (bytesRead === 0) return;
      const cur = bufs[k]!;
      k ^= 1;
      pending = fh.read(bufs[k]!, 0, READ_SIZE, null);
      yield bytesRead === READ_SIZE ? cur : cur.subarray(0, bytesRead);
    }
  } finally {
    // The reader may stop early (an error): let the read in flight land before closing.
    await pending?.catch(() => {});
    await fh.close();
  }
}

/** A plain (uncompressed) layer member parsed synchronously as the outer archive is parsed. */
class PlainMember {
  readonly collector: LayerCollector | null;
  readonly parser: TarParser | null;
  blobSize = 0;
  private dg: BlobDigest | null;
  constructor(
    private readonly p: string,
    private readonly opts: LoadOptions,
    private readonly hash: ScanOptions['hash'] | undefined,
  ) {
    this.collector = opts.discard ? null : new LayerCollector();
    this.parser = this.collector ? new TarParser(this.collector) : null;
    this.dg = hash ? hash.hasher.start(hash.alg) : null;
  }
  write(chunk: Buffer): void {
    this.blobSize += chunk.length;
    const max = this.opts.limits?.maxBytes;
    if (max !== undefined && this.blobSize > max)
      throw new LayerError(`${this.p}: layer decompresses to more than ${max} bytes`, this.p);
    this.dg?.update(chunk);
    const parser = this.parser;
    if (parser && !parser.ended) {
      try {
        parser.write(chunk);
      } catch (err) {
        throw this.wrap(err as Error);
      }
    }
  }
  private wrap(e: Error): LayerError {
    const where = e instanceof TarFormatError ? ` at byte ${e.offset}` : '';
    return new LayerError(`${this.p}: ${e.message}${where}`, this.p);
  }
  /** The load failed: let the worker drop this digest's state. */
  abandon(): void {
    const dg = this.dg;
    this.dg = null;
    dg?.digest().catch(() => {});
  }
  async finish(): Promise<LayerScan> {
    try {
      this.parser?.end();
    } catch (err) {
      throw this.wrap(err as Error);
    }
    const c = this.collector;
    const scan: LayerScan = {
      entries: c?.entries ?? [],
      tarSize: this.parser ? this.parser.bytes : this.blobSize,
      blobSize: this.blobSize,
      compression: 'none',
      size: c?.size ?? 0,
      files: c?.files ?? 0,
      warnings: c?.warnings ?? [],
    };
    const dg = this.dg;
    this.dg = null;
    if (dg && this.hash) {
      scan.digest = await dg.digest();
      scan.digestOf = this.hash.of;
    }
    return scan;
  }
}

async function readArchiveStream(
  chunks: AsyncIterable<Buffer>,
  name: string,
  ref: string | undefined,
  opts: LoadOptions,
  hasher: BlobHasher | null,
): Promise<LoadedImage> {
  const jsons = new Map<string, Buffer>();
  const scans = new Map<string, LayerScan>();
  const links = new Map<string, string>();
  const members = new Set<string>();
  const tasks: Promise<void>[] = [];
  let failure: unknown = null;
  let wakeOnFailure: (() => void) | null = null;
  let current: MemberQueue | null = null;
  const plains: PlainMember[] = [];
  const queues: MemberQueue[] = [];
  const task = (t: Promise<void>) =>
    tasks.push(
      t.catch((err) => {
        failure = failure ?? err;
        wakeOnFailure?.();
      }),
    );
  const scanOpts = (p: string): ScanOptions => {
    const hash = hashPlan(p, null, hasher);
    return {
      name: p,
      ...(opts.limits ? { limits: opts.limits } : {}),
      ...(hash ? { hash } : {}),
      ...(opts.discard ? { discard: true } : {}),
    };
  };

  /**
   * One file member. Its first 512 bytes tell what it is; a plain layer is then parsed in place
   * (synchronously, from the read buffer), a compressed one goes to an async reader (with copies:
   * the read buffer is reused), metadata is collected.
   */
  const memberSink = (p: string): EntrySink => {
    const head = Buffer.allocUnsafe(512);
    let headLen = 0;
    let kind: 'head' | 'json' | 'plain' | 'async' | 'skip' = 'head';
    let plain: PlainMember | null = null;
    let queue: MemberQueue | null = null;
    let parts: Buffer[] = [];
    let size = 0;
    const take = (chunk: Buffer, copy: boolean) => {
      switch (kind) {
        case 'plain':
          plain!.write(chunk);
          break;
        case 'async':
          queue!.push(copy ? Buffer.from(chunk) : chunk);
          break;
        case 'json':
          size += chunk.length;
          if (size > JSON_CAP) throw new InputError(`metadata file larger than ${JSON_CAP} bytes`, p);
          parts.push(copy ? Buffer.from(chunk) : chunk);
          break;
      }
    };
    const decide = () => {
      const first = head.subarray(0, headLen);
      const k = classify(first, p);
      if (k === 'json') kind = 'json';
      else if (k === 'skip') kind = 'skip';
      else if (sniffCompression(first) === 'none') {
        kind = 'plain';
        plain = new PlainMember(p, opts, scanOpts(p).hash);
        plains.push(plain);
      } else {
        kind = 'async';
        const q = new MemberQueue();
        queue = q;
        current = q;
        queues.push(q);
        task(
          scanLayer(q, scanOpts(p)).then((scan) => {
            scans.set(p, scan);
          }),
        );
      }
      if (headLen) take(Buffer.from(first), false);
    };
    return {
      data(chunk) {
        if (kind === 'head') {
          const n = Math.min(512 - headLen, chunk.length);
          chunk.copy(head, headLen, 0, n);
          headLen += n;
          if (headLen < 512) return;
          decide();
          if (n < chunk.length) take(chunk.subarray(n), true);
          return;
        }
        take(chunk, true);
      },
      end() {
        if (kind === 'head') decide();
        if (kind === 'json') {
          jsons.set(p, Buffer.concat(parts, size));
          parts = [];
        } else if (kind === 'plain') {
          const m = plain!;
          task(
            m.finish().then((scan) => {
              scans.set(p, scan);
            }),
          );
        } else if (kind === 'async') queue!.end();
      },
    };
  };

  const outer = new TarParser({
    entry(e): EntrySink | undefined {
      const p = e.path;
      members.add(p);
      if (e.type === 'symlink' || e.type === 'hardlink') {
        // Legacy archives store a repeated layer as a link to the first copy.
        const target =
          e.type === 'symlink'
            ? normalizeEntryPath(path.posix.join(path.posix.dirname(p), e.linkname)).path
            : e.linkname;
        links.set(p, target);
        return undefined;
      }
      if (e.type !== 'file') return undefined;
      return memberSink(p);
    },
  });
  const failed = new Promise<void>((resolve) => {
    wakeOnFailure = resolve;
  });

  try {
    for await (const chunk of chunks) {
      if (failure) break;
      if (!outer.ended) outer.write(chunk);
      // Let the async member reader and the digest worker catch up: memory stays bounded.
      const w = (current as MemberQueue | null)?.taken();
      if (w) await Promise.race([w, failed]);
      const r = hasher?.room();
      if (r) await Promise.race([r, failed]);
    }
    if (!failure) outer.end();
    if (!failure) await Promise.race([Promise.all(tasks), failed]);
    if (failure) throw failure;
  } catch (err) {
    // Nothing left waiting on the failed load: readers see their input end, digests are dropped.
    for (const m of plains) m.abandon();
    for (const q of queues) q.end();
    if (err instanceof InputError) throw err;
    if (err instanceof LayerError) throw new InputError(err.message, name);
    const e = err as Error & { exitCode?: number };
    if (e.exitCode !== undefined) throw e;
    const where = e instanceof TarFormatError ? ` at byte ${e.offset}` : '';
    throw new InputError(`cannot read the image archive: ${e.message}${where}`, name);
  }
  const resolveLink = (p: string): string => {
    let cur = p;
    for (let i = 0; i < 16 && links.has(cur); i++) cur = links.get(cur)!;
    return cur;
  };
  const store: Store = {
    json: async (p) => jsons.get(resolveLink(p)) ?? null,
    layer: async (p) => scans.get(resolveLink(p)) ?? null,
    has: async (p) => members.has(p),
  };
  if (!members.has('manifest.json') && !members.has('index.json')) {
    throw new InputError('no manifest.json or index.json: not a docker-archive or OCI archive', name);
  }
  return assemble(store, name, ref, opts, jsons.has('manifest.json'), members.has('oci-layout'), 'archive');
}

function classify(head: Buffer, p: string): 'json' | 'layer' | 'skip' {
  const base = p.slice(p.lastIndexOf('/') + 1);
  if (base === 'layer.tar') return 'layer';
  if (base === 'oci-layout' || base === 'repositories' || base.endsWith('.json') || base === 'json')
    return 'json';
  if (base === 'VERSION') return 'skip';
  if (head.length === 0) return 'skip';
  if (sniffCompression(head) !== 'none') return 'layer';
  let i = 0;
  while (i < head.length && (head[i] === 0x20 || head[i] === 0x0a || head[i] === 0x0d || head[i] === 0x09))
    i++;
  if (head[i] === 0x7b || head[i] === 0x5b) return 'json';
  if (head.length >= 262 && head.toString('latin1', 257, 262) === 'ustar') return 'layer';
  if (head.length >= 512 && head.subarray(0, 512).every((b) => b === 0)) return 'layer';
  // A tar whose first header is old-style (no ustar magic): verify the checksum field loosely.
  if (head.length >= 512 && /^[0-7 \0]{6,8}$/.test(head.toString('latin1', 148, 156))) return 'layer';
  return 'skip';
}

/** Read an OCI image layout (or an extracted docker-archive) from a directory. */
export async function loadLayoutDir(
  dir: string,
  ref: string | undefined,
  opts: LoadOptions,
): Promise<LoadedImage> {
  const root = path.resolve(dir);
  const hasher = opts.verify === false || opts.discard ? null : sharedHasher();
  const inside = (p: string): string => {
    const abs = path.resolve(root, p);
    if (abs !== root && !abs.startsWith(root + path.sep))
      throw new InputError('path leaves the image directory', p);
    return abs;
  };
  const has = async (p: string) => {
    try {
      await fsp.access(inside(p));
      return true;
    } catch {
      return false;
    }
  };
  const store: Store = {
    has,
    json: async (p) => {
      const abs = inside(p);
      try {
        const st = await fsp.stat(abs);
        if (st.size > JSON_CAP) throw new InputError(`metadata file larger than ${JSON_CAP} bytes`, p);
        return await fsp.readFile(abs);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    layer: async (p, d) => {
      const abs = inside(p);
      if (!(await has(p))) return null;
      const hash = hashPlan(p, d?.digest ?? null, hasher);
      try {
        return await scanLayer(fileChunks(abs), {
          name: p,
          reusedBuffers: true,
          ...(opts.limits ? { limits: opts.limits } : {}),
          ...(hash ? { hash } : {}),
          ...(opts.discard ? { discard: true } : {}),
        });
      } catch (err) {
        if (err instanceof LayerError) throw new InputError(err.message.replace(`${p}: `, ''), p);
        throw err;
      }
    },
  };
  const hasOci = await has('oci-layout');
  const hasLegacy = await has('manifest.json');
  if (!hasOci && !hasLegacy) throw new InputError('not an OCI image layout: no oci-layout file', dir);
  return assemble(store, dir, ref, opts, hasLegacy && !hasOci, hasOci, 'dir');
}

/** Load any supported source. */
export async function loadImage(source: ImageSource, opts: LoadOptions = {}): Promise<LoadedImage> {
  if (source.kind === 'oci') return loadLayoutDir(source.path, source.ref, opts);
  if (source.kind === 'archive') {
    try {
      await fsp.access(source.path);
    } catch {
      throw new InputError('cannot read the image archive', source.path);
    }
    return loadArchiveStream(opts.stream ?? fileChunks(source.path), source.path, source.ref, opts);
  }
  const stream = opts.stream ?? (await saveImageStream(source.ref, source.engine ?? 'docker'));
  return loadArchiveStream(stream, source.ref, source.ref, opts);
}

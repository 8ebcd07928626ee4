/**
 * Blob digests computed off the main thread. SHA-256 runs at ~1.3 GB/s on one core (SHA-NI): on the
 * main thread it would cost more than reading an uncompressed layer from the page cache. Chunks are
 * staged into 1 MiB buffers (the only copy) that are transferred to a worker, which hashes while the
 * main thread parses. In-flight bytes are bounded; callers await `room()`.
 */
import { createHash, type Hash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

export type DigestAlgorithm = 'sha256' | 'sha512';

const STAGE = 1 << 20;
/** Most bytes handed to the worker and not yet hashed (memory bound). */
const MAX_IN_FLIGHT = 8 << 20;

// Plain CommonJS, evaluated: works the same from the sources (tests, tsx) and from dist.
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const hashes = new Map();
parentPort.on('message', (m) => {
  if (m.t === 0) hashes.set(m.id, createHash(m.alg));
  else if (m.t === 1) {
    hashes.get(m.id)?.update(new Uint8Array(m.b, 0, m.n));
    // The buffer goes back to be filled again: nothing is allocated per chunk on either side.
    parentPort.postMessage({ t: 1, n: m.n, b: m.b }, [m.b]);
  } else {
    const h = hashes.get(m.id);
    hashes.delete(m.id);
    parentPort.postMessage({ t: 2, id: m.id, d: h ? h.digest('hex') : '' });
  }
});
`;

type Reply = { t: 1; n: number; b: ArrayBuffer } | { t: 2; id: number; d: string };

/** One running digest. `update` may be called with any chunk; the bytes are copied before it returns. */
export interface BlobDigest {
  update(chunk: Uint8Array): void;
  /** 'alg:hex'. */
  digest(): Promise<string>;
}

/** Hashes many blobs concurrently in one worker thread; `inline` hashes on the calling thread (no worker). */
export class BlobHasher {
  private worker: Worker | null = null;
  private nextId = 1;
  private inFlight = 0;
  /** Staging buffers back from the worker, ready for reuse. */
  private free: ArrayBuffer[] = [];
  private waiters: Array<() => void> = [];
  private results = new Map<number, { resolve: (hex: string) => void; reject: (e: Error) => void }>();
  private failure: Error | null = null;

  constructor(private readonly inline = false) {}

  /** True once the worker failed: a new hasher is needed. */
  get failed(): boolean {
    return this.failure !== null;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(WORKER_SOURCE, {
      eval: true,
      execArgv: [],
      // A few MiB of heap: the worker only holds hash states and the staged buffers.
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
    });
    w.unref();
    w.on('message', (m: Reply) => {
      if (m.t === 1) {
        this.inFlight -= m.n;
        this.free.push(m.b);
        if (this.inFlight <= MAX_IN_FLIGHT / 2) this.wake();
      } else {
        const r = this.results.get(m.id);
        this.results.delete(m.id);
        this.release();
        r?.resolve(m.d);
      }
    });
    const fail = (e: Error) => {
      this.failure = this.failure ?? e;
      for (const r of this.results.values()) r.reject(this.failure);
      this.results.clear();
      this.active = 0;
      this.worker?.unref();
      this.wake();
    };
    w.on('error', fail);
    w.on('exit', (code) => {
      if (this.results.size || this.inFlight) fail(new Error(`digest worker exited with code ${code}`));
    });
    this.worker = w;
    return w;
  }

  /**
   * Digests started and not yet answered. The worker is referenced only while there are some: an idle
   * worker must not hold the process open, a busy one must, or a thread awaiting nothing but its
   * answers would see an empty event loop and exit.
   */
  private active = 0;
  private hold(w: Worker): void {
    if (this.active++ === 0) w.ref();
  }
  private release(): void {
    if (--this.active === 0) this.worker?.unref();
  }

  private wake(): void {
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w();
  }

  /** Resolves when the worker has caught up enough to take more bytes. */
  room(): Promise<void> | undefined {
    if (this.failure) return Promise.reject(this.failure);
    if (this.inFlight <= MAX_IN_FLIGHT) return undefined;
    return new Promise<void>((resolve) => this.waiters.push(resolve)).then(() => {
      if (this.failure) throw this.failure;
    });
  }

  start(alg: DigestAlgorithm): BlobDigest {
    if (this.inline) return inlineDigest(alg);
    const w = this.ensureWorker();
    this.hold(w);
    const id = this.nextId++;
    w.postMessage({ t: 0, id, alg });
    let stage: ArrayBuffer | null = null;
    let view: Uint8Array | null = null;
    let fill = 0;
    const flush = () => {
      if (!stage || fill === 0) return;
      this.inFlight += fill;
      w.postMessage({ t: 1, id, b: stage, n: fill }, [stage]);
      stage = null;
      view = null;
      fill = 0;
    };
    return {
      update: (chunk) => {
        let pos = 0;
        while (pos < chunk.length) {
          if (!stage) {
            stage = this.free.pop() ?? new ArrayBuffer(STAGE);
            view = new Uint8Array(stage);
          }
          const take = Math.min(STAGE - fill, chunk.length - pos);
          view!.set(take === chunk.length ? chunk : chunk.subarray(pos, pos + take), fill);
          fill += take;
          pos += take;
          if (fill === STAGE) flush();
        }
      },
      digest: () => {
        flush();
        return new Promise<string>((resolve, reject) => {
          if (this.failure) {
            reject(this.failure);
            return;
          }
          this.results.set(id, { resolve: (hex) => resolve(`${alg}:${hex}`), reject });
          w.postMessage({ t: 2, id });
        });
      },
    };
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}

let shared: BlobHasher | null = null;

/**
 * The process's digest worker, started on first use and kept (unref'd, it never holds the process
 * open): starting a worker costs ~40 ms of CPU, a third of reading a 200 MB layer from the page cache.
 */
export function sharedHasher(): BlobHasher {
  if (!shared || shared.failed) shared = new BlobHasher();
  return shared;
}

function inlineDigest(alg: DigestAlgorithm): BlobDigest {
  const h: Hash = createHash(alg);
  return {
    update: (chunk) => {
      h.update(chunk);
    },
    digest: async () => `${alg}:${h.digest('hex')}`,
  };
}

/** Digest of a small buffer (configs, manifests), on the calling thread. */
export function digestOf(buf: Uint8Array, alg: DigestAlgorithm): string {
  return `${alg}:${createHash(alg).update(buf).digest('hex')}`;
}

/** 'sha256' / 'sha512' from 'alg:hex', or null for anything else. */
export function digestAlgorithm(digest: string | undefined | null): DigestAlgorithm | null {
  if (!digest) return null;
  if (/^sha256:[a-f0-9]{64}$/.test(digest)) return 'sha256';
  if (/^sha512:[a-f0-9]{128}$/.test(digest)) return 'sha512';
  return null;
}

/**
 * Analysis throughput vs a plain decompress-and-discard read of the same layers, in the same run,
 * plus peak RSS. Runnable alone: `npx tsx bench/analyze.ts [image ...]` (default: the testenv's
 * full Python image, or pycontain.test/python:3.11). Engine images are saved to a temporary tar once
 * so both passes read identical bytes without the engine's own export time in the numbers.
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { analyzeLoaded } from '../src/image/analyze.js';
import { type ImageSource, loadImage, resolveSource } from '../src/image/archive.js';
import { DecompressMaybe } from '../src/image/decompress.js';
import { saveImageStream } from '../src/image/engine.js';
import type { LayerScan } from '../src/image/layer.js';

export interface AnalyzeBenchRow {
  image: string;
  format: string;
  layers: number;
  /** Uncompressed tar bytes of all layers. */
  tarBytes: number;
  /** Stored blob bytes of all layers. */
  blobBytes: number;
  baselineMs: number;
  analyzeMs: number;
  /** Uncompressed MB/s. */
  baselineMBps: number;
  analyzeMBps: number;
  /** analyze throughput / baseline throughput (target ≥ 0.8). */
  ratio: number;
  /** Peak RSS of a separate `pycontain analyze` process on the same input, MB (target ≤ 150 for 1 GB). */
  cliPeakRssMB: number | null;
}

export interface AnalyzeBenchResult {
  rows: AnalyzeBenchRow[];
  markdown: string;
}

async function discardLayer(source: NodeJS.ReadableStream, _name: string): Promise<LayerScan> {
  const dm = new DecompressMaybe();
  let bytes = 0;
  await pipeline(
    source,
    dm,
    new Writable({
      highWaterMark: 1 << 20,
      write(chunk: Buffer, _e, cb) {
        bytes += chunk.length;
        cb();
      },
    }),
  );
  return {
    entries: [],
    tarSize: bytes,
    blobSize: dm.bytesIn,
    compression: dm.compression ?? 'none',
    size: 0,
    files: 0,
    warnings: [],
  };
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t = process.hrtime.bigint();
  const r = await f();
  return [r, Number(process.hrtime.bigint() - t) / 1e6];
}

function cliRss(input: string): number | null {
  const main = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../dist/cli/main.js');
  const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, main, 'analyze', input, '--json'], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  const m = /(\d+)\s*$/.exec(r.stderr ?? '');
  return r.status === 0 && m ? Math.round(Number(m[1]) / 1024) : null;
}

async function benchOne(label: string, source: ImageSource, input: string): Promise<AnalyzeBenchRow> {
  // Warm the page cache and the JIT, then alternate the two passes and keep the best of each.
  await loadImage(source, { scanLayer: discardLayer });
  let best = { base: Number.POSITIVE_INFINITY, an: Number.POSITIVE_INFINITY };
  let tarBytes = 0;
  let blobBytes = 0;
  let format = '';
  let layers = 0;
  for (let i = 0; i < 3; i++) {
    const [base, baseMs] = await timed(() => loadImage(source, { scanLayer: discardLayer }));
    const [, anMs] = await timed(async () => analyzeLoaded(await loadImage(source)));
    tarBytes = base.layers.reduce((a, l) => a + l.scan.tarSize, 0);
    blobBytes = base.layers.reduce((a, l) => a + l.scan.blobSize, 0);
    format = base.format;
    layers = base.layers.length;
    best = { base: Math.min(best.base, baseMs), an: Math.min(best.an, anMs) };
  }
  const mb = tarBytes / 1e6;
  return {
    image: label,
    format,
    layers,
    tarBytes,
    blobBytes,
    baselineMs: Math.round(best.base),
    analyzeMs: Math.round(best.an),
    baselineMBps: Math.round(mb / (best.base / 1000)),
    analyzeMBps: Math.round(mb / (best.an / 1000)),
    ratio: Number((best.base / best.an).toFixed(3)),
    cliPeakRssMB: cliRss(input),
  };
}

/**
 * For each image: the uncompressed docker-save tar and, when skopeo is installed, the same image as an
 * OCI layout with gzip layers (where decompression dominates).
 */
export async function benchAnalyze(images: string[]): Promise<AnalyzeBenchResult> {
  if (images.length === 0) images = [process.env.PYCONTAIN_TEST_PYTHON_FULL ?? 'pycontain.test/python:3.11'];
  const rows: AnalyzeBenchRow[] = [];
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'pycontain-bench-analyze-'));
  const skopeo = spawnSync('skopeo', ['--version'], { stdio: 'ignore' }).status === 0;
  try {
    for (const [n, image] of images.entries()) {
      let source: ImageSource = await resolveSource(image);
      let input = image;
      if (source.kind === 'engine') {
        input = path.join(tmp, `image-${n}.tar`);
        await pipeline(
          await saveImageStream(source.ref, source.engine ?? 'docker'),
          createWriteStream(input),
        );
        source = { kind: 'archive', path: input };
      }
      rows.push(await benchOne(image, source, input));
      if (skopeo && source.kind === 'archive') {
        const dir = path.join(tmp, `oci-${n}`);
        const r = spawnSync('skopeo', ['copy', '-q', `docker-archive:${input}`, `oci:${dir}:bench`], {
          stdio: 'ignore',
        });
        if (r.status === 0)
          rows.push(await benchOne(`${image} (OCI, gzip)`, { kind: 'oci', path: dir }, dir));
      }
    }
  } finally {
    await fsp.rm(tmp, { recursive: true, force: true });
  }
  const markdown = [
    '| image | format | layers | uncompressed | decompress+discard | analyze | ratio (≥0.8) | peak RSS (≤150 MB/GB) |',
    '|---|---|---|---|---|---|---|---|',
    ...rows.map(
      (r) =>
        `| ${r.image} | ${r.format} | ${r.layers} | ${(r.tarBytes / 1e6).toFixed(0)} MB | ${r.baselineMBps} MB/s | ${r.analyzeMBps} MB/s | ${r.ratio} | ${r.cliPeakRssMB ?? '?'} MB |`,
    ),
  ].join('\n');
  return { rows, markdown };
}

const isMain =
  process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname);
if (isMain) {
  const args = process.argv.slice(2);
  const images = args.length
    ? args
    : [process.env.PYCONTAIN_TEST_PYTHON_FULL ?? 'pycontain.test/python:3.11'];
  const r = await benchAnalyze(images);
  process.stdout.write(`${r.markdown}\n`);
}

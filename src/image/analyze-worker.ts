/**
 * Runs one analysis in a worker thread whose young generation is capped: the streaming pass allocates
 * many short-lived objects, and V8's default semi-spaces (16 MB each) alone would take a third of the
 * memory budget. The report comes back by structured clone; errors keep their class and location.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { EngineError } from '../engine/errors.js';
import { InputError } from '../plan.js';
import { type AnalysisReport, type AnalyzeOptions, analyzeImage } from './analyze.js';
import type { ImageSource } from './archive.js';

interface WireError {
  name: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
  exitCode?: number;
}

type Reply = { ok: true; report: AnalysisReport } | { ok: false; error: WireError };

function revive(e: WireError): Error {
  if (e.name === 'InputError') return new InputError(e.message, e.file, e.line, e.column);
  if (e.name === 'EngineError') return new EngineError(e.message);
  const err = new Error(e.message) as Error & { exitCode?: number };
  if (e.exitCode !== undefined) err.exitCode = e.exitCode;
  return err;
}

/** Analyze in a worker with a small young generation; in-process when the compiled worker is absent (tests from sources). */
export async function analyzeImageIsolated(
  source: ImageSource,
  opts: AnalyzeOptions = {},
): Promise<AnalysisReport> {
  const self = fileURLToPath(import.meta.url);
  if (!self.endsWith('.js') || !existsSync(self) || opts.stream || opts.discard)
    return analyzeImage(source, opts);
  const worker = new Worker(self, {
    workerData: { source, opts },
    // The parent's flags (--input-type, --eval, inspector) do not apply to this worker file.
    execArgv: [],
    resourceLimits: { maxYoungGenerationSizeMb: 4 },
  });
  return new Promise<AnalysisReport>((resolve, reject) => {
    let settled = false;
    worker.once('message', (m: Reply) => {
      settled = true;
      if (m.ok) resolve(m.report);
      else reject(revive(m.error));
    });
    worker.once('error', (err) => {
      settled = true;
      reject(err);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`analysis worker exited with code ${code}`));
    });
  });
}

if (!isMainThread && parentPort && (workerData as { source?: unknown } | null)?.source) {
  const { source, opts } = workerData as { source: ImageSource; opts: AnalyzeOptions };
  const port = parentPort;
  analyzeImage(source, opts).then(
    (report) => port.postMessage({ ok: true, report } satisfies Reply),
    (err: Error & Partial<InputError> & { exitCode?: number }) => {
      const e: WireError = { name: err.name, message: err.message };
      if (err.file !== undefined) e.file = err.file;
      if (err.line !== undefined) e.line = err.line;
      if (err.column !== undefined) e.column = err.column;
      if (err.exitCode !== undefined) e.exitCode = err.exitCode;
      port.postMessage({ ok: false, error: e } satisfies Reply);
    },
  );
}

import { InputError } from '../plan.js';
import type { AnalysisReport } from './analyze.js';
import { FINDING_IDS, isFindingId, type Severity } from './findings.js';

const UNITS: Record<string, number> = {
  '': 1,
  b: 1,
  k: 1e3,
  kb: 1e3,
  m: 1e6,
  mb: 1e6,
  g: 1e9,
  gb: 1e9,
  t: 1e12,
  tb: 1e12,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
  tib: 1024 ** 4,
};

/** '150MB', '1.5GiB', '2g', '123456' → bytes. */
export function parseSize(text: string, option: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(text);
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined)
    throw new InputError(`${option}: not a size: ${JSON.stringify(text)} (use e.g. 150MB, 1.5GiB)`);
  return Math.round(Number(m[1]) * unit);
}

export interface GateOptions {
  maxSize?: string;
  /** Bytes ('50MB') or a share of the total ('5%'). */
  maxWaste?: string;
  failOn?: string[];
}

export interface GateResult {
  gate: 'max-size' | 'max-waste' | 'fail-on';
  limit: string;
  actual: string;
  passed: boolean;
}

export interface GateOutcome {
  passed: boolean;
  results: GateResult[];
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Check the option values before the (slow) analysis runs. */
export function validateGates(opts: GateOptions): void {
  if (opts.maxSize !== undefined) parseSize(opts.maxSize, '--max-size');
  if (opts.maxWaste !== undefined && !/^\s*\d+(\.\d+)?\s*%\s*$/.test(opts.maxWaste))
    parseSize(opts.maxWaste, '--max-waste');
  for (const id of opts.failOn ?? []) {
    if (!isFindingId(id) && !(id in RANK)) {
      throw new InputError(
        `--fail-on: unknown finding id ${JSON.stringify(id)} (known: ${FINDING_IDS.join(', ')}, or error/warning/info)`,
      );
    }
  }
}

export function evaluateGates(report: AnalysisReport, opts: GateOptions): GateOutcome {
  validateGates(opts);
  const results: GateResult[] = [];
  if (opts.maxSize !== undefined) {
    const limit = parseSize(opts.maxSize, '--max-size');
    results.push({
      gate: 'max-size',
      limit: opts.maxSize,
      actual: `${report.size.total}`,
      passed: report.size.total <= limit,
    });
  }
  if (opts.maxWaste !== undefined) {
    const pct = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(opts.maxWaste);
    if (pct) {
      const share = report.size.total ? (report.size.waste / report.size.total) * 100 : 0;
      results.push({
        gate: 'max-waste',
        limit: opts.maxWaste,
        actual: `${share.toFixed(2)}%`,
        passed: share <= Number(pct[1]),
      });
    } else {
      const limit = parseSize(opts.maxWaste, '--max-waste');
      results.push({
        gate: 'max-waste',
        limit: opts.maxWaste,
        actual: `${report.size.waste}`,
        passed: report.size.waste <= limit,
      });
    }
  }
  for (const id of opts.failOn ?? []) {
    const hits =
      id in RANK
        ? report.findings.filter((f) => RANK[f.severity] <= RANK[id as Severity])
        : report.findings.filter((f) => f.id === id);
    results.push({
      gate: 'fail-on',
      limit: id,
      actual: hits.length ? [...new Set(hits.map((f) => f.id))].join(',') : 'none',
      passed: hits.length === 0,
    });
  }
  return { passed: results.every((r) => r.passed), results };
}

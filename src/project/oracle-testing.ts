import { spawnSync } from 'node:child_process';
import path from 'node:path';

// Differential oracle: pypa `packaging` and pip's own requirements reader, through one python3 process
// per batch (test/oracle/packaging_oracle.py), so property tests stay fast.
// biome-ignore lint/suspicious/noExplicitAny: free-form JSON answers
export type OracleResult = Record<string, any>;

/** The oracle runs Python; on a loaded 2-core machine that takes far longer than a unit test. */
export const ORACLE_TIMEOUT = 180_000;

export function runOracle(tasks: object[]): OracleResult[] {
  const script = path.resolve(import.meta.dirname, '../../test/oracle/packaging_oracle.py');
  const res = spawnSync(process.env.PYCONTAIN_ORACLE_PYTHON ?? 'python3', [script], {
    input: JSON.stringify({ tasks }),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  if (res.error || res.status !== 0) throw new Error(`oracle failed: ${res.error?.message ?? res.stderr}`);
  const out = JSON.parse(res.stdout) as { results: OracleResult[] };
  for (const r of out.results) if (r.oracle_error) throw new Error(`oracle error: ${r.oracle_error}`);
  return out.results;
}

/** Fixed seeds keep CI reproducible; PYCONTAIN_FC_SEED explores other cases locally. */
export const seed = (fallback: number) => Number(process.env.PYCONTAIN_FC_SEED ?? fallback);

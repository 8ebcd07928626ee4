import pc from 'picocolors';
import type { VerifyReport } from '../verify/verify.js';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(2)} GiB`;
}

type Colors = ReturnType<typeof pc.createColors>;

/** Human report of `pycontain verify`: one line per check, details indented, then the image facts. */
export function formatVerifyReport(
  r: VerifyReport,
  opts: { color?: boolean; listDistributions?: boolean } = {},
): string {
  const c: Colors = pc.createColors(opts.color ?? false);
  const out: string[] = [];
  out.push(`${c.bold('verify')} ${r.image} ${c.dim(r.imageId.slice(0, 19))}`);
  const width = Math.max(...r.checks.map((k) => k.id.length));
  for (const k of r.checks) {
    const mark = k.skipped ? c.dim('-') : k.ok ? c.green('✔') : c.red('✖');
    out.push(`  ${mark} ${k.id.padEnd(width)}  ${k.ok ? k.summary : c.red(k.summary)}`);
    for (const d of k.details) out.push(`      ${c.dim(d)}`);
  }
  out.push('');
  out.push(`  size           ${formatBytes(r.sizeBytes)} (${r.sizeBytes} bytes)`);
  out.push(`  layers         ${r.layers}`);
  out.push(`  user           ${r.user || '(root)'}`);
  if (r.python) out.push(`  python         ${r.python}  ${c.dim(r.interpreter ?? '')}`);
  const dists = r.distributions;
  if (opts.listDistributions ?? true) {
    out.push(`  distributions  ${dists.length}`);
    const line: string[] = [];
    for (const d of dists) line.push(`${d.name}==${d.version}`);
    // wrap at ~100 columns
    let cur = '    ';
    for (const item of line) {
      if (cur.length + item.length + 2 > 100 && cur.trim()) {
        out.push(cur.trimEnd());
        cur = '    ';
      }
      cur += `${item}  `;
    }
    if (cur.trim()) out.push(cur.trimEnd());
  }
  out.push('');
  const failed = r.checks.filter((k) => !k.ok);
  out.push(
    r.ok
      ? c.green(`verified: ${r.checks.filter((k) => !k.skipped).length} checks passed`)
      : c.red(`verification failed: ${failed.map((k) => k.id).join(', ')}`),
  );
  return `${out.join('\n')}\n`;
}

/** The `--json` shape: the report itself (stable field names). */
export function verifyReportJson(r: VerifyReport): string {
  return `${JSON.stringify(r, null, 2)}\n`;
}

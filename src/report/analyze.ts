import pc from 'picocolors';
import { type AnalysisReport, fmt } from '../image/analyze.js';
import type { Comparison } from '../image/compare.js';
import type { GateOutcome } from '../image/gates.js';

export interface TextOptions {
  color?: boolean;
  /** Rows of the distribution table (default 15). */
  top?: number;
}

const pct = (a: number, b: number): string => (b ? `${((a / b) * 100).toFixed(1)}%` : '0%');

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}
function lpad(s: string, n: number): string {
  return s.length >= n ? s : ' '.repeat(n - s.length) + s;
}
function cut(s: string, n: number): string {
  const one = s.replace(/\s+/g, ' ');
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
}

/** The human report of `pycontain analyze`. */
export function renderAnalyzeText(r: AnalysisReport, opts: TextOptions = {}): string {
  const c = pc.createColors(opts.color ?? false);
  const top = opts.top ?? 15;
  const out: string[] = [];
  const h = (s: string) => out.push('', c.bold(s));
  out.push(
    `${c.bold('Image')} ${r.image.name}  ${c.dim(`(${r.image.format}${r.image.architecture ? `, ${r.image.os}/${r.image.architecture}` : ''})`)}`,
  );
  out.push(
    `Size ${c.bold(fmt(r.size.total))} in layers · ${fmt(r.size.visible)} visible · waste ${c.bold(fmt(r.size.waste))} (${pct(r.size.waste, r.size.total)}) · blobs ${fmt(r.size.blobs)}`,
  );
  const u = r.user;
  const userText =
    u.configured === ''
      ? 'root (no USER)'
      : `${u.configured}${u.uid !== null ? ` (uid ${u.uid})` : ' (uid unknown)'}`;
  out.push(`User ${u.root ? c.yellow(userText) : userText}${!u.numeric ? c.yellow(' non-numeric') : ''}`);
  const made = r.image.pycontain;
  if (made)
    out.push(
      `Made by pycontain: ${[made.framework && `${made.framework} app`, made.packageManager, made.port && `port ${made.port}`].filter(Boolean).join(', ')}`,
    );

  h('Layers');
  out.push(
    c.dim(`  ${lpad('#', 3)}  ${lpad('size', 9)}  ${lpad('files', 6)}  ${lpad('wasted', 9)}  instruction`),
  );
  for (const l of r.layers) {
    out.push(
      `  ${lpad(String(l.index), 3)}  ${lpad(fmt(l.size), 9)}  ${lpad(String(l.files), 6)}  ${lpad(l.wasteAdded ? fmt(l.wasteAdded) : '-', 9)}  ${cut(l.createdBy ?? '(unknown)', 90)}`,
    );
  }

  h(`Waste ${fmt(r.waste.total)}`);
  out.push(
    `  ${Object.entries(r.waste.byCause)
      .map(([k, v]) => `${k} ${fmt(v)}`)
      .join(' · ')}`,
  );
  for (const g of r.waste.groups.slice(0, 10)) {
    out.push(
      `  ${lpad(fmt(g.bytes), 9)}  ${pad(g.cause, 11)} ${cut(g.root, 60)}  ${c.dim(`added by layer ${g.addedBy}, hidden by layer ${g.hiddenBy}`)}`,
    );
  }

  h('Python');
  if (!r.python.environments.length) out.push('  no site-packages found');
  for (const e of r.python.environments) {
    out.push(
      `  ${e.sitePackages}  ${c.dim(e.venv ? `venv ${e.venv}` : 'system')}  ${e.distributions} distributions, ${fmt(e.bytes)}`,
    );
  }
  if (r.python.distributions.length) {
    out.push(c.dim(`  ${lpad('size', 9)}  distribution`));
    for (const d of r.python.distributions.slice(0, top)) {
      out.push(
        `  ${lpad(fmt(d.bytes), 9)}  ${d.name} ${d.version}  ${c.dim(`${d.sitePackages} · layer ${d.layer}`)}`,
      );
    }
    if (r.python.distributions.length > top)
      out.push(c.dim(`  … ${r.python.distributions.length - top} more (--json for all)`));
  }

  h('Native libraries');
  if (!r.native.missing.length)
    out.push(`  ${r.native.checked} ELF objects under Python trees checked: every DT_NEEDED resolves`);
  else {
    out.push(`  ${r.native.checked} ELF objects checked; ${c.red(`${r.native.missing.length} missing`)}:`);
    for (const m of r.native.missing) {
      out.push(
        `  ${c.red(m.soname)}${m.debianPackage ? ` (apt: ${m.debianPackage})` : ''} needed by ${m.distributions.join(', ') || m.neededBy[0]}${m.note ? c.dim(` — ${m.note}`) : ''}`,
      );
    }
  }

  h('Findings');
  if (!r.findings.length) out.push('  none');
  for (const f of r.findings) {
    const sev =
      f.severity === 'error'
        ? c.red('error  ')
        : f.severity === 'warning'
          ? c.yellow('warning')
          : c.dim('info   ');
    out.push(`  ${sev} ${c.bold(f.id)}  ${f.title}`);
    if (f.detail) out.push(`          ${c.dim(cut(f.detail, 200))}`);
    out.push(`          fix: ${f.fix}`);
  }
  for (const w of r.warnings.slice(0, 10)) out.push(c.yellow(`warning: ${w}`));
  return `${out.join('\n')}\n`;
}

export function renderComparisonText(cmp: Comparison, opts: TextOptions = {}): string {
  const c = pc.createColors(opts.color ?? false);
  const sign = (n: number) => (n > 0 ? `+${fmt(n)}` : n < 0 ? `-${fmt(-n)}` : '±0');
  const out: string[] = ['', c.bold(`Compared with ${cmp.before}`)];
  for (const [k, v] of Object.entries(cmp.size)) {
    out.push(
      `  ${pad(k, 8)} ${lpad(fmt(v.before), 9)} → ${lpad(fmt(v.after), 9)}  ${sign(v.delta)}${v.before ? ` (${pct(v.after, v.before)})` : ''}`,
    );
  }
  out.push(`  layers   ${cmp.layers.before} → ${cmp.layers.after} (${cmp.layers.shared} shared)`);
  for (const l of cmp.layers.added) out.push(`    + ${fmt(l.size)}  ${cut(l.createdBy ?? '(unknown)', 80)}`);
  for (const l of cmp.layers.removed)
    out.push(`    - ${fmt(l.size)}  ${cut(l.createdBy ?? '(unknown)', 80)}`);
  const d = cmp.distributions;
  if (d.added.length || d.removed.length || d.changed.length) out.push('  distributions');
  for (const x of d.added) out.push(`    + ${x.name} ${x.version}  ${fmt(x.bytes)}`);
  for (const x of d.removed) out.push(`    - ${x.name} ${x.version}  ${fmt(x.bytes)}`);
  for (const x of d.changed.slice(0, 20)) {
    out.push(
      `    ~ ${x.name} ${x.before === x.after ? x.after : `${x.before} → ${x.after}`}  ${sign(x.delta)}`,
    );
  }
  if (cmp.findings.added.length) out.push(`  new findings: ${cmp.findings.added.join(', ')}`);
  if (cmp.findings.fixed.length) out.push(`  fixed findings: ${cmp.findings.fixed.join(', ')}`);
  return `${out.join('\n')}\n`;
}

export function renderGatesText(g: GateOutcome, opts: TextOptions = {}): string {
  if (!g.results.length) return '';
  const c = pc.createColors(opts.color ?? false);
  const out = ['', c.bold('Gates')];
  for (const r of g.results) {
    const actual = /^\d+$/.test(r.actual) ? fmt(Number(r.actual)) : r.actual;
    out.push(`  ${r.passed ? c.green('pass') : c.red('FAIL')}  --${r.gate} ${r.limit}  (actual: ${actual})`);
  }
  return `${out.join('\n')}\n`;
}

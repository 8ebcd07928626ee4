import pc from 'picocolors';
import type { Plan, Source } from '../plan.js';

/**
 * Human output of `pycontain detect`: a summary of what will be built, then one line per decision
 * (topic, value, reason, file:line), then the warnings. Columns are aligned; colour only when
 * `color` is true (the CLI passes `process.stdout.isTTY` and honours NO_COLOR through picocolors).
 */

export interface DetectReportOptions {
  color?: boolean;
  /** Terminal width used to wrap long reasons (default 100). */
  width?: number;
  /** How to name the scanned directory in the header (the path as the user typed it). */
  rootLabel?: string;
}

const loc = (s: Source | undefined) => (s ? `${s.file}${s.line ? `:${s.line}` : ''}` : '');

function wrap(text: string, width: number, indent: number): string {
  if (width - indent < 30 || text.length + indent <= width) return text;
  const words = text.split(' ');
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur && cur.length + 1 + w.length > width - indent) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines.join(`\n${' '.repeat(indent)}`);
}

export function formatDetectReport(plan: Plan, opts: DetectReportOptions = {}): string {
  const c = pc.createColors(opts.color ?? false);
  const width = opts.width ?? 100;
  const out: string[] = [];
  const rootName = opts.rootLabel ?? plan.root;
  const where = plan.appDir === '.' ? rootName : `${rootName} (app in ${plan.appDir}/)`;
  out.push(`${c.bold('pycontain detect')} ${where}`);
  out.push('');
  const summary: [string, string][] = [
    ['python', plan.pythonVersion],
    [
      'package manager',
      `${plan.packageManager}${plan.lockfile ? ` (${plan.lockfile})` : plan.requirementsFile ? ` (${plan.requirementsFile})` : ' (no lock file)'}`,
    ],
    ['framework', `${plan.framework}${plan.entrypoint ? ` ${plan.entrypoint}` : ''}`],
    ['command', plan.command.length ? plan.command.join(' ') : '(none)'],
    ['port', plan.port === null ? '(none)' : String(plan.port)],
    [
      'image',
      plan.image.builder === plan.image.runtime
        ? plan.image.runtime
        : `${plan.image.builder} -> ${plan.image.runtime}`,
    ],
    ['system (build)', plan.system.build.join(' ') || '(none)'],
    ['system (runtime)', plan.system.runtime.join(' ') || '(none)'],
  ];
  const sw = Math.max(...summary.map(([k]) => k.length));
  for (const [k, v] of summary) out.push(`  ${c.dim(k.padEnd(sw))}  ${c.bold(v)}`);

  out.push('');
  out.push(c.bold('Decisions'));
  const topicW = Math.min(16, Math.max(...plan.decisions.map((d) => d.topic.length), 5));
  const valueW = Math.min(26, Math.max(...plan.decisions.map((d) => d.value.length), 5));
  for (const d of plan.decisions) {
    const topic = d.topic.length > topicW ? d.topic : d.topic.padEnd(topicW);
    const value = d.value.length > valueW ? d.value : d.value.padEnd(valueW);
    const at = loc(d.source);
    const indent = 2 + topicW + 2 + valueW + 2;
    const long = d.value.length > valueW || d.topic.length > topicW;
    const reason = `${d.reason}${at ? ` ${c.dim(`[${at}]`)}` : ''}`;
    if (long) {
      out.push(`  ${c.cyan(topic)}  ${c.bold(value)}`);
      out.push(`${' '.repeat(indent)}${wrap(reason, width, indent)}`);
    } else out.push(`  ${c.cyan(topic)}  ${c.bold(value)}  ${wrap(reason, width, indent)}`);
  }

  out.push('');
  if (plan.warnings.length === 0) out.push(c.green('No warnings.'));
  else {
    out.push(c.bold(`Warnings (${plan.warnings.length})`));
    const codeW = Math.max(...plan.warnings.map((w) => w.code.length));
    for (const w of plan.warnings) {
      const at = loc(w.source);
      const indent = 2 + 2 + codeW + 2;
      out.push(
        `  ${c.yellow('!')} ${c.yellow(w.code.padEnd(codeW))}  ${wrap(`${w.message}${at ? ` ${c.dim(`[${at}]`)}` : ''}`, width, indent)}`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}

/** `--json`: the Plan with stable key order (the Plan object's own), 2-space indented. */
export function formatDetectJson(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

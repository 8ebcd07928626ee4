/**
 * The lint core: synchronous, no I/O. Builds the model, runs the selected rules, applies inline
 * and file-level ignores and severity overrides, and returns findings with 1-based positions.
 */
import { InputError } from '../plan.js';
import { buildModel, type Model } from './model.js';
import { RULES } from './rules/index.js';
import { LineIndex } from './text.js';
import type { Edit, Finding, ProjectInfo, Rule, Severity } from './types.js';

export interface LintConfig {
  /** Rule ids, id prefixes (`PC1`) or names to run; default all. */
  select?: string[];
  /** Rule ids, id prefixes or names not to run. */
  ignore?: string[];
  /** Severity per rule id or name; 'off' disables the rule. */
  severity?: Record<string, Severity | 'off'>;
}

export interface LintOptions {
  /** Path printed in findings. */
  file?: string;
  /** The project beside the Dockerfile; project-aware rules do not run without it. */
  project?: ProjectInfo | null;
  config?: LintConfig;
  rules?: readonly Rule[];
}

export interface LintResult {
  file: string;
  findings: Finding[];
  /** Things worth saying that are not findings (project rules skipped, ignored pragma typos...). */
  notes: string[];
  /** The linted text, BOM removed (fix offsets refer to it). */
  text: string;
  hasBom: boolean;
}

const PRAGMA = /^#\s*pycontain\s+(ignore|ignore-file)\s*=\s*([^#]*?)\s*(?:#.*)?$/i;

function matches(rule: Rule, patterns: string[]): boolean {
  return patterns.some((p) => {
    const q = p.trim();
    if (q === '') return false;
    if (q.toLowerCase() === 'all') return true;
    return (
      rule.id === q.toUpperCase() || rule.name === q.toLowerCase() || rule.id.startsWith(q.toUpperCase())
    );
  });
}

/** Reject input that is not a text Dockerfile (binary junk), naming the file. */
export function assertText(text: string, file: string): void {
  const nul = text.indexOf('\u0000');
  if (nul >= 0) {
    const line = text.slice(0, nul).split('\n').length;
    throw new InputError('not a text Dockerfile: it contains NUL bytes (binary data?)', file, line);
  }
  let bad = 0;
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 0xfffd) bad++;
  if (bad > 0 && bad * 50 > text.length)
    throw new InputError('not a UTF-8 text Dockerfile: too many invalid byte sequences (binary data?)', file);
}

export function lintText(input: string, opts: LintOptions = {}): LintResult {
  const file = opts.file ?? 'Dockerfile';
  assertText(input, file);
  const hasBom = input.charCodeAt(0) === 0xfeff;
  const text = hasBom ? input.slice(1) : input;
  const notes: string[] = [];
  const model = buildModel(text);
  const lines = model.lines;
  const config = opts.config ?? {};
  const all = opts.rules ?? RULES;

  // Inline pragmas: `# pycontain ignore=PC101,pip-cache-kept` for the next instruction,
  // `# pycontain ignore-file=PC101` for the whole file.
  const fileIgnores: string[] = [];
  const nextIgnores: { line: number; ids: string[] }[] = [];
  for (const c of text.includes('pycontain') ? model.ast.getComments() : []) {
    const r = c.getRange();
    const lineText = lines.lineText(r.start.line).trim();
    const m = PRAGMA.exec(lineText);
    if (!m) continue;
    const ids = m[2]!.split(/[\s,]+/).filter((x) => x !== '');
    const unknown = ids.filter((id) => !all.some((rule) => matches(rule, [id])));
    if (unknown.length > 0)
      notes.push(`${file}:${r.start.line + 1}: unknown rule in pragma: ${unknown.join(', ')}`);
    if (m[1]!.toLowerCase() === 'ignore-file') fileIgnores.push(...ids);
    else nextIgnores.push({ line: r.start.line, ids });
  }
  const instIgnores = new Map<number, string[]>();
  for (const p of nextIgnores) {
    const start = lines.starts[p.line] ?? 0;
    const next = model.instructions.find((i) => i.start > start);
    if (!next) continue;
    const list = instIgnores.get(next.index) ?? [];
    list.push(...p.ids);
    instIgnores.set(next.index, list);
  }

  const selected = selectRules(config, all).filter((rule) => !matches(rule, fileIgnores));

  const findings: Finding[] = [];
  const seen = new Set<string>();
  for (const rule of selected) {
    // Without the project (none beside the file, or --no-project) project-aware rules do not run; the CLI says so.
    if (rule.project && !opts.project) continue;
    const severity = (config.severity?.[rule.id] ??
      config.severity?.[rule.name] ??
      rule.severity) as Severity;
    try {
      rule.check({
        model,
        project: opts.project ?? null,
        report: (r) => {
          const key = `${rule.id}:${r.start}:${r.end}:${r.message}`;
          if (seen.has(key)) return;
          seen.add(key);
          if (suppressed(model, instIgnores, rule, r.start)) return;
          findings.push(
            toFinding(
              lines,
              rule,
              severity,
              file,
              r.start,
              r.end,
              r.message,
              r.fix?.edits ? r.fix : undefined,
            ),
          );
        },
      });
    } catch (err) {
      notes.push(`${file}: internal error in rule ${rule.id} (${(err as Error).message}); please report it`);
    }
  }
  // Rule ids are ASCII (PC101...), so code-unit order is their order; localeCompare would load
  // ICU's collator, a few milliseconds of every lint process.
  findings.sort(
    (a, b) =>
      a.line - b.line || a.column - b.column || (a.ruleId < b.ruleId ? -1 : a.ruleId > b.ruleId ? 1 : 0),
  );
  return { file, findings, notes, text, hasBom };
}

/** The rules a configuration enables. */
export function selectRules(config: LintConfig, all: readonly Rule[] = RULES): Rule[] {
  return all.filter((rule) => {
    if (config.select && config.select.length > 0 && !matches(rule, config.select)) return false;
    if (config.ignore && matches(rule, config.ignore)) return false;
    const sev = config.severity?.[rule.id] ?? config.severity?.[rule.name];
    return sev !== 'off';
  });
}

function suppressed(model: Model, instIgnores: Map<number, string[]>, rule: Rule, offset: number): boolean {
  if (instIgnores.size === 0) return false;
  for (const [index, ids] of instIgnores) {
    const inst = model.instructions[index];
    if (!inst || offset < inst.start || offset > inst.end) continue;
    if (matches(rule, ids)) return true;
  }
  return false;
}

function toFinding(
  lines: LineIndex,
  rule: Rule,
  severity: Severity,
  file: string,
  start: number,
  end: number,
  message: string,
  fix: { description: string; edits: Edit[] } | undefined,
): Finding {
  const s = lines.position(start);
  const e = lines.position(Math.max(start, end));
  const f: Finding = {
    ruleId: rule.id,
    ruleName: rule.name,
    severity,
    message,
    file,
    line: s.line + 1,
    column: s.character + 1,
    endLine: e.line + 1,
    endColumn: e.character + 1,
  };
  if (fix) f.fix = fix;
  return f;
}

/**
 * Apply the fixes of the findings to the text: non-overlapping edits only (a later overlapping one
 * waits for the next round). Returns the new text and how many fixes were applied.
 */
export function applyFixes(text: string, findings: Finding[]): { text: string; applied: number } {
  const fixes = findings.filter((f) => f.fix && f.fix.edits.length > 0).map((f) => f.fix!);
  const taken: Edit[] = [];
  let applied = 0;
  for (const fix of fixes) {
    const overlaps = fix.edits.some((e) =>
      taken.some(
        (t) =>
          (e.start < t.end && t.start < e.end) ||
          (e.start === t.start && (e.start === e.end || t.start === t.end)),
      ),
    );
    if (overlaps) continue;
    taken.push(...fix.edits);
    applied++;
  }
  taken.sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of taken) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return { text: out, applied };
}

/** Lint, fix what is safe, lint again, until nothing more can be fixed (at most 5 rounds). */
export function fixText(
  input: string,
  opts: LintOptions = {},
): { text: string; applied: number; result: LintResult } {
  let result = lintText(input, opts);
  const bom = result.hasBom ? '\uFEFF' : '';
  let text = result.text;
  let total = 0;
  for (let round = 0; round < 5; round++) {
    const { text: next, applied } = applyFixes(text, result.findings);
    if (applied === 0 || next === text) break;
    total += applied;
    text = next;
    result = lintText(bom + text, opts);
  }
  return { text: bom + text, applied: total, result };
}

export type { Model };
export { LineIndex, RULES };

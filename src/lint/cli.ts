/** `pycontain lint` behind the thin command in src/cli/commands/lint.ts. */
import { readFileSync, statSync } from 'node:fs';
import { InputError } from '../plan.js';
import { loadLintConfig } from './config.js';
import { fixText, type LintConfig, lintText, selectRules } from './engine.js';
import { type FileReport, type Format, formatReports } from './format.js';
import { hasProjectBeside, noProjectNote } from './project-markers.js';
import { RULES } from './rules/index.js';
import { type FailLevel, type ProjectInfo, SEVERITIES, severityRank } from './types.js';

export interface LintCliOptions {
  format: Format;
  /** From the command line; overrides the configuration file. Default 'warning'. */
  failLevel?: FailLevel;
  fix?: boolean;
  /** false: do not read the project beside the Dockerfile (faster; project-aware rules skipped). */
  project?: boolean;
  color?: boolean;
}

export const DEFAULT_FAIL_LEVEL: FailLevel = 'warning';

export async function readDockerfile(file: string): Promise<string> {
  let buf: Buffer;
  try {
    // Synchronous: node:fs/promises is not loaded at Node's start, and loading it costs a lint run
    // more than the read itself.
    buf = readFileSync(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (err as Error).message;
    throw new InputError(`cannot read the Dockerfile: ${why}`, file);
  }
  return new TextDecoder('utf-8').decode(buf);
}

/** Lint files, print the report, return the exit code (0 clean below the fail level, 1 findings at or above it). */
export async function runLint(
  files: string[],
  opts: LintCliOptions,
  out: { stdout(s: string): void; stderr(s: string): void } = {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
  },
): Promise<number> {
  const list = files.length > 0 ? files : ['Dockerfile'];
  const reports: FileReport[] = [];
  let failLevel: FailLevel | undefined = opts.failLevel;
  for (const file of list) {
    const input = await readDockerfile(file);
    const fc = await loadLintConfig(file);
    failLevel ??= fc.failLevel;
    const config: LintConfig = fc.config;
    const notes: string[] = [];
    let project: ProjectInfo | null = null;
    const wantsProject = selectRules(config).some((r) => r.project || r.usesProject);
    if (opts.project !== false && wantsProject && !hasProjectBeside(file)) {
      // What loadProject would say, without loading the project readers.
      notes.push(noProjectNote(file));
    } else if (opts.project !== false && wantsProject) {
      const { loadProject } = await import('./project.js');
      const loaded = await loadProject(file);
      project = loaded.project;
      notes.push(...loaded.notes);
    } else if (opts.project === false) {
      notes.push(`${file}: project-aware rules skipped (--no-project)`);
    }
    const lintOpts = { file, project, config };
    if (opts.fix) {
      const fixed = fixText(input, lintOpts);
      if (fixed.applied > 0 && fixed.text !== input) {
        const mode = statSync(file).mode & 0o7777;
        // Loaded only here: it needs node:crypto, which a lint run without --fix does not.
        const { writeFileAtomic } = await import('../util/fs.js');
        await writeFileAtomic(file, fixed.text, mode);
      }
      reports.push({
        file,
        findings: fixed.result.findings,
        notes: [...notes, ...fixed.result.notes],
        fixed: fixed.applied,
      });
    } else {
      const r = lintText(input, lintOpts);
      reports.push({ file, findings: r.findings, notes: [...notes, ...r.notes] });
    }
  }
  let colors: Parameters<typeof formatReports>[3];
  if (opts.format === 'text' && opts.color) {
    const pc = (await import('picocolors')).default;
    colors = { red: pc.red, yellow: pc.yellow, blue: pc.blue, gray: pc.gray, bold: pc.bold, dim: pc.dim };
  }
  out.stdout(formatReports(opts.format, reports, RULES, colors));
  if (opts.format === 'text') for (const r of reports) for (const n of r.notes) out.stderr(`note: ${n}\n`);
  const level = failLevel ?? DEFAULT_FAIL_LEVEL;
  if (level === 'none') return 0;
  const limit = severityRank(level);
  const failed = reports.some((r) => r.findings.some((f) => severityRank(f.severity) <= limit));
  return failed ? 1 : 0;
}

export function listRules(): string {
  const w = Math.max(...RULES.map((r) => r.name.length));
  return `${RULES.map((r) => `${r.id}  ${r.severity.padEnd(7)}  ${r.name.padEnd(w)}  ${r.project ? '[project] ' : ''}${r.fixable ? '[fix] ' : ''}${r.summary}`).join('\n')}\n`;
}

export { SEVERITIES };

import type { Plan } from '../plan.js';
import type { Model } from './model.js';

/** Ordered from most to least severe. */
export const SEVERITIES = ['error', 'warning', 'info', 'style'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type FailLevel = Severity | 'none';

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

/** A text replacement in the linted file, in UTF-16 offsets of the text (BOM excluded). */
export interface Edit {
  start: number;
  end: number;
  text: string;
}

export interface Fix {
  description: string;
  edits: Edit[];
}

/** 1-based line and column (UTF-16 code units), end exclusive, as editors and SARIF expect. */
export interface Span {
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface Finding extends Span {
  ruleId: string;
  ruleName: string;
  severity: Severity;
  message: string;
  /** Relative or absolute path as given on the command line. */
  file: string;
  fix?: Fix;
}

/** What a rule sees of the project beside the Dockerfile (project-aware rules only). */
export interface ProjectInfo {
  /** Absolute directory of the Dockerfile (the assumed build context). */
  dir: string;
  /** The Plan from detectProject, or null when detection failed (then `planError` says why). */
  plan: Plan | null;
  planError?: string;
  /** True when the relative path exists in the context. */
  exists(rel: string): boolean;
  /** True when the relative path is a directory in the context. */
  isDir(rel: string): boolean;
  /** Text of a file in the context, or null. */
  read(rel: string): string | null;
  /** The .dockerignore beside the Dockerfile, with a matcher (true = excluded), or null when absent. */
  dockerignore: { text: string; excluded(rel: string, isDir?: boolean): boolean } | null;
  /** `requires-python` (PEP 621) or the Poetry `python` constraint as PEP 440, with its source line. */
  requiresPython: { spec: string; file: string; line: number; allows(minor: string): boolean } | null;
}

export interface Report {
  /** Offsets into the text (UTF-16, BOM excluded). */
  start: number;
  end: number;
  message: string;
  fix?: Fix;
}

export interface RuleContext {
  model: Model;
  project: ProjectInfo | null;
  report(r: Report): void;
}

export interface RuleCases {
  good: string[];
  bad: string[];
}

export interface Rule {
  /** Stable id, e.g. 'PC101'. */
  id: string;
  /** Stable kebab-case name, usable in ignores instead of the id. */
  name: string;
  severity: Severity;
  summary: string;
  rationale: string;
  /** How to fix it, for humans (Markdown allowed). */
  fix: string;
  /** True when `--fix` can rewrite findings of this rule. */
  fixable?: boolean;
  /** Needs the project beside the Dockerfile; does not run without it. */
  project?: boolean;
  /** Runs without the project, but knows more with it. */
  usesProject?: boolean;
  cases: RuleCases;
  /** For project-aware rules: the project files (relative path -> text) the cases are linted against, and Plan fields the test stands in for detectProject. */
  caseProject?: { files: Record<string, string>; plan?: Partial<Plan> };
  check(ctx: RuleContext): void;
}

/** Public API of the linter (what `pycontain lint` uses). */
export { DEFAULT_FAIL_LEVEL, type LintCliOptions, listRules, readDockerfile, runLint } from './cli.js';
export { type FileConfig, loadLintConfig } from './config.js';
export { renderRuleDocs } from './docs.js';
export {
  applyFixes,
  assertText,
  fixText,
  type LintConfig,
  type LintOptions,
  type LintResult,
  lintText,
  selectRules,
} from './engine.js';
export {
  type FileReport,
  FORMATS,
  type Format,
  formatCheckstyle,
  formatGithub,
  formatJson,
  formatReports,
  formatSarif,
  formatText,
} from './format.js';
export { buildModel, type Inst, type Model, type Stage } from './model.js';
export { type LoadProjectOptions, loadProject, projectFromFiles } from './project.js';
export { RULES } from './rules/index.js';
export { type Command, parseShell, type Word } from './shell.js';
export type { Edit, FailLevel, Finding, Fix, ProjectInfo, Rule, RuleContext, Severity } from './types.js';
export { SEVERITIES, severityRank } from './types.js';

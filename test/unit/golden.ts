/**
 * Golden outputs: what the generator writes for every project in examples/ and what every lint rule
 * says about its own bad cases, as files under test/golden/. Shared by the unit test (compare) and
 * scripts/golden.ts (`npm run golden -- --update`, write), so both produce the very same bytes.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { unifiedDiff } from '../../src/dockerfile/diff.js';
import { generateFiles } from '../../src/dockerfile/init.js';
import { fixText, lintText } from '../../src/lint/engine.js';
import { projectFromFiles } from '../../src/lint/project.js';
import { RULES } from '../../src/lint/rules/index.js';
import { testPlan } from '../../src/lint/testing.js';
import type { Finding, Rule } from '../../src/lint/types.js';
import { InputError, type Overrides, type Plan } from '../../src/plan.js';
import { detectProject } from '../../src/project/detect.js';
import { formatDetectJson } from '../../src/report/detect.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const GOLDEN_DIR = path.join(REPO, 'test', 'golden');
const EXAMPLES_DIR = path.join(REPO, 'examples');

/**
 * Detect reads the clock (which Python minors are released and not end of life). Every golden file
 * is made as of this one day, so the files change when the data or the code does, never with the date.
 */
export const GOLDEN_DAY = '2026-12-01T00:00:00.000Z';

/** Run fn with `new Date()` and `Date.now()` answering GOLDEN_DAY; dates built from a value are untouched. */
export async function atGoldenDay<T>(fn: () => Promise<T>): Promise<T> {
  const Real = globalThis.Date;
  const fixed = Real.parse(GOLDEN_DAY);
  class Frozen extends Real {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(fixed);
      else super(...(args as [number]));
    }
    static override now(): number {
      return fixed;
    }
  }
  globalThis.Date = Frozen as DateConstructor;
  try {
    return await fn();
  } finally {
    globalThis.Date = Real;
  }
}

/** The example directories (each one a project `pycontain init` is run on). */
export function exampleNames(): string[] {
  return readdirSync(EXAMPLES_DIR)
    .filter((d) => statSync(path.join(EXAMPLES_DIR, d)).isDirectory())
    .sort();
}

/** Absolute paths of this checkout become placeholders, so the files are the same on every machine. */
function normalise(text: string, root: string): string {
  return text.split(root).join('<root>').split(REPO).join('<repo>');
}

/**
 * The golden files of one example, keyed by path relative to test/golden. A monorepo's set sits under
 * the app directory detect chose (`monorepo/backend/`), so the name says which app it is. When
 * `init --distroless` refuses the project (bad input, exit 2), the refusal is the golden output.
 */
export async function exampleGoldens(example: string): Promise<Map<string, string>> {
  const dir = path.join(EXAMPLES_DIR, example);
  const out = new Map<string, string>();
  await atGoldenDay(async () => {
    let base = example;
    const variants: [suffix: string, overrides: Overrides][] = [
      ['', {}],
      // `pycontain init --distroless`
      ['.distroless', { distroless: true }],
    ];
    for (const [suffix, overrides] of variants) {
      const n = (t: string) => normalise(t, dir);
      let plan: Plan;
      try {
        plan = await detectProject(dir, overrides);
      } catch (err) {
        if (!suffix || !(err instanceof InputError)) throw err;
        out.set(`${base}/error${suffix}.txt`, n(`${formatError(err)}\n`));
        continue;
      }
      if (!suffix && plan.appDir !== '.') base = `${example}/${plan.appDir.replace(/\/+$/, '')}`;
      const gen = await generateFiles(plan);
      out.set(`${base}/Dockerfile${suffix}`, n(gen.dockerfile));
      // The .dockerignore is the same for both runtimes today; a distroless one appears only if it differs.
      const ignore = n(gen.dockerignore);
      if (!suffix || ignore !== out.get(`${base}/dockerignore`))
        out.set(`${base}/dockerignore${suffix}`, ignore);
      out.set(`${base}/plan${suffix}.json`, n(formatDetectJson(plan)));
    }
  });
  return out;
}

function formatError(err: InputError): string {
  return `${err.location ? `${err.location}: ` : ''}${err.message}`;
}

/** The text a span covers, so a reviewer sees what a finding points at without counting columns. */
function spanText(text: string, f: Finding): string {
  const lines = text.split('\n');
  if (f.line === f.endLine) return (lines[f.line - 1] ?? '').slice(f.column - 1, f.endColumn - 1);
  const parts = [(lines[f.line - 1] ?? '').slice(f.column - 1)];
  for (let l = f.line + 1; l < f.endLine; l++) parts.push(lines[l - 1] ?? '');
  parts.push((lines[f.endLine - 1] ?? '').slice(0, f.endColumn - 1));
  return parts.join('\n');
}

function findingJson(text: string, f: Finding): Record<string, unknown> {
  return {
    rule: f.ruleId,
    severity: f.severity,
    line: f.line,
    column: f.column,
    endLine: f.endLine,
    endColumn: f.endColumn,
    at: spanText(text, f),
    message: f.message,
    ...(f.fix ? { fix: f.fix.description } : {}),
  };
}

/** One rule's bad cases, linted with that rule alone (as its rule test does), and `--fix` where it fixes. */
export async function ruleGolden(rule: Rule): Promise<string> {
  const project = rule.caseProject
    ? await projectFromFiles(
        rule.caseProject.files,
        rule.caseProject.plan ? testPlan(rule.caseProject.plan) : null,
      )
    : null;
  const opts = { rules: [rule], project };
  const bad = rule.cases.bad.map((text, k) => {
    const r = lintText(text, opts);
    const fixable = r.findings.some((f) => f.fix && f.fix.edits.length > 0);
    const entry: Record<string, unknown> = {
      case: k + 1,
      // Lines, not one string: a changed line is a changed line in the diff.
      dockerfile: text.split('\n'),
      findings: r.findings.map((f) => findingJson(r.text, f)),
    };
    if (r.notes.length) entry.notes = r.notes;
    if (fixable) {
      const fixed = fixText(text, opts);
      entry.fixed = fixed.text.split('\n');
      entry.afterFix = fixed.result.findings.map((f) => findingJson(fixed.result.text, f));
    }
    return entry;
  });
  const doc = {
    rule: rule.id,
    name: rule.name,
    severity: rule.severity,
    fixable: rule.fixable ?? false,
    bad,
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export async function lintGoldens(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const rule of RULES) out.set(`lint/${rule.id}.json`, await ruleGolden(rule));
  return out;
}

/** Every golden file, keyed by path relative to test/golden. */
export async function allGoldens(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const ex of exampleNames()) for (const [k, v] of await exampleGoldens(ex)) out.set(k, v);
  for (const [k, v] of await lintGoldens()) out.set(k, v);
  return out;
}

/** The files now under test/golden, relative to it. */
export function committedGoldenPaths(): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const e of readdirSync(path.join(GOLDEN_DIR, rel), { withFileTypes: true })) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(r);
      else out.push(r);
    }
  };
  try {
    walk('');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  return out.sort();
}

export const UPDATE_HINT =
  'If the change is intended, run `npm run golden -- --update` and commit the golden diff with the change.';

/** null when the committed file has exactly these bytes, else a readable explanation with a diff. */
export function compareGolden(rel: string, actual: string): string | null {
  let expected: string | null;
  try {
    expected = readFileSync(path.join(GOLDEN_DIR, rel), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    expected = null;
  }
  if (expected === actual) return null;
  if (expected === null) return `test/golden/${rel} is missing (new output).\n${UPDATE_HINT}`;
  const diff = unifiedDiff(expected, actual, `a/test/golden/${rel}`, `b/test/golden/${rel}`);
  // A difference the line diff cannot show (a missing final newline, CR bytes) still gets named.
  const body = diff || `(the files differ only in line endings or a final newline)\n`;
  return `test/golden/${rel} differs from the generated output:\n${body}${UPDATE_HINT}`;
}

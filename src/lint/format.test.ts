import { readFileSync } from 'node:fs';
import AjvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { lintText } from './engine.js';
import {
  type FileReport,
  formatCheckstyle,
  formatGithub,
  formatJson,
  formatSarif,
  formatText,
} from './format.js';
import { RULES } from './rules/index.js';

const schema = JSON.parse(
  readFileSync(new URL('../../test/fixtures/sarif/sarif-2.1.0-rtm.5.json', import.meta.url), 'utf8'),
);
// CommonJS modules: under NodeNext typing the class is on `.default`; at run time either shape may come.
const Ajv = ((AjvDraft04 as unknown as { default?: typeof AjvDraft04.default }).default ??
  AjvDraft04) as typeof AjvDraft04.default;
const addFormats = ((ajvFormats as unknown as { default?: typeof ajvFormats.default }).default ??
  ajvFormats) as typeof ajvFormats.default;
const ajv = new Ajv({ unicodeRegExp: false, allErrors: true, strict: false });
addFormats(ajv);
const validate = ajv.compile(schema);

const text = 'FROM python:3\nRUN pip install flask | tee "log, 50%"\nCMD python app.py\n';
const pc102 = () => lintText(text).findings.find((f) => f.ruleId === 'PC102')!;
const reports: FileReport[] = [
  { ...lintText(text, { file: 'dir with space/Dockerfile' }) },
  { file: 'clean/Dockerfile', findings: [], notes: ['a note'] },
];

describe('sarif', () => {
  it('validates against the SARIF 2.1.0 schema', () => {
    const log = JSON.parse(formatSarif(reports, RULES));
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    const run = log.runs[0];
    expect(run.columnKind).toBe('utf16CodeUnits');
    expect(run.tool.driver.rules).toHaveLength(RULES.length);
    const r = run.results.find((x: { ruleId: string }) => x.ruleId === 'PC102');
    expect(r.locations[0].physicalLocation.region).toEqual({
      startLine: 1,
      startColumn: 6,
      endLine: 1,
      endColumn: 14,
    });
    expect(r.locations[0].physicalLocation.artifactLocation.uri).toBe('dir%20with%20space/Dockerfile');
    expect(run.tool.driver.rules[r.ruleIndex].id).toBe('PC102');
  });
  it('rejects what the schema forbids (the validator is really on)', () => {
    const log = JSON.parse(formatSarif(reports, RULES));
    log.runs[0].results[0].level = 'fatal';
    log.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
    expect(validate(log)).toBe(false);
  });
  it('an empty run is valid too', () => {
    expect(validate(JSON.parse(formatSarif([], RULES)))).toBe(true);
  });
});

describe('other formats', () => {
  it('text lists findings with file:line:col and a summary', () => {
    const out = formatText(reports);
    expect(out).toContain('dir with space/Dockerfile:1:6 warning');
    expect(out).toMatch(/\d+ problems \(/);
  });
  it('json is stable and machine readable', () => {
    const j = JSON.parse(formatJson(reports));
    expect(j.version).toBe(1);
    expect(j.findings.find((f: { ruleId: string }) => f.ruleId === 'PC102')).toEqual(
      expect.objectContaining({
        file: 'dir with space/Dockerfile',
        line: 1,
        column: 6,
        ruleId: 'PC102',
        severity: 'warning',
      }),
    );
    expect(j.notes).toContain('a note');
  });
  it('github escapes properties and data', () => {
    const out = formatGithub([
      {
        file: 'a,b:c/Dockerfile',
        findings: [{ ...pc102(), file: 'a,b:c/Dockerfile', message: '50% done\nnext' }],
        notes: [],
      },
    ]);
    expect(out).toMatch(
      /^::warning file=a%2Cb%3Ac\/Dockerfile,line=1,col=6,endLine=1,endColumn=14,title=PC102 floating-base-tag::50%25 done%0Anext\n$/,
    );
  });
  it('checkstyle is well-formed XML with escaped attributes', () => {
    const out = formatCheckstyle([
      { file: 'x"&<.Dockerfile', findings: [{ ...pc102(), message: 'a < b & "c"' }], notes: [] },
    ]);
    expect(out).toContain('<file name="x&quot;&amp;&lt;.Dockerfile">');
    expect(out).toContain('message="a &lt; b &amp; &quot;c&quot;"');
    expect(out).toContain('source="pycontain.PC102.floating-base-tag"');
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lintText } from './engine.js';

const dir = new URL('../../test/corpus/', import.meta.url);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.Dockerfile'))
  .sort();

/**
 * Every error-level finding over the corpus, reviewed one by one as true positives
 * (test/corpus/REVIEW.md). A change here needs a new review.
 */
const REVIEWED_ERRORS = [
  '16-distroless-broken.Dockerfile:7:1 PC308',
  '18-streamlit.Dockerfile:6:5 PC319',
  '16-distroless-broken.Dockerfile:8:1 PC308',
  '19-healthcheck-requests.Dockerfile:7:55 PC110',
  '20-secrets.Dockerfile:4:5 PC316',
  '20-secrets.Dockerfile:5:5 PC316',
  '20-secrets.Dockerfile:7:6 PC317',
  '33-multiple-cmd-expose.Dockerfile:6:8 PC314',
];

describe('corpus of realistic Python Dockerfiles', () => {
  it('has at least 40 files', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
  });
  const errors: string[] = [];
  for (const f of files) {
    it(`${f} lints without crashing`, () => {
      const r = lintText(readFileSync(new URL(f, dir), 'utf8'), { file: f });
      expect(r.notes).toEqual([]);
      for (const x of r.findings)
        if (x.severity === 'error') errors.push(`${f}:${x.line}:${x.column} ${x.ruleId}`);
    });
  }
  it('error-level findings are exactly the reviewed ones', () => {
    expect(errors.sort()).toEqual([...REVIEWED_ERRORS].sort());
  });
});

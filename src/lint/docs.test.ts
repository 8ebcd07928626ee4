import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderRuleDocs } from './docs.js';

describe('docs/rules', () => {
  it('is generated from the rule files and up to date (run `npm run docs:rules`)', () => {
    const dir = new URL('../../docs/rules/', import.meta.url);
    const docs = renderRuleDocs();
    const onDisk = readdirSync(dir)
      .filter((f) => f.endsWith('.md'))
      .sort();
    expect(onDisk).toEqual([...docs.keys()].sort());
    for (const [name, text] of docs) expect(readFileSync(new URL(name, dir), 'utf8'), name).toBe(text);
  });
});

/**
 * Writes docs/rules/ from the lint rule objects and docs/findings.md from analyze's finding registry.
 * Run with `npm run docs:rules`; tests check the results are current.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderFindingDocs } from '../src/image/findings.js';
import { renderRuleDocs } from '../src/lint/docs.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'rules');
mkdirSync(dir, { recursive: true });
const docs = renderRuleDocs();
for (const f of readdirSync(dir)) if (f.endsWith('.md') && !docs.has(f)) rmSync(path.join(dir, f));
for (const [name, text] of docs) writeFileSync(path.join(dir, name), text);
console.log(`wrote ${docs.size} files to ${path.relative(process.cwd(), dir) || dir}`);
writeFileSync(path.join(dir, '..', 'findings.md'), renderFindingDocs());
console.log('wrote docs/findings.md');

/** Writes docs/rules/ from the lint rule objects. Run with `npm run docs:rules`; a test checks the result is current. */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderRuleDocs } from '../src/lint/docs.js';

const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'docs', 'rules');
mkdirSync(dir, { recursive: true });
const docs = renderRuleDocs();
for (const f of readdirSync(dir)) if (f.endsWith('.md') && !docs.has(f)) rmSync(path.join(dir, f));
for (const [name, text] of docs) writeFileSync(path.join(dir, name), text);
console.log(`wrote ${docs.size} files to ${path.relative(process.cwd(), dir) || dir}`);

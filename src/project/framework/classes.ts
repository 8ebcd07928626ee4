/**
 * Project classes that are applications: `class MyApp(Flask)` anywhere in the project, followed
 * through other subclasses and re-exports (`from .core import MyApp` in a package's __init__.py).
 */
import type { Framework } from '../../plan.js';
import { analyze, constructorFramework, type FileFacts } from './facts.js';
import { absolute, type PyFile } from './scan.js';

const MAX_HOPS = 16;

/** Facts of every file, with subclasses of the framework classes counted as their constructors. */
export function analyzeAll(files: PyFile[]): Map<PyFile, FileFacts> {
  const facts = new Map<PyFile, FileFacts>();
  for (const f of files) facts.set(f, analyze(f));
  const sub = subclassFrameworks(files, facts);
  if (sub.size === 0) return facts;
  const ctor = (q: string) => constructorFramework(q) ?? sub.get(q) ?? null;
  // A file can only call a subclass by a name whose last part it spells (an import or the class
  // itself): the others' facts cannot change.
  const lastParts = new Set([...sub.keys()].map((q) => q.slice(q.lastIndexOf('.') + 1)));
  for (const f of files) {
    if ([...lastParts].some((n) => f.text.includes(n))) facts.set(f, analyze(f, ctor));
  }
  return facts;
}

/** Qualified names (class definitions and the names that re-export them) -> their framework. */
export function subclassFrameworks(files: PyFile[], facts: Map<PyFile, FileFacts>): Map<string, Framework> {
  const bases = new Map<string, string[]>();
  const alias = new Map<string, string>();
  const key = (f: PyFile, name: string) => (f.module ? `${f.module}.${name}` : name);
  for (const f of files) {
    for (const c of (facts.get(f) as FileFacts).classes) bases.set(key(f, c.name), c.bases);
    for (const [local, q] of f.bindings) alias.set(key(f, local), absolute(f, q));
  }
  const memo = new Map<string, Framework | null>();
  const resolve = (q: string, hops: number): Framework | null => {
    const known = constructorFramework(q);
    if (known) return known;
    if (hops > MAX_HOPS) return null;
    if (memo.has(q)) return memo.get(q) ?? null;
    memo.set(q, null); // a cycle resolves to nothing
    let fw: Framework | null = null;
    const a = alias.get(q);
    if (a && a !== q) fw = resolve(a, hops + 1);
    for (const b of bases.get(q) ?? []) fw ??= resolve(b, hops + 1);
    memo.set(q, fw);
    return fw;
  };
  const out = new Map<string, Framework>();
  for (const q of [...bases.keys(), ...alias.keys()]) {
    const fw = resolve(q, 0);
    if (fw && !constructorFramework(q)) out.set(q, fw);
  }
  return out;
}

/**
 * Follows re-exports: 'redash.create_app' -> 'redash.app.create_app' when redash/__init__.py does
 * `from .app import create_app`. Names that are not re-exports come back unchanged.
 */
export function aliasResolver(files: PyFile[]): (q: string) => string {
  const alias = new Map<string, string>();
  for (const f of files) {
    if (!f.module) continue;
    for (const [local, q] of f.bindings) alias.set(`${f.module}.${local}`, absolute(f, q));
  }
  return (q: string) => {
    let cur = q;
    for (let hops = 0; hops < MAX_HOPS; hops++) {
      const next = alias.get(cur);
      if (!next || next === cur) break;
      cur = next;
    }
    return cur;
  };
}

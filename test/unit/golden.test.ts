import { describe, expect, it } from 'vitest';
import { RULES } from '../../src/lint/rules/index.js';
import {
  committedGoldenPaths,
  compareGolden,
  exampleGoldens,
  exampleNames,
  ruleGolden,
  UPDATE_HINT,
} from './golden.js';

/** Byte-for-byte, with a unified diff and how to regenerate when a file differs. */
function expectGolden(files: Map<string, string>): void {
  const problems = [...files].map(([rel, text]) => compareGolden(rel, text)).filter((p) => p !== null);
  if (problems.length) expect.fail(`\n${problems.join('\n\n')}`);
}

// Each example is generated once, shared by its own test and the leftover check (which then does
// not depend on the other tests having run, under a `-t` filter).
const exampleCache = new Map<string, Promise<Map<string, string>>>();
const exampleSet = (example: string) => {
  if (!exampleCache.has(example)) exampleCache.set(example, exampleGoldens(example));
  return exampleCache.get(example)!;
};

describe('golden: pycontain init on every example (slim and --distroless)', () => {
  it.each(exampleNames())('%s', async (example) => {
    expectGolden(await exampleSet(example));
  });
});

describe("golden: each lint rule's bad cases (message, position, --fix)", () => {
  it.each(RULES.map((r) => r.id))('%s', async (id) => {
    const rule = RULES.find((r) => r.id === id)!;
    expectGolden(new Map([[`lint/${rule.id}.json`, await ruleGolden(rule)]]));
  });
});

describe('golden: no leftovers', () => {
  // A file nothing produces is a removed example or rule whose golden output was left behind.
  it('every file under test/golden is produced by an example or a rule', async () => {
    const produced = new Set<string>(RULES.map((r) => `lint/${r.id}.json`));
    for (const ex of exampleNames()) for (const rel of (await exampleSet(ex)).keys()) produced.add(rel);
    const stale = committedGoldenPaths().filter((p) => !produced.has(p));
    if (stale.length)
      expect.fail(`no longer produced: ${stale.map((p) => `test/golden/${p}`).join(', ')}. ${UPDATE_HINT}`);
  });
});

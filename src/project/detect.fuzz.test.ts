import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError } from '../plan.js';
import { detectProject } from './detect.js';

const FIXTURES = path.join(import.meta.dirname, '__fixtures__');

/** Every manifest and lock of the fixtures, as (fixture, file) pairs. */
function manifestFiles(): [string, string][] {
  const out: [string, string][] = [];
  for (const d of readdirSync(FIXTURES)) {
    if (!statSync(path.join(FIXTURES, d)).isDirectory()) continue;
    for (const f of readdirSync(path.join(FIXTURES, d)))
      if (
        /^(pyproject\.toml|uv\.lock|poetry\.lock|pdm\.lock|Pipfile(\.lock)?|setup\.(cfg|py)|\.python-version)$/.test(
          f,
        )
      )
        out.push([d, f]);
  }
  return out;
}

describe('detectProject on damaged manifests', () => {
  it('truncated or corrupted files give a plan or an InputError, never a crash', async () => {
    const files = manifestFiles();
    expect(files.length).toBeGreaterThan(10);
    const work = mkdtempSync(path.join(os.tmpdir(), 'detect-fuzz-'));
    try {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...files),
          fc.double({ min: 0, max: 1, noNaN: true }),
          fc.oneof(
            fc.constant(''),
            fc.constantFrom('"', ']', '[', '=', '\n[[package]]\n', '{', '\u0000', 'version = 99\n'),
            fc.string({ maxLength: 8 }),
          ),
          async ([fixture, file], at, junk) => {
            const dir = mkdtempSync(path.join(work, 'p-'));
            cpSync(path.join(FIXTURES, fixture), dir, { recursive: true });
            const text = readFileSync(path.join(dir, file), 'utf8');
            const cut = Math.floor(text.length * at);
            writeFileSync(
              path.join(dir, file),
              text.slice(0, cut) + junk + text.slice(cut + junk.length * 3),
            );
            try {
              const plan = await detectProject(dir);
              expect(plan.schemaVersion).toBe(1);
            } catch (e) {
              if (!(e instanceof InputError))
                throw new Error(
                  `${fixture}/${file} cut at ${cut} + ${JSON.stringify(junk)}: ${(e as Error).stack}`,
                );
              expect(e.message.length).toBeGreaterThan(0);
            }
          },
        ),
        { numRuns: 150, seed: 20261125 },
      );
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);
});

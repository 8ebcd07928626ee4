/**
 * Test suites that distributions ship inside their installed package (pandas/tests is 36 MB with its
 * bytecode, numpy's tests directories 16 MB). Nothing imports them when the package is used, so the generated
 * Dockerfile deletes them in the builder before the bytecode compile. The knowledge is data
 * (data/package-tests.json); this module picks the entries that apply to a project.
 */

import { z } from 'zod';
import type { Decision, Dependency, PackageTests } from '../plan.js';
import { loadData, parseData } from '../util/data.js';
import { impliedDistributions, normalizeName } from './native.js';

const Entry = z.strictObject({
  name: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'PEP 503 normalized name'),
  // Plain directory names: they end up in a shell command and a find expression.
  roots: z.array(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an import package name')).min(1),
  dirs: z.array(z.enum(['tests', 'test'])).min(1),
  verified: z.string().min(1).optional(),
  note: z.string().min(1),
});

const File = z.object({ packages: z.array(Entry) });

export type PackageTestsEntry = z.infer<typeof Entry>;

/** Parse and validate the table; exported for tests that feed broken data. */
export function parsePackageTests(text: string): PackageTestsEntry[] {
  return parseData('package-tests.json', text, File, checkPackageTests);
}

function checkPackageTests({ packages: entries }: z.output<typeof File>): PackageTestsEntry[] {
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.name)) throw new Error(`duplicate entry ${e.name}`);
    seen.add(e.name);
  }
  return entries;
}

export function packageTestsTable(): PackageTestsEntry[] {
  return loadData('package-tests.json', File, checkPackageTests);
}

/**
 * The package test suites to delete for these dependencies (dev groups excluded, `groups` are the
 * installed extra groups), with one decision that says what and why. `keep` (the
 * keep-package-tests override) turns it off and says so.
 */
export function packageTestsFor(
  deps: Dependency[],
  opts: { groups?: string[]; keep?: boolean } = {},
): { packageTests: PackageTests[]; decisions: Decision[] } {
  const installed = new Set(['main', 'default', ...(opts.groups ?? [])]);
  const runtimeDeps = deps.filter((x) => !x.group || installed.has(x.group));
  const names = new Map<string, string | undefined>();
  for (const d of runtimeDeps) names.set(normalizeName(d.name), undefined);
  for (const [name, via] of impliedDistributions(runtimeDeps)) if (!names.has(name)) names.set(name, via);
  const packageTests: PackageTests[] = [];
  for (const e of packageTestsTable()) {
    if (!names.has(e.name)) continue;
    const via = names.get(e.name);
    packageTests.push({
      distribution: e.name,
      roots: [...e.roots],
      dirs: [...e.dirs],
      reason: via ? `${e.note} (pulled in by ${via})` : e.note,
    });
  }
  if (!packageTests.length) return { packageTests, decisions: [] };
  const list = packageTests.map((p) => p.distribution).join(', ');
  if (opts.keep)
    return {
      packageTests: [],
      decisions: [
        {
          topic: 'package test suites',
          value: 'kept',
          reason: `keep-package-tests is set: the test suites shipped inside ${list} stay in the image`,
        },
      ],
    };
  return {
    packageTests,
    decisions: [
      {
        topic: 'package test suites',
        value: `removed: ${packageTests.map((p) => p.roots.map((r) => `${r}/**/${p.dirs.join('|')}`).join(' ')).join(' ')}`,
        reason: `${list} ship their own test suites inside the package; nothing imports them at run time, and the image is verified after the build (keep them with keep-package-tests = true)`,
      },
    ],
  };
}

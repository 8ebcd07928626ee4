/**
 * Golden outputs (test/golden/): `npm run golden` checks them and prints the diff, `npm run golden -- --update`
 * rewrites them (and removes files no example or rule produces any more). The unit test
 * test/unit/golden.test.ts makes the same comparison; the golden diff is reviewed in the commit.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  allGoldens,
  committedGoldenPaths,
  compareGolden,
  GOLDEN_DIR,
  UPDATE_HINT,
} from '../test/unit/golden.js';

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--update');
if (unknown.length) {
  console.error(`usage: npm run golden [-- --update]   (unknown argument: ${unknown.join(' ')})`);
  process.exit(2);
}
const update = args.includes('--update');

const files = await allGoldens();
const stale = committedGoldenPaths().filter((p) => !files.has(p));
const changed = [...files].filter(([rel, text]) => compareGolden(rel, text) !== null);

if (update) {
  for (const [rel, text] of changed) {
    mkdirSync(path.dirname(path.join(GOLDEN_DIR, rel)), { recursive: true });
    writeFileSync(path.join(GOLDEN_DIR, rel), text);
  }
  for (const rel of stale) rmSync(path.join(GOLDEN_DIR, rel));
  console.log(
    `test/golden: ${files.size} files, ${changed.length} written, ${stale.length} removed; review the diff (git diff test/golden) before committing`,
  );
} else {
  for (const [rel, text] of changed) console.log(compareGolden(rel, text)?.replace(`\n${UPDATE_HINT}`, ''));
  for (const rel of stale) console.log(`test/golden/${rel} is no longer produced`);
  const bad = changed.length + stale.length;
  console.log(
    bad ? `${bad} golden file(s) out of date. ${UPDATE_HINT}` : `test/golden: ${files.size} files up to date`,
  );
  process.exit(bad ? 1 : 0);
}

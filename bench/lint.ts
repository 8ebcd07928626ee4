/**
 * Lint speed, against dockerfilelint (npm) on the same files in the same run:
 *  - wall time of one `node dist/cli/main.js lint FILE` process vs one `dockerfilelint FILE` process
 *    (what a pre-commit hook or an editor pays): medians over interleaved runs, target ratio <= 0.8;
 *  - in-process throughput of lintText over the corpus (test/corpus/), on one core (target >= 2,000/s),
 *    next to dockerfile-ast's bare parse rate and dockerfilelint's in-process rate.
 *
 *   npm run build && npx tsx bench/lint.ts
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DockerfileParser } from 'dockerfile-ast';
import type { lintText as LintText } from '../src/lint/engine.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpusDir = path.join(root, 'test', 'corpus');
const cli = path.join(root, 'dist', 'cli', 'main.js');
const dfl = path.join(root, 'node_modules', 'dockerfilelint', 'bin', 'dockerfilelint');

export interface LintBench {
  /** Median wall time of one pycontain lint process (ms). */
  cliWallMsPycontain: number;
  /** Median wall time of one dockerfilelint process on the same file (ms). */
  cliWallMsDockerfilelint: number;
  /** pycontain / dockerfilelint; target <= 0.8. */
  ratio: number;
  /** Median wall time of `node -e 0` in the same run: the floor both pay (ms). */
  nodeStartupMs: number;
  /** Median wall time of `node dist/cli/main.js --version` (ms): the CLI shell with every command registered, no linting. */
  cliShellMs: number;
  /** lintText calls per CPU-second over the corpus (one thread, so one core); target >= 2000. */
  inProcessPerSecond: number;
  /** The same per wall-clock second (lower when the machine is shared). */
  inProcessWallPerSecond: number;
  /** DockerfileParser.parse calls per CPU-second over the same files: the floor of any dockerfile-ast linter. */
  parsePerSecond: number;
  /** dockerfilelint's own in-process lint rate (per CPU-second) over the files it does not crash on. */
  dockerfilelintPerSecond: number;
  dockerfilelintFiles: number;
  files: number;
  cliRuns: number;
  cliFile: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function wall(args: string[]): number {
  const t = performance.now();
  const r = spawnSync(process.execPath, args, { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } });
  const ms = performance.now() - t;
  if (r.error) throw r.error;
  return ms;
}

/** Calls per CPU-second and per wall-second of fn over the items, after a warm-up, for at least `ms` ms. */
function rate(items: string[], fn: (text: string) => unknown, ms = 2000): { cpu: number; wall: number } {
  for (let i = 0; i < 20; i++) for (const t of items) fn(t);
  let n = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let elapsed = 0;
  while (elapsed < ms) {
    for (const t of items) fn(t);
    n += items.length;
    elapsed = performance.now() - t0;
  }
  const c = process.cpuUsage(c0);
  return { cpu: n / ((c.user + c.system) / 1e6), wall: n / (elapsed / 1000) };
}

export async function benchLint(opts: { runs?: number } = {}): Promise<LintBench> {
  if (!existsSync(cli))
    throw new Error(`${path.relative(root, cli)} is missing: run \`npm run build\` first`);
  const files = readdirSync(corpusDir)
    .filter((f) => f.endsWith('.Dockerfile'))
    .sort()
    .map((f) => path.join(corpusDir, f));
  const texts = files.map((f) => readFileSync(f, 'utf8'));

  // A file both tools handle (dockerfilelint 1.8 crashes on exec-form HEALTHCHECK, for one).
  const cliFile =
    files.find(
      (f) =>
        spawnSync(process.execPath, [dfl, f], { stdio: 'ignore' }).status !== 2 &&
        !/HEALTHCHECK/.test(readFileSync(f, 'utf8')),
    ) ?? files[0]!;
  const runs = opts.runs ?? 15;
  const oursMs: number[] = [];
  const theirs: number[] = [];
  const bare: number[] = [];
  const shell: number[] = [];
  wall([cli, 'lint', '--fail-level', 'none', cliFile]);
  wall([dfl, cliFile]);
  // Interleaved so that load changes on a shared machine hit both alike.
  for (let i = 0; i < runs; i++) {
    oursMs.push(wall([cli, 'lint', '--fail-level', 'none', cliFile]));
    theirs.push(wall([dfl, cliFile]));
    bare.push(wall(['-e', '0']));
    shell.push(wall([cli, '--version']));
  }

  const require = createRequire(import.meta.url);
  const dockerfilelint = require('dockerfilelint') as {
    run(configPath: string | undefined, content: string): unknown;
  };
  const dflTexts = texts.filter((t) => {
    try {
      dockerfilelint.run('', t);
      return true;
    } catch {
      return false;
    }
  });

  // The shipped JavaScript (tsc output), not the sources through tsx, whose helpers would skew the rate.
  const { lintText } = (await import(pathToFileURL(path.join(root, 'dist', 'lint', 'engine.js')).href)) as {
    lintText: typeof LintText;
  };
  const ours = rate(texts, (t) => lintText(t));
  const parse = rate(texts, (t) => DockerfileParser.parse(t));
  const theirRate = rate(dflTexts, (t) => dockerfilelint.run('', t));
  const a = median(oursMs);
  const b = median(theirs);
  return {
    cliWallMsPycontain: Math.round(a * 10) / 10,
    cliWallMsDockerfilelint: Math.round(b * 10) / 10,
    ratio: Math.round((a / b) * 100) / 100,
    nodeStartupMs: Math.round(median(bare) * 10) / 10,
    cliShellMs: Math.round(median(shell) * 10) / 10,
    inProcessPerSecond: Math.round(ours.cpu),
    inProcessWallPerSecond: Math.round(ours.wall),
    parsePerSecond: Math.round(parse.cpu),
    dockerfilelintPerSecond: Math.round(theirRate.cpu),
    dockerfilelintFiles: dflTexts.length,
    files: files.length,
    cliRuns: runs,
    cliFile: path.relative(root, cliFile),
  };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const r = await benchLint();
  console.log(JSON.stringify(r, null, 2));
  const ok = r.ratio <= 0.8 && r.inProcessPerSecond >= 2000;
  console.log(
    `CLI ratio ${r.ratio} (target <= 0.8), in-process ${r.inProcessPerSecond}/s (target >= 2000): ${ok ? 'met' : 'NOT met'}`,
  );
}

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
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

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
  /** Median wall time of a process that imports only dist/lint/cli.js and lints the file (ms): lint's own share. */
  lintOnlyProcessMs: number;
  /** lintOnlyProcessMs / cliWallMsDockerfilelint: the ratio the CLI would reach if main.ts loaded commands lazily. */
  lintOnlyRatio: number;
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

/**
 * In-process rates, measured in a plain `node` child (no tsx loader, which would transform the
 * shipped JavaScript too): steady-state calls per CPU-second and per wall-second of lintText, of dockerfile-ast's
 * parse, and of dockerfilelint's run, over the same files, after a warm-up.
 */
function inProcessRates(files: string[]): {
  lint: { cpu: number; wall: number };
  parse: { cpu: number; wall: number };
  dfl: { cpu: number; wall: number };
  dflFiles: number;
} {
  const engine = pathToFileURL(path.join(root, 'dist', 'lint', 'engine.js')).href;
  const script = `
    import { readFileSync } from 'node:fs';
    import { createRequire } from 'node:module';
        const require = createRequire(${JSON.stringify(path.join(root, 'package.json'))});
    const { DockerfileParser } = require('dockerfile-ast');
    const dockerfilelint = require('dockerfilelint');
    const { lintText } = await import(${JSON.stringify(engine)});
    const texts = ${JSON.stringify(files)}.map((f) => readFileSync(f, 'utf8'));
    const dflTexts = texts.filter((t) => { try { dockerfilelint.run('', t); return true; } catch { return false; } });
    function rate(items, fn, ms = 2500) {
      // Warm up by time, not by count (on a loaded machine the optimizing compiler runs late), then
      // take the median of ten timed chunks: robust to a GC pause or a descheduled moment.
      const w0 = performance.now();
      while (performance.now() - w0 < ms) for (const t of items) fn(t);
      const cpu = [], wall = [];
      for (let chunk = 0; chunk < 10; chunk++) {
        const t0 = performance.now(); const c0 = process.cpuUsage();
        for (let i = 0; i < 10; i++) for (const t of items) fn(t);
        const c = process.cpuUsage(c0);
        cpu.push((10 * items.length) / ((c.user + c.system) / 1e6));
        wall.push((10 * items.length) / ((performance.now() - t0) / 1000));
      }
      const med = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
      return { cpu: med(cpu), wall: med(wall) };
    }
    const lint = rate(texts, (t) => lintText(t));
    const parse = rate(texts, (t) => DockerfileParser.parse(t));
    const dfl = rate(dflTexts, (t) => dockerfilelint.run('', t));
    process.stdout.write(JSON.stringify({ lint, parse, dfl, dflFiles: dflTexts.length }));
  `;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
    cwd: root,
  });
  if (r.status !== 0) throw new Error(`in-process measurement failed: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

export async function benchLint(opts: { runs?: number } = {}): Promise<LintBench> {
  if (!existsSync(cli))
    throw new Error(`${path.relative(root, cli)} is missing: run \`npm run build\` first`);
  const files = readdirSync(corpusDir)
    .filter((f) => f.endsWith('.Dockerfile'))
    .sort()
    .map((f) => path.join(corpusDir, f));

  // A file both tools handle (dockerfilelint 1.8 crashes on exec-form HEALTHCHECK, for one).
  const cliFile =
    files.find((f) => {
      if (/HEALTHCHECK/.test(readFileSync(f, 'utf8'))) return false;
      const r = spawnSync(process.execPath, [dfl, f], { encoding: 'utf8' });
      return !/Error|at Object\./.test(r.stderr ?? '');
    }) ?? files[0]!;
  const runs = opts.runs ?? 15;
  const oursMs: number[] = [];
  const theirs: number[] = [];
  const bare: number[] = [];
  const shell: number[] = [];
  const lintOnly: number[] = [];
  const lintOnlyScript = `const c = await import(${JSON.stringify(pathToFileURL(path.join(root, 'dist', 'lint', 'cli.js')).href)}); process.exitCode = await c.runLint([${JSON.stringify(cliFile)}], { format: 'text', failLevel: 'none' });`;
  wall([cli, 'lint', '--fail-level', 'none', cliFile]);
  wall([dfl, cliFile]);
  // Interleaved so that load changes on a shared machine hit both alike.
  for (let i = 0; i < runs; i++) {
    oursMs.push(wall([cli, 'lint', '--fail-level', 'none', cliFile]));
    theirs.push(wall([dfl, cliFile]));
    bare.push(wall(['-e', '0']));
    shell.push(wall([cli, '--version']));
    lintOnly.push(wall(['--input-type=module', '-e', lintOnlyScript]));
  }

  const rates = inProcessRates(files);
  const a = median(oursMs);
  const b = median(theirs);
  return {
    cliWallMsPycontain: Math.round(a * 10) / 10,
    cliWallMsDockerfilelint: Math.round(b * 10) / 10,
    ratio: Math.round((a / b) * 100) / 100,
    nodeStartupMs: Math.round(median(bare) * 10) / 10,
    cliShellMs: Math.round(median(shell) * 10) / 10,
    lintOnlyProcessMs: Math.round(median(lintOnly) * 10) / 10,
    lintOnlyRatio: Math.round((median(lintOnly) / b) * 100) / 100,
    inProcessPerSecond: Math.round(rates.lint.cpu),
    inProcessWallPerSecond: Math.round(rates.lint.wall),
    parsePerSecond: Math.round(rates.parse.cpu),
    dockerfilelintPerSecond: Math.round(rates.dfl.cpu),
    dockerfilelintFiles: rates.dflFiles,
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

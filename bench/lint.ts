/**
 * Lint speed, against dockerfilelint (npm) on the same files in the same run:
 *  - wall time of one `pycontain lint FILE` process vs one `dockerfilelint FILE` process (what a
 *    pre-commit hook or an editor pays): medians over interleaved runs, target ratio <= 0.8. Both
 *    are launched as npm installs them: the file package.json "bin" names, through a
 *    node_modules/.bin symlink executed directly (its `#!/usr/bin/env node` line; on Windows npm's
 *    shim runs `node FILE`, and so does this);
 *  - in-process throughput of lintText over the corpus (test/corpus/), on one core (target >= 2,000/s),
 *    next to dockerfile-ast's bare parse rate and dockerfilelint's in-process rate.
 *
 *   npm run build && npx tsx bench/lint.ts
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const corpusDir = path.join(root, 'test', 'corpus');
const cli = path.join(root, 'dist', 'cli', 'main.js');
const dfl = path.join(root, 'node_modules', 'dockerfilelint', 'bin', 'dockerfilelint');

/** The file package.json "bin" points to: what `npm i -g pycontain` or a project's .bin runs. */
function packageBin(dir: string, name: string): string {
  const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
    bin: string | Record<string, string>;
  };
  const rel = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin[name];
  if (!rel) throw new Error(`${dir}/package.json has no bin ${name}`);
  return path.join(dir, rel);
}

/**
 * How npm's shim starts a bin: on POSIX a symlink in node_modules/.bin executed directly (the
 * kernel runs its `#!/usr/bin/env node` line); on Windows a .cmd that runs `node FILE`.
 */
function shimmed(binDir: string, name: string, target: string): { file: string; args: string[] } {
  if (process.platform === 'win32') return { file: process.execPath, args: [target] };
  const link = path.join(binDir, name);
  symlinkSync(target, link);
  return { file: link, args: [] };
}

export interface LintBench {
  /** Median wall time of one `pycontain lint FILE` process, the package bin started as npm's shim does (ms). */
  cliWallMsPycontain: number;
  /** Median wall time of one dockerfilelint process on the same file, started the same way (ms). */
  cliWallMsDockerfilelint: number;
  /** pycontain / dockerfilelint; target <= 0.8. */
  ratio: number;
  /** Median wall time of `node dist/cli/main.js lint FILE` (ms): the documented form, an ES module entry (same lint bundle). */
  cliWallMsMainJs: number;
  /** cliWallMsMainJs / cliWallMsDockerfilelint. */
  mainJsRatio: number;
  /** Median wall time of the bin linting a Dockerfile beside a Python project (examples/fastapi-uv): the project readers load too (ms). */
  cliWallMsWithProject: number;
  /** Median wall time of `node -e 0` in the same run: the floor both pay (ms). */
  nodeStartupMs: number;
  /** Median wall time of `node dist/cli/main.js --version` (ms): the CLI shell with every command registered, no linting. */
  cliShellMs: number;
  /** Median wall time of a process that imports only dist/lint/cli.js (unbundled ES modules) and lints the file (ms). */
  lintOnlyProcessMs: number;
  /** lintOnlyProcessMs / cliWallMsDockerfilelint: where the unbundled linter alone would stand. */
  lintOnlyRatio: number;
  /** Median wall time of the bin with PYCONTAIN_NO_BUNDLE=1 (ms): the unbundled path, what the bundle saves. */
  cliWallMsUnbundled: number;
  /** 1-minute load average before and after the process timings (the machine is shared). */
  loadAverage: [number, number];
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

function wall(args: string[], file = process.execPath, env: NodeJS.ProcessEnv = {}): number {
  const t = performance.now();
  const r = spawnSync(file, args, { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1', ...env } });
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
  const runs = opts.runs ?? 21;
  const bins = mkdtempSync(path.join(os.tmpdir(), 'pycontain-bench-bin-'));
  let timings: { series: Record<string, number[]>; load: [number, number] };
  try {
    const ours = shimmed(bins, 'pycontain', packageBin(root, 'pycontain'));
    const theirs = shimmed(
      bins,
      'dockerfilelint',
      packageBin(path.join(root, 'node_modules', 'dockerfilelint'), 'dockerfilelint'),
    );
    // A Dockerfile beside a real Python project: the project-aware rules read it.
    const project = path.join(bins, 'project');
    cpSync(path.join(root, 'examples', 'fastapi-uv'), project, { recursive: true });
    cpSync(cliFile, path.join(project, 'Dockerfile'));
    const projectFile = path.join(project, 'Dockerfile');

    const series: Record<string, number[]> = {
      ours: [],
      theirs: [],
      mainJs: [],
      project: [],
      bare: [],
      shell: [],
      lintOnly: [],
      unbundled: [],
    };
    const lintOnlyScript = `const c = await import(${JSON.stringify(pathToFileURL(path.join(root, 'dist', 'lint', 'cli.js')).href)}); process.exitCode = await c.runLint([${JSON.stringify(cliFile)}], { format: 'text', failLevel: 'none' });`;
    const lint = ['lint', '--fail-level', 'none'];
    const measures: [string, () => number][] = [
      ['ours', () => wall([...ours.args, ...lint, cliFile], ours.file)],
      ['theirs', () => wall([...theirs.args, cliFile], theirs.file)],
      ['mainJs', () => wall([cli, ...lint, cliFile])],
      ['project', () => wall([...ours.args, ...lint, projectFile], ours.file)],
      ['bare', () => wall(['-e', '0'])],
      ['shell', () => wall([cli, '--version'])],
      ['lintOnly', () => wall(['--input-type=module', '-e', lintOnlyScript])],
      ['unbundled', () => wall([...ours.args, ...lint, cliFile], ours.file, { PYCONTAIN_NO_BUNDLE: '1' })],
    ];
    // One warm-up each (page cache; a code cache missing for this Node is made here).
    for (const [, m] of measures) m();
    const load0 = os.loadavg()[0]!;
    // Interleaved so that load changes on a shared machine hit all alike.
    for (let i = 0; i < runs; i++) for (const [name, m] of measures) series[name]!.push(m());
    const load1 = os.loadavg()[0]!;
    timings = { series, load: [load0, load1] };
  } finally {
    rmSync(bins, { recursive: true, force: true });
  }
  const { series, load } = timings;

  const rates = inProcessRates(files);
  const ms = (name: string) => Math.round(median(series[name]!) * 10) / 10;
  const b = median(series.theirs!);
  const ratioOf = (name: string) => Math.round((median(series[name]!) / b) * 100) / 100;
  return {
    cliWallMsPycontain: ms('ours'),
    cliWallMsDockerfilelint: ms('theirs'),
    ratio: ratioOf('ours'),
    cliWallMsMainJs: ms('mainJs'),
    mainJsRatio: ratioOf('mainJs'),
    cliWallMsWithProject: ms('project'),
    nodeStartupMs: ms('bare'),
    cliShellMs: ms('shell'),
    lintOnlyProcessMs: ms('lintOnly'),
    lintOnlyRatio: ratioOf('lintOnly'),
    cliWallMsUnbundled: ms('unbundled'),
    loadAverage: [Math.round(load[0]! * 100) / 100, Math.round(load[1]! * 100) / 100],
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

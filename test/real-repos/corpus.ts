// npm run corpus -- [--prepare --mirrors DIR] [--checkouts DIR] [--only owner/name,...] [--no-write] [--cli dist/cli/pycontain.cjs]
//
// --prepare writes one checkout per corpus entry from local git mirrors (`git archive` of the
// pinned commit), without the Dockerfiles, compose files and .dockerignore: what `init` sees on a
// repository that has none. Scoring runs `pycontain detect --json` once per checkout, one process
// each (wall and CPU time measured by /usr/bin/time), scores each field against the truth, prints a
// table and the mismatches, and writes RESULTS.md. Nothing is fetched.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { aptOverlap, FIELDS, type Field, type FieldResult, type PlanView, scoreEntry } from './score.js';
import { type CorpusEntry, loadCorpus, slugOf } from './truth.js';

const HERE = path.dirname(new URL(import.meta.url).pathname);
const ROOT = path.resolve(HERE, '../..');
// The package bin, what users run (detect starts from its bundle there).
const DEFAULT_CLI = path.join(ROOT, 'dist/cli/pycontain.cjs');

interface Args {
  prepare: boolean;
  mirrors: string;
  checkouts: string;
  only: Set<string> | null;
  write: boolean;
  /** Another build's CLI, to score an older commit against the same truth. */
  cli: string;
  /** Where to write each repository's detect output, to diff two builds byte for byte. */
  savePlans: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    prepare: false,
    mirrors: process.env.PYCONTAIN_CORPUS_MIRRORS ?? '/work/.mirror',
    checkouts: process.env.PYCONTAIN_CORPUS_DIR ?? '',
    only: null,
    write: true,
    cli: DEFAULT_CLI,
    savePlans: '',
  };
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${x} needs a value`);
      return v;
    };
    if (x === '--prepare') a.prepare = true;
    else if (x === '--mirrors') a.mirrors = val();
    else if (x === '--checkouts') a.checkouts = val();
    else if (x === '--only') a.only = new Set(val().split(','));
    else if (x === '--no-write') a.write = false;
    else if (x === '--cli') a.cli = path.resolve(val());
    else if (x === '--save-plans') a.savePlans = path.resolve(val());
    else throw new Error(`unknown option ${x}`);
  }
  if (!a.checkouts) throw new Error('give the checkout directory: --checkouts DIR or PYCONTAIN_CORPUS_DIR');
  return a;
}

// What `init` exists for: a repository without a container recipe of its own.
const CONTAINER_FILE =
  /(^|\/)((Docker|Container)file[^/]*|[^/]*\.(docker|container)file|([^/]*[-.])?compose[^/]*\.ya?ml|[^/]*\.dockerignore|\.dockerignore)$/i;

export function isContainerFile(rel: string): boolean {
  return CONTAINER_FILE.test(rel);
}

function removeContainerFiles(dir: string, rel = ''): number {
  let n = 0;
  for (const d of readdirSync(path.join(dir, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${d.name}` : d.name;
    if (d.isDirectory()) n += removeContainerFiles(dir, r);
    else if (isContainerFile(r)) {
      rmSync(path.join(dir, r));
      n++;
    }
  }
  return n;
}

function mirrorOf(mirrors: string, repo: string): string {
  const [owner, name] = repo.split('/') as [string, string];
  return path.join(mirrors, `${owner}+${name}`, 'repo');
}

/**
 * Write the tree of `commit` into `dir`. Mirrors lack large and LFS blobs, which `git archive`
 * refuses; those files are left out (detection reads none of them). Symlinks are written only when
 * they stay inside the checkout; submodules are skipped.
 */
function extractTree(git: string, commit: string, dir: string): { written: number; missing: number } {
  const list = execFileSync('git', ['--git-dir', git, 'ls-tree', '-r', '-z', '--full-tree', commit], {
    maxBuffer: 1 << 28,
  })
    .toString('utf8')
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf('\t');
      const [mode, type, sha] = line.slice(0, tab).split(' ') as [string, string, string];
      return { mode, type, sha, rel: line.slice(tab + 1) };
    })
    .filter((x) => x.type === 'blob');
  let written = 0;
  let missing = 0;
  for (let i = 0; i < list.length; i += 500) {
    const chunk = list.slice(i, i + 500);
    const out = execFileSync('git', ['--git-dir', git, 'cat-file', '--batch'], {
      input: `${chunk.map((x) => x.sha).join('\n')}\n`,
      maxBuffer: 1 << 30,
    });
    let pos = 0;
    for (const x of chunk) {
      const nl = out.indexOf(10, pos);
      const header = out.subarray(pos, nl).toString('utf8').split(' ');
      pos = nl + 1;
      if (header[1] === 'missing') {
        missing++;
        continue;
      }
      const size = Number(header[2]);
      const body = out.subarray(pos, pos + size);
      pos += size + 1;
      const file = path.join(dir, x.rel);
      if (!file.startsWith(`${dir}${path.sep}`)) continue;
      mkdirSync(path.dirname(file), { recursive: true });
      if (x.mode === '120000') {
        const target = body.toString('utf8');
        const resolved = path.resolve(path.dirname(file), target);
        if (!resolved.startsWith(`${dir}${path.sep}`)) continue;
        symlinkSync(target, file);
      } else {
        writeFileSync(file, body, { mode: x.mode === '100755' ? 0o755 : 0o644 });
      }
      written++;
    }
  }
  return { written, missing };
}

function prepare(entries: CorpusEntry[], a: Args): void {
  mkdirSync(a.checkouts, { recursive: true });
  for (const e of entries) {
    const git = mirrorOf(a.mirrors, e.repo);
    const out = path.join(a.checkouts, slugOf(e.repo));
    if (!existsSync(git)) {
      console.error(`skip ${e.repo}: no mirror at ${git} (bring it with the search tool's fetch)`);
      continue;
    }
    rmSync(out, { recursive: true, force: true });
    const tmp = mkdtempSync(path.join(a.checkouts, '.tmp-'));
    try {
      const { written, missing } = extractTree(git, e.commit, tmp);
      const removed = removeContainerFiles(tmp);
      execFileSync('mv', [tmp, out]);
      console.error(
        `${e.repo}@${e.commit.slice(0, 10)}: ${written} files, ${removed} container files removed${missing ? `, ${missing} blobs absent from the mirror (large or LFS files)` : ''}`,
      );
    } catch (err) {
      rmSync(tmp, { recursive: true, force: true });
      console.error(`skip ${e.repo}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
}

interface RepoResult {
  entry: CorpusEntry;
  fields: Record<Field, FieldResult> | null;
  error?: string;
  wall: number;
  cpu: number;
  apt?: { hit: number; extra: number; missed: number };
}

function detectOne(
  cli: string,
  dir: string,
): { plan: PlanView | null; stdout: string; error?: string; wall: number; cpu: number } {
  const timeFile = path.join(os.tmpdir(), `pycontain-corpus-time-${process.pid}`);
  const r = spawnSync(
    '/usr/bin/time',
    ['-f', '%e %U %S', '-o', timeFile, 'node', cli, 'detect', dir, '--json'],
    {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
      timeout: 60_000,
    },
  );
  const [wall = 0, user = 0, sys = 0] = existsSync(timeFile)
    ? readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number)
    : [];
  rmSync(timeFile, { force: true });
  if (r.status !== 0) {
    return {
      plan: null,
      stdout: r.stdout ?? '',
      error: (r.stderr || r.error?.message || `exit ${r.status}`).trim().split('\n').slice(0, 3).join(' / '),
      wall,
      cpu: user + sys,
    };
  }
  return { plan: JSON.parse(r.stdout) as PlanView, stdout: r.stdout, wall, cpu: user + sys };
}

const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(0)}%` : '-');
const median = (xs: number[]) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length ? (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2 : 0;
};

function report(results: RepoResult[]): string {
  const lines: string[] = [];
  const n = results.length;
  const commit = spawnSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], {
    encoding: 'utf8',
  }).stdout.trim();
  lines.push('# Real-repository corpus: results');
  lines.push('');
  lines.push(
    `\`npm run corpus\` at ${commit}, ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: ${n} repositories, ` +
      'each scored with its Dockerfiles, compose files and .dockerignore removed. Fields and the matching rules: README.md.',
  );
  lines.push('');
  lines.push('| field | right | of | % |');
  lines.push('|---|---|---|---|');
  for (const f of FIELDS) {
    const ok = results.filter((r) => r.fields?.[f].ok).length;
    lines.push(`| ${f} | ${ok} | ${n} | ${pct(ok, n)} |`);
  }
  const errors = results.filter((r) => !r.fields).length;
  lines.push(`| detect exited non-zero | ${errors} | ${n} | ${pct(errors, n)} |`);
  const walls = results.map((r) => r.wall);
  const cpus = results.map((r) => r.cpu);
  lines.push('');
  lines.push(
    `Time per repository (one \`pycontain detect --json\` process each): wall median ${median(walls).toFixed(2)} s, max ${Math.max(...walls).toFixed(2)} s; ` +
      `CPU (user+sys) median ${median(cpus).toFixed(2)} s, max ${Math.max(...cpus).toFixed(2)} s.`,
  );
  const apt = results.filter((r) => r.apt);
  const hit = apt.reduce((s, r) => s + r.apt!.hit, 0);
  const want = apt.reduce((s, r) => s + r.apt!.hit + r.apt!.missed, 0);
  const extra = apt.reduce((s, r) => s + r.apt!.extra, 0);
  lines.push(
    `Runtime apt packages (informational): ${hit} of the ${want} the maintainers install are in the plan; the plan adds ${extra} they do not install.`,
  );
  lines.push('');
  lines.push(`| repository | ${FIELDS.join(' | ')} | wall s | CPU s |`);
  lines.push(`|---|${FIELDS.map(() => '---').join('|')}|---|---|`);
  for (const r of results) {
    const cells = FIELDS.map((f) => (r.fields ? (r.fields[f].ok ? 'ok' : '**x**') : 'err'));
    lines.push(`| ${r.entry.repo} | ${cells.join(' | ')} | ${r.wall.toFixed(2)} | ${r.cpu.toFixed(2)} |`);
  }
  lines.push('');
  lines.push('## Mismatches');
  lines.push('');
  for (const r of results) {
    if (r.error) {
      lines.push(`- **${r.entry.repo}**: detect failed: ${r.error}`);
      continue;
    }
    const bad = FIELDS.filter((f) => !r.fields![f].ok);
    if (bad.length === 0) continue;
    lines.push(`- **${r.entry.repo}** (${r.entry.shape})`);
    for (const f of bad) lines.push(`  - ${f}: got \`${r.fields![f].got}\`, want \`${r.fields![f].want}\``);
  }
  lines.push('');
  return lines.join('\n');
}

function main(): void {
  const a = parseArgs(process.argv.slice(2));
  let entries = loadCorpus();
  if (a.only) entries = entries.filter((e) => a.only!.has(e.repo));
  if (a.prepare) prepare(entries, a);
  if (!existsSync(a.cli)) throw new Error(`${a.cli} is missing: run npm run build first`);
  const results: RepoResult[] = [];
  for (const e of entries) {
    const dir = path.join(a.checkouts, slugOf(e.repo));
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      console.error(`skip ${e.repo}: no checkout at ${dir} (npm run corpus -- --prepare)`);
      continue;
    }
    const d = detectOne(a.cli, dir);
    if (a.savePlans) {
      mkdirSync(a.savePlans, { recursive: true });
      writeFileSync(path.join(a.savePlans, `${slugOf(e.repo)}.json`), d.stdout);
    }
    if (!d.plan) {
      results.push({ entry: e, fields: null, error: d.error, wall: d.wall, cpu: d.cpu });
      continue;
    }
    const fields = scoreEntry(e, d.plan, (rel) => existsSync(path.join(dir, rel)));
    results.push({ entry: e, fields, wall: d.wall, cpu: d.cpu, apt: aptOverlap(d.plan, e.truth) });
    const bad = FIELDS.filter((f) => !fields[f].ok);
    console.error(
      `${e.repo}: ${bad.length ? `wrong ${bad.join(', ')}` : 'all right'} (${d.wall.toFixed(2)} s, CPU ${d.cpu.toFixed(2)} s)`,
    );
  }
  const md = report(results);
  console.log(md);
  if (a.write && !a.only && a.cli === DEFAULT_CLI) writeFileSync(path.join(HERE, 'RESULTS.md'), md);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    main();
  } catch (e) {
    console.error(`corpus: ${(e as Error).message}`);
    process.exit(2);
  }
}

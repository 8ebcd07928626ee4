/**
 * Programs the project runs as plain scripts: the script to run when no app, launcher or console
 * script was found (a bot in bot/main.py), and a top-level script that runs the console script's
 * function from the source tree (start.py calling medusa.__main__.main).
 */
import { dottedName, type Statement } from '../pyscan.js';
import { type PyFile, qualified } from './scan.js';

// Scripts in these places run tests, fixtures or maintenance, not the program.
const NOT_PROGRAM_DIR =
  /(^|\/)(tests?|testing|scripts?|tools|examples?|samples?|benchmarks?|bench|docs?|e2e|fixtures|hack|contrib|dev|migrations|lib|libs|vendor|vendored|ext|third_party|thirdparty)\//;
const NOT_PROGRAM_FILE = /(^|\/)(test_[^/]*|[^/]*_tests?|conftest|noxfile|fabfile|setup|manage)\.py$/;
// Names a program's entry script goes by, best first.
const PROGRAM_NAMES = ['main', 'app', 'run', 'start', 'server', 'bot', 'cli', 'service', 'daemon'];
const MAX_DEPTH = 2;

export interface ProgramScript {
  file: PyFile;
  /** Line of the `if __name__ == "__main__":` guard. */
  line: number;
  command: string[];
  env: Record<string, string>;
}

/** The `if __name__ == "__main__":` guard at module level and the statements under it. */
export function mainBlock(f: PyFile): { line: number; body: Statement[] } | null {
  const sts = f.statements;
  for (let i = 0; i < sts.length; i++) {
    const st = sts[i] as Statement;
    const t = st.tokens;
    if (
      st.indent !== 0 ||
      t[0]?.value !== 'if' ||
      !t.some((x) => x.value === '__name__') ||
      !t.some((x) => x.type === 'string' && x.value === '__main__')
    )
      continue;
    const body: Statement[] = [];
    for (let j = i + 1; j < sts.length && (sts[j] as Statement).indent > 0; j++)
      body.push(sts[j] as Statement);
    return { line: st.line, body };
  }
  return null;
}

/** Qualified names of the functions the __main__ block calls (`main()`, `pkg.main()`). */
function mainCalls(f: PyFile, body: Statement[]): string[] {
  const out: string[] = [];
  for (const st of body) {
    const t = st.tokens;
    for (let k = 0; k < t.length; k++) {
      if (k > 0 && t[k - 1]?.value === '.') continue;
      const d = dottedName(t, k);
      if (d && t[d.end]?.value === '(') out.push(qualified(f, d.name));
    }
  }
  return out;
}

/** How a script runs: as a file (its directory on sys.path), or as a module when it imports relatively. */
function runCommand(f: PyFile): { command: string[]; env: Record<string, string> } {
  const relative = f.statements.some((s) => s.tokens[0]?.value === 'from' && s.tokens[1]?.value === '.');
  if (!relative) return { command: ['python', f.rel], env: {} };
  return {
    command: ['python', '-m', f.module],
    env: f.importRoot !== '.' ? { PYTHONPATH: f.importRoot } : {},
  };
}

function rank(f: PyFile, projectName: string | undefined): number {
  const stem = (f.rel.split('/').pop() as string).replace(/\.py$/, '').toLowerCase();
  const norm = (s: string) => s.toLowerCase().replace(/[-_.]+/g, '');
  if (projectName && norm(stem) === norm(projectName)) return 0;
  const i = PROGRAM_NAMES.indexOf(stem);
  return i < 0 ? PROGRAM_NAMES.length + 1 : i + 1;
}

/**
 * The script to run when the code shows no app, launcher or console script: a file with a
 * `__main__` guard, at the app directory or up to two directories down (bot/main.py), not in tests,
 * scripts, vendored libraries... A script whose guard only calls another candidate script's function
 * (PlexPy.py running `from Tautulli import main`) is an alias of it. Shallow first, then by name.
 */
export function programScript(files: PyFile[], projectName?: string): ProgramScript | null {
  const found: { file: PyFile; line: number; body: Statement[] }[] = [];
  for (const f of files) {
    if (f.rel.endsWith('__main__.py') || f.isPackageInit) continue;
    if (NOT_PROGRAM_DIR.test(f.rel) || NOT_PROGRAM_FILE.test(f.rel)) continue;
    if (f.rel.split('/').length - 1 > MAX_DEPTH) continue;
    const main = mainBlock(f);
    if (main) found.push({ file: f, ...main });
  }
  const modules = new Set(found.map((x) => x.file.module));
  const programs = found.filter(
    (x) =>
      !mainCalls(x.file, x.body).some((q) => {
        const m = q.slice(0, q.lastIndexOf('.'));
        return m !== x.file.module && modules.has(m);
      }),
  );
  const depth = (f: PyFile) => f.rel.split('/').length - 1;
  programs.sort(
    (a, b) =>
      depth(a.file) - depth(b.file) ||
      rank(a.file, projectName) - rank(b.file, projectName) ||
      a.file.rel.localeCompare(b.file.rel),
  );
  const best = programs[0];
  return best ? { file: best.file, line: best.line, ...runCommand(best.file) } : null;
}

/**
 * A top-level script whose __main__ block calls the function a console script names: the way the
 * maintainers run the program from the source tree, which needs no installed entry point. Scripts
 * named like a program (start.py, run.py) before compatibility aliases (SickBeard.py).
 */
export function sourceWrapper(
  files: PyFile[],
  target: string,
  resolve: (q: string) => string,
  projectName?: string,
): ProgramScript | null {
  const [mod, fn] = target.replace(/\s+/g, '').replace(/\[.*$/, '').split(':') as [string, string?];
  if (!fn) return null;
  const want = resolve(`${mod}.${fn}`);
  const hits = files
    .filter((f) => !f.rel.includes('/') && !NOT_PROGRAM_FILE.test(f.rel))
    .map((f) => ({ f, main: mainBlock(f) }))
    .filter(
      (x): x is { f: PyFile; main: { line: number; body: Statement[] } } =>
        !!x.main && mainCalls(x.f, x.main.body).some((q) => q === `${mod}.${fn}` || resolve(q) === want),
    )
    .sort((a, b) => rank(a.f, projectName) - rank(b.f, projectName) || a.f.rel.localeCompare(b.f.rel));
  const best = hits[0];
  return best ? { file: best.f, line: best.main.line, ...runCommand(best.f) } : null;
}

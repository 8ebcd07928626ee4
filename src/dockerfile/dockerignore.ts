/**
 * .dockerignore: generation, Docker's matching semantics, and the check that the build still has
 * every file it needs.
 *
 * Docker's rules (moby/patternmatcher, the ignore-file reader BuildKit uses), which differ from
 * .gitignore's:
 *  - a line starting with `#` is a comment; lines are trimmed; a leading `!` re-includes;
 *  - each pattern is cleaned like Go's filepath.Clean (`./a//b/` -> `a/b`) and a leading `/` dropped:
 *    every pattern is anchored at the context root (`*.pyc` matches only top-level files);
 *  - `*` and `?` never match `/`; `**` matches any number of directories, zero included;
 *    `\` escapes; `[...]` is a character class;
 *  - a path is excluded when the LAST pattern that matches it, or one of its parent directories,
 *    is an exclusion (so `!dir/file` can re-include a file inside an excluded directory);
 *  - there are no directory-only patterns: a trailing `/` is cleaned away.
 */
import path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import type { Plan } from '../plan.js';
import { layoutOf, renderDockerfile } from './render.js';

const posix = path.posix;

interface CompiledPattern {
  text: string;
  negate: boolean;
  re: RegExp;
}

/** Go's filepath.Clean for slash paths. */
function cleanPath(p: string): string {
  if (p === '') return '.';
  const rooted = p.startsWith('/');
  const out: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(part);
  }
  const joined = out.join('/');
  if (rooted) return `/${joined}`;
  return joined === '' ? '.' : joined;
}

const REGEX_SPECIAL = new Set(['.', '+', '(', ')', '|', '{', '}', '$', '^']);

/** Pattern -> RegExp, the way moby/patternmatcher compiles it. */
function patternToRegExp(pattern: string): RegExp {
  let re = '^';
  const chars = [...pattern];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (ch === '*') {
      if (chars[i + 1] === '*') {
        i++;
        while (chars[i + 1] === '*') i++;
        if (chars[i + 1] === '/') i++;
        if (i + 1 >= chars.length) re += '.*';
        else re += '(.*/)?';
      } else {
        re += '[^/]*';
      }
    } else if (ch === '?') {
      re += '[^/]';
    } else if (ch === '\\') {
      const next = chars[i + 1];
      if (next !== undefined) {
        re += next.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        i++;
      } else {
        re += '\\\\';
      }
    } else if (ch === '[') {
      // A character class is copied through to the regexp, as patternmatcher does (so `[^a]`
      // negates and `[!a]` is the class of `!` and `a`).
      const end = chars.indexOf(']', i + 2);
      if (end === -1) {
        re += '\\[';
      } else {
        re += `[${chars.slice(i + 1, end).join('')}]`;
        i = end;
      }
    } else if (REGEX_SPECIAL.has(ch) || ch === ']') {
      re += `\\${ch}`;
    } else {
      re += ch;
    }
  }
  re += '$';
  try {
    return new RegExp(re, 'u');
  } catch {
    // An unparseable class: match it literally rather than crash on user input.
    return new RegExp(`^${pattern.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'u');
  }
}

/** Parse .dockerignore text into patterns, in order (comments and blanks dropped). */
export function parseDockerignore(text: string): { pattern: string; negate: boolean; line: number }[] {
  const out: { pattern: string; negate: boolean; line: number }[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    if (raw.startsWith('#')) return;
    let p = raw.trim();
    if (!p) return;
    const negate = p.startsWith('!');
    if (negate) p = p.slice(1).trim();
    if (p) {
      p = cleanPath(p);
      if (p.length > 1 && p.startsWith('/')) p = p.slice(1);
    }
    out.push({ pattern: p, negate, line: i + 1 });
  });
  return out;
}

/**
 * Compile a .dockerignore. The returned function tells whether a context-relative path is excluded
 * from the build context (true = excluded). `isDir` is accepted for symmetry with gitignore-style
 * callers; Docker's rules do not distinguish directories.
 */
export function compileDockerignore(text: string): (relPath: string, isDir?: boolean) => boolean {
  const patterns: CompiledPattern[] = parseDockerignore(text)
    .filter((p) => p.pattern !== '')
    .map((p) => ({ text: p.pattern, negate: p.negate, re: patternToRegExp(p.pattern) }));
  return (relPath: string) => {
    const file = cleanPath(relPath.replace(/\\/g, '/').replace(/^\/+/, ''));
    const parent = posix.dirname(file);
    const parentDirs = parent === '.' ? [] : parent.split('/');
    let matched = false;
    for (const p of patterns) {
      // An inclusion cannot change an unmatched path; an exclusion cannot change a matched one.
      if (p.negate !== matched) continue;
      let match = p.re.test(file);
      if (!match) {
        for (let i = 1; i <= parentDirs.length && !match; i++)
          match = p.re.test(parentDirs.slice(0, i).join('/'));
      }
      if (match) matched = !p.negate;
    }
    return matched;
  };
}

/**
 * One .gitignore line -> the equivalent .dockerignore line(s), relative to the context root.
 * `base` is the directory of the .gitignore inside the context ('' for the root one).
 */
export function gitignoreLineToDockerignore(line: string, base = ''): string | null {
  let l = line.replace(/\r$/, '');
  if (!l.trim() || l.startsWith('#')) return null;
  // Trailing spaces are ignored by git unless escaped.
  l = l.replace(/(?<!\\)\s+$/, '');
  let negate = false;
  if (l.startsWith('!')) {
    negate = true;
    l = l.slice(1);
  }
  if (l.startsWith('\\#') || l.startsWith('\\!')) l = l.slice(1);
  let dirOnly = false;
  if (l.endsWith('/')) {
    dirOnly = true;
    l = l.replace(/\/+$/, '');
  }
  if (!l) return null;
  // git: a pattern with a slash at the start or in the middle is anchored at the .gitignore's
  // directory; otherwise it matches at any depth.
  const anchored = l.includes('/');
  l = l.replace(/^\/+/, '');
  let out = anchored ? l : `**/${l}`;
  if (base) out = `${base.replace(/\/+$/, '')}/${out}`;
  void dirOnly; // Docker has no directory-only patterns: `name/` and `name` behave the same.
  return `${negate ? '!' : ''}${out}`;
}

export function gitignoreToDockerignore(text: string, base = ''): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    const d = gitignoreLineToDockerignore(line, base);
    if (d !== null && !out.includes(d)) out.push(d);
  }
  return out;
}

function prefixed(base: string, p: string): string {
  return base ? `${base}/${p}` : p;
}

/** The defaults, anchored at the directory that becomes /app. */
function defaultPatterns(srcBase: string): { title: string; patterns: string[] }[] {
  const b = (p: string) => prefixed(srcBase, p);
  return [
    {
      title: 'Version control, editors, OS litter',
      patterns: ['**/.git', '**/.hg', '**/.svn', '**/.idea', '**/.vscode', '**/*.swp', '**/.DS_Store'],
    },
    {
      title: 'Python bytecode and tool caches (the image compiles its own bytecode)',
      patterns: [
        '**/__pycache__',
        '**/*.py[cod]',
        '**/*$py.class',
        '**/.pytest_cache',
        '**/.mypy_cache',
        '**/.ruff_cache',
        '**/.pytype',
        '**/.pyre',
        '**/.hypothesis',
        '**/.tox',
        '**/.nox',
        '**/.coverage',
        '**/.coverage.*',
        '**/htmlcov',
        '**/.ipynb_checkpoints',
      ],
    },
    {
      title:
        'Local virtual environments: the image builds its own (a copied venv points at the wrong Python)',
      patterns: ['**/.venv', '**/venv', '**/__pypackages__', '**/.pdm-python', '**/.pdm-build'],
    },
    {
      title: 'Build artefacts of the project',
      patterns: [b('build'), b('dist'), b('wheels'), '**/*.egg-info', '**/.eggs'],
    },
    {
      title: 'Secrets and local settings must never enter the build context',
      patterns: ['**/.env', '**/.env.*', '**/.netrc', '**/.pypirc'],
    },
    {
      title: 'Container files (the builder reads the Dockerfile anyway) and other languages',
      patterns: [
        '**/Dockerfile*',
        '**/.dockerignore',
        '**/docker-compose*.yml',
        '**/compose*.yaml',
        '**/compose*.yml',
        '**/node_modules',
      ],
    },
    {
      // Only the top-level suites: a `tests` package inside the app may be imported (Django apps).
      title: 'Test suites and CI config: not needed to run the app',
      patterns: [b('tests'), b('test'), '.github', '.gitlab-ci.yml'],
    },
    {
      title: 'Local data and logs',
      patterns: ['**/*.log', '**/db.sqlite3', '**/*.sqlite3-journal'],
    },
  ];
}

/** Files the build reads from the context, with why (for checkDockerignore and the re-includes). */
export function neededFiles(plan: Plan, dockerfileText: string | null): { file: string; reason: string }[] {
  const out: { file: string; reason: string }[] = [];
  const add = (file: string, reason: string) => {
    const f = cleanPath(file.replace(/^\.\//, ''));
    if (f !== '.' && !out.some((o) => o.file === f)) out.push({ file: f, reason });
  };
  const readme = new Set<string>();
  for (const m of plan.manifests) {
    if (/readme/i.test(posix.basename(m))) readme.add(cleanPath(m));
  }
  for (const m of plan.manifests) {
    const c = cleanPath(m);
    add(
      c,
      readme.has(c)
        ? 'the README the project metadata names (`readme =`): the build backend reads it'
        : 'a dependency manifest the install layer copies',
    );
  }
  if (plan.lockfile) add(plan.lockfile, 'the lock file the dependencies are installed from');
  if (plan.requirementsFile)
    add(plan.requirementsFile, 'the requirements file the dependencies are installed from');
  const appDir = cleanPath(plan.appDir || '.');
  const inApp = (f: string) => (appDir === '.' ? f : `${appDir}/${f}`);
  if (plan.django?.managePy) {
    const mp = cleanPath(plan.django.managePy);
    add(
      mp.startsWith(`${appDir}/`) || appDir === '.' ? mp : inApp(mp),
      'manage.py, which collectstatic and the app run',
    );
  }
  for (const arg of plan.command ?? []) {
    if (/^[\w./-]+\.py$/.test(arg) && !arg.startsWith('/'))
      add(inApp(arg), `the script the container runs (${plan.command.join(' ')})`);
  }
  if (dockerfileText) {
    const df = DockerfileParser.parse(dockerfileText);
    for (const copy of df.getCOPYs()) {
      if (copy.getFromFlag()) continue;
      if (copy.getHeredocs().length) continue;
      const args = copy.getArguments().map((a) => a.getValue());
      const sources = args.slice(0, -1);
      for (const s of sources) {
        if (/[*?[]/.test(s)) continue;
        add(s, 'a path the Dockerfile COPYs');
      }
    }
    for (const run of df.getInstructions()) {
      for (const flag of (
        run as unknown as {
          getFlags?: () => {
            getName(): string;
            getOptions(): { getName(): string; getValue(): string | null }[];
          }[];
        }
      ).getFlags?.() ?? []) {
        if (flag.getName() !== 'mount') continue;
        const opts = new Map(flag.getOptions().map((o) => [o.getName(), o.getValue()]));
        if (opts.get('type') === 'bind' && !opts.has('from') && opts.get('source')) {
          add(opts.get('source') as string, 'a path a RUN bind-mounts from the context');
        }
      }
    }
  }
  return out;
}

/** Files the build needs but the ignore file excludes (empty = fine). */
export function checkDockerignore(
  plan: Plan,
  dockerignoreText: string,
  dockerfileText: string,
): { file: string; reason: string }[] {
  const excluded = compileDockerignore(dockerignoreText);
  return neededFiles(plan, dockerfileText).filter((n) => n.file !== '.' && excluded(n.file));
}

/**
 * The generated .dockerignore: Python defaults, then what .gitignore excludes (translated to
 * Docker's rules), then `!` re-includes for every file the build needs that a pattern above would
 * exclude (e.g. `readme = "README.md"` with a `*.md` rule).
 */
export function renderDockerignore(
  plan: Plan,
  gitignoreText: string | null,
  dockerfileText: string | null = null,
): string {
  const { srcBase } = layoutOf(plan);
  const lines: string[] = [
    '# Generated by pycontain: keeps the build context small and secrets out of it.',
    '# Regenerate with `pycontain init --force`. Docker rules: patterns are anchored at the context root,',
    '# `**/` matches at any depth, a later `!pattern` re-includes.',
  ];
  const defaults = defaultPatterns(srcBase);
  for (const group of defaults) {
    lines.push('', `# ${group.title}`, ...group.patterns);
  }
  if (gitignoreText?.trim()) {
    const known = new Set(defaults.flatMap((g) => g.patterns));
    const fromGit = gitignoreToDockerignore(gitignoreText).filter((l) => !known.has(l));
    if (fromGit.length) lines.push('', '# From .gitignore', ...fromGit);
  }
  const text = `${lines.join('\n')}\n`;
  const excluded = compileDockerignore(text);
  let dockerfile = dockerfileText;
  if (dockerfile === null) {
    // Without the caller's Dockerfile, check against the one pycontain would generate.
    try {
      dockerfile = renderDockerfile(plan);
    } catch {
      dockerfile = null;
    }
  }
  const needs = neededFiles(plan, dockerfile).filter((n) => excluded(n.file));
  if (!needs.length) return text;
  const re: string[] = ['', '# Needed by the build although a pattern above matches them'];
  // `!file` is enough: BuildKit's walker descends into an excluded directory when a negation can
  // match below it, and the last matching pattern wins.
  for (const n of needs) re.push(`!${escapePattern(n.file)}`);
  return `${text}${re.join('\n')}\n`;
}

function escapePattern(p: string): string {
  return p.replace(/[*?[\]\\]/g, '\\$&');
}

/**
 * Launchers outside Python code: the entry shell scripts real images run (`boot.sh`,
 * `docker-entrypoint.sh`, `bin/docker-entrypoint` ...) and the server config files they name
 * (`gunicorn -c gunicorn_config.py`, `uwsgi.ini`). A script is followed the way sh would run it,
 * statically: `${VAR:-default}` expands to its default, `exec`/`gosu USER`/`tini --` run the rest
 * of the line, a `case "$1" in server)` dispatcher takes its web-server branch, shell functions and
 * other scripts it runs are followed. The command is the server line itself (bound to 0.0.0.0, with
 * its port), not the script: the script's other work is release steps (migrations, collectstatic)
 * or container plumbing (chown, gosu), which a decision names.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Decision, Source, Warning } from '../plan.js';
import { type ProcfileLine, type PyFile, repairProcfile, shellSplit } from './framework.js';
import { launchersData } from './launcher-data.js';
import { envReads, literalValue } from './launcher-settings.js';
import { scanPython, type Token } from './pyscan.js';

export interface ShellLaunch {
  kind: 'entry-script';
  command: string[];
  port: number | null;
  portReason: string;
  portSource?: Source;
  portEnv?: string;
  server: string;
  env: Record<string, string>;
  source: Source;
  reason: string;
  score: number;
  warnings: Warning[];
  notes: Decision[];
}

export interface ShellDropped {
  what: string;
  reason: string;
  source: Source;
}

export interface ShellInput {
  base: string;
  files: PyFile[];
  /** Is this distribution installed (true when unknown)? */
  installed: (pkg: string) => boolean;
  show: (rel: string, line?: number) => Source;
}

// ---------------------------------------------------------------------------------------------
// Reading a script

interface Line {
  text: string;
  line: number;
}

interface Script {
  rel: string;
  top: Line[];
  functions: Map<string, Line[]>;
}

/** `#` starts a comment at the start of a word, outside quotes. */
function stripComment(s: string): string {
  let q: string | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (q) {
      if (c === q) q = null;
      else if (c === '\\' && q === '"') i++;
    } else if (c === "'" || c === '"') q = c;
    else if (c === '\\') i++;
    else if (c === '#' && (i === 0 || /\s/.test(s[i - 1] as string))) return s.slice(0, i);
  }
  return s;
}

/** Logical lines: comments stripped, backslash continuations joined, each with its first line number. */
export function logicalLines(text: string): Line[] {
  const out: Line[] = [];
  let cur: Line | null = null;
  text.split(/\r?\n/).forEach((raw, i) => {
    const s = stripComment(raw);
    const cont = /\\\s*$/.test(s);
    const piece = cont ? s.replace(/\\\s*$/, ' ') : s;
    if (cur) cur.text = `${cur.text.trimEnd()} ${piece.trim()}`;
    else cur = { text: piece, line: i + 1 };
    if (!cont) {
      if (cur.text.trim()) out.push({ text: cur.text.trim(), line: cur.line });
      cur = null;
    }
  });
  if (cur && (cur as Line).text.trim()) out.push(cur);
  return out;
}

const FUNC_DEF =
  /^(?:function\s+)?([A-Za-z_][\w-]*)\s*\(\s*\)\s*(\{.*)?$|^function\s+([A-Za-z_][\w-]*)\s*(\{.*)?$/;

export function parseScript(rel: string, text: string): Script {
  const lines = logicalLines(text);
  const top: Line[] = [];
  const functions = new Map<string, Line[]>();
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i] as Line;
    const m = FUNC_DEF.exec(l.text);
    if (!m) {
      top.push(l);
      continue;
    }
    const name = (m[1] ?? m[3]) as string;
    let rest = (m[2] ?? m[4] ?? '').trim();
    const body: Line[] = [];
    if (!rest && lines[i + 1]?.text.startsWith('{')) {
      i++;
      rest = (lines[i] as Line).text;
    }
    // One-line function: name() { cmd; }
    const inline = /^\{(.*)\}\s*;?$/.exec(rest);
    if (inline) {
      if (inline[1]?.trim()) body.push({ text: inline[1].trim(), line: l.line });
      functions.set(name, body);
      continue;
    }
    const after = rest.replace(/^\{/, '').trim();
    if (after) body.push({ text: after, line: l.line });
    let depth = 1;
    for (i++; i < lines.length; i++) {
      const b = lines[i] as Line;
      if (/^\}\s*;?$/.test(b.text)) {
        depth--;
        if (depth === 0) break;
      } else if (/\{\s*$/.test(b.text) && !/\$\{[^}]*$/.test(b.text)) depth++;
      body.push(b);
    }
    functions.set(name, body);
  }
  return { rel, top, functions };
}

/** A line's commands, split at `&&`, `||`, `;`, `|` and `&` outside quotes. */
function segments(text: string): string[] {
  const out: string[] = [];
  let q: string | null = null;
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (q) {
      if (c === q) q = null;
      else if (c === '\\' && q === '"') cur += text[i++];
      cur += c;
      continue;
    }
    if (c === "'" || c === '"') q = c;
    if (c === '\\') {
      cur += c + (text[++i] ?? '');
      continue;
    }
    // `2>&1` and `>&2` are redirections, not background jobs.
    if (c === '&' && (text[i - 1] === '>' || text[i + 1] === '>')) {
      cur += c;
      continue;
    }
    if (c === ';' || c === '|' || c === '&') {
      if (text[i + 1] === c) i++;
      out.push(cur.trim());
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur.trim());
  return out.filter(Boolean);
}

// ---------------------------------------------------------------------------------------------
// Expansion

type Vars = Map<string, string | null>;
/** A word that expands to nothing (`"$@"`). */
const GONE = '\u0000';

/** `${VAR:-default}` is its default unless the script set VAR; an unknown `$VAR` stays as written. */
export function expandWord(word: string, vars: Vars): string {
  if (/^\$[@*]$|^\$\{[@*]\}$/.test(word)) return GONE;
  return word
    .replace(/\$\{([A-Za-z_]\w*)(:?[-=])([^}]*)\}/g, (_m, name: string, _op: string, dflt: string) => {
      const v = vars.get(name);
      return v !== undefined && v !== null && v !== '' ? v : expandWord(dflt, vars);
    })
    .replace(/\$\{([A-Za-z_]\w*)\}|\$([A-Za-z_]\w*)/g, (m, a?: string, b?: string) => {
      const v = vars.get((a ?? b) as string);
      return v !== undefined && v !== null ? v : m;
    });
}

/** Words of one command: redirections dropped, split like a shell, each word expanded. */
function words(seg: string, vars: Vars): string[] | null {
  const noRedirect = seg.replace(/(^|\s)\d*(>>?|<)&?\s*[^\s]+/g, ' ');
  const w = shellSplit(noRedirect);
  return w ? w.map((x) => expandWord(x, vars)).filter((x) => x !== GONE) : null;
}

// ---------------------------------------------------------------------------------------------
// Following a script to its server line

interface ServerLine {
  argv: string[];
  prog: string;
  packages: string[];
  script: Script;
  line: number;
  trail: string[];
  setup: { text: string; where: string }[];
  exports: Record<string, string>;
}

interface Walk {
  vars: Vars;
  setup: { text: string; where: string }[];
  exports: Record<string, string>;
  seenFunctions: Set<string>;
  seenScripts: Set<string>;
}

const data = () => launchersData();

function unwrap(argv: string[]): string[] {
  const wrappers = data().shellWrappers;
  let a = [...argv];
  for (let guard = 0; guard < 8 && a.length > 0; guard++) {
    while (/^[A-Za-z_]\w*=/.test(a[0] ?? '')) a = a.slice(1);
    const b = path.posix.basename(a[0] ?? '');
    const n = wrappers[b];
    if (n === undefined) break;
    a = a.slice(1);
    while (a[0]?.startsWith('-')) a = a.slice(1);
    while (/^[A-Za-z_]\w*=/.test(a[0] ?? '')) a = a.slice(1);
    a = a.slice(n);
  }
  return a;
}

class ScriptWalker {
  constructor(readonly input: ShellInput) {}

  async load(rel: string): Promise<Script | null> {
    try {
      const st = await fsp.stat(path.join(this.input.base, rel));
      if (!st.isFile() || st.size > 128 * 1024) return null;
      return parseScript(rel, await fsp.readFile(path.join(this.input.base, rel), 'utf8'));
    } catch {
      return null;
    }
  }

  /** A script another script runs (`./webserver.sh`, `bash bin/run.sh`), as a path in the app directory. */
  async scriptPath(from: Script, word: string): Promise<string | null> {
    const clean = word.replace(/^\.\//, '');
    const dir = path.posix.dirname(from.rel);
    for (const rel of [path.posix.join(dir, clean), clean]) {
      if (rel.startsWith('..') || path.posix.isAbsolute(rel)) continue;
      try {
        if ((await fsp.stat(path.join(this.input.base, rel))).isFile()) return rel;
      } catch {
        // not there
      }
    }
    return null;
  }

  async walkLines(
    script: Script,
    lines: Line[],
    w: Walk,
    trail: string[],
    depth: number,
  ): Promise<ServerLine | null> {
    const d = data();
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i] as Line;
      const where = `${script.rel}:${l.line}`;
      const c = /^case\s+(.+?)\s+in\b\s*(.*)$/.exec(l.text);
      if (c) {
        // Branches up to the matching esac.
        const branches: { pattern: string[]; body: Line[]; line: number }[] = [];
        let nest = 0;
        let cur: { pattern: string[]; body: Line[]; line: number } | null = null;
        for (i++; i < lines.length; i++) {
          const b = lines[i] as Line;
          if (/^case\s/.test(b.text)) nest++;
          if (/^esac\b/.test(b.text)) {
            if (nest === 0) break;
            nest--;
          }
          let text = b.text;
          if (nest === 0 && !cur) {
            const h = /^\(?\s*([^()]*?)\s*\)\s*(.*)$/.exec(text);
            if (!h) continue;
            cur = {
              pattern: (h[1] as string).split('|').map((p) => p.trim().replace(/^["']|["']$/g, '')),
              body: [],
              line: b.line,
            };
            text = h[2] as string;
          }
          if (!cur) continue;
          const end = nest === 0 ? text.indexOf(';;') : -1;
          const body = end >= 0 ? text.slice(0, end).trim() : text.trim();
          if (body) cur.body.push({ text: body, line: b.line });
          if (end >= 0) {
            branches.push(cur);
            cur = null;
          }
        }
        if (cur) branches.push(cur);
        const rank = (p: string[]) => {
          const r = p.map((x) => d.serverBranches.indexOf(x)).filter((x) => x >= 0);
          return r.length ? Math.min(...r) : Number.POSITIVE_INFINITY;
        };
        const best = branches
          .filter((b) => Number.isFinite(rank(b.pattern)))
          .sort((a, b) => rank(a.pattern) - rank(b.pattern))[0];
        if (best) {
          const hit = await this.walkLines(
            script,
            best.body,
            w,
            [...trail, `${script.rel}:${best.line} case branch ${best.pattern.join('|')}`],
            depth,
          );
          if (hit) return hit;
        }
        continue;
      }
      for (const seg of segments(l.text)) {
        let s = seg.replace(/^(then|else|do|\{|!)\s+/, '').trim();
        if (
          /^(if|elif|while|until|\[\[?|test|fi|done|esac|then|else|do|\}|return|exit|shift|set|echo|printf|cd|trap|source|\.)(\s|$)/.test(
            s,
          )
        )
          continue;
        const exported = /^export\s/.test(s);
        s = s.replace(/^(export|local|readonly|declare)\s+(?=[A-Za-z_]\w*=)/, '');
        if (/^[A-Za-z_]\w*=/.test(s)) {
          const sw = /\$\(|`/.test(s) ? null : shellSplit(s);
          if (!sw) {
            w.vars.set(s.slice(0, s.indexOf('=')), null);
            continue;
          }
          if (sw.every((x) => /^[A-Za-z_]\w*=/.test(x))) {
            for (const x of sw) {
              const name = x.slice(0, x.indexOf('='));
              const value = expandWord(x.slice(x.indexOf('=') + 1), w.vars);
              const known = !value.includes('$');
              w.vars.set(name, known ? value : null);
              if (exported && known) w.exports[name] = value;
            }
            continue;
          }
        }
        const raw = words(s, w.vars);
        if (!raw || raw.length === 0) continue;
        let argv = unwrap(raw);
        if (argv.length === 0) continue;
        const first = argv[0] as string;
        const b = path.posix.basename(first);
        if (/^python(3(\.\d+)?)?$/.test(b) && argv[1] === '-m' && argv[2] && d.shellServers[argv[2]])
          argv = argv.slice(2);
        const prog = path.posix.basename(argv[0] as string);
        const packages = d.shellServers[prog];
        if (packages)
          return {
            argv: [prog, ...argv.slice(1)],
            prog,
            packages,
            script,
            line: l.line,
            trail,
            setup: [...w.setup],
            exports: { ...w.exports },
          };
        if (script.functions.has(prog) && !w.seenFunctions.has(prog) && depth < 6) {
          w.seenFunctions.add(prog);
          const hit = await this.walkLines(
            script,
            script.functions.get(prog) as Line[],
            w,
            [...trail, `${where} ${prog}()`],
            depth + 1,
          );
          if (hit) return hit;
          continue;
        }
        const runs = /^(ba|da)?sh$/.test(prog) && argv[1] && !argv[1].startsWith('-') ? argv[1] : first;
        if ((runs.includes('/') || /\.sh$/.test(runs)) && depth < 6) {
          const rel = await this.scriptPath(script, runs);
          if (rel && !w.seenScripts.has(rel)) {
            w.seenScripts.add(rel);
            const next = await this.load(rel);
            if (next) {
              const hit = await this.walkLines(
                next,
                next.top,
                w,
                [...trail, `${where} runs ${rel}`],
                depth + 1,
              );
              if (hit) return hit;
            }
            continue;
          }
        }
        if (new RegExp(d.setupSteps).test(argv.join(' '))) w.setup.push({ text: argv.join(' '), where });
      }
    }
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// Server config files

export interface ConfigBind {
  host: string | null;
  port: string | null;
  /** The environment variable the port is read from. */
  portEnv?: string;
  line: number;
}

/** `bind` and `wsgi_app` of a gunicorn Python config file. */
export function gunicornConfig(
  text: string,
  bindings: Map<string, string> = new Map(),
): {
  bind: ConfigBind | null;
  wsgiApp: string | null;
} {
  let bind: ConfigBind | null = null;
  let wsgiApp: string | null = null;
  const sts = scanPython(text);
  const f = { bindings: bindings.size ? bindings : importBindingsOf(sts) };
  for (const st of sts) {
    const t = st.tokens;
    if (st.indent !== 0 || t[0]?.type !== 'name' || t[1]?.value !== '=') continue;
    const rhs = t.slice(2);
    if (t[0].value === 'wsgi_app') wsgiApp = literalValue(rhs);
    if (t[0].value !== 'bind') continue;
    const expr = rhs[0]?.value === '[' ? rhs.slice(1, -1) : rhs;
    const lit = literalValue(expr);
    if (lit !== null) {
      bind = { ...splitAddress(lit), line: st.line };
      continue;
    }
    // "0.0.0.0:" + os.environ.get("PORT", "8000"), "0.0.0.0:{}".format(os.getenv("PORT")), f"0.0.0.0:{getenv('PORT', 8000)}"
    const str = expr.find((x: Token) => x.type === 'string');
    const host = str ? (/^(.*?):/.exec(str.value)?.[1] ?? null) : null;
    const env = envReads(f, expr)[0];
    if (env) {
      bind = { host, port: env.fallback, portEnv: env.name, line: st.line };
      continue;
    }
    // The tokenizer keeps an f-string's text without its fields: read them from the source line.
    const raw = str?.prefix?.includes('f') ? (text.split(/\r?\n/)[st.line - 1] ?? '') : '';
    const fm = /["'](.*?):\{[^}]*\(\s*['"](\w+)['"]\s*(?:,\s*['"]?(\d+)['"]?)?\s*\)\s*\}["']/.exec(raw);
    if (fm) bind = { host: fm[1] as string, port: fm[3] ?? null, portEnv: fm[2] as string, line: st.line };
  }
  return { bind, wsgiApp };
}

function importBindingsOf(sts: ReturnType<typeof scanPython>): Map<string, string> {
  const m = new Map<string, string>();
  for (const st of sts) {
    const t = st.tokens;
    if (t[0]?.value === 'from' && t[2]?.value === 'import')
      for (const x of t.slice(3)) if (x.type === 'name') m.set(x.value, `${t[1]?.value}.${x.value}`);
  }
  return m;
}

/** `0.0.0.0:8000`, `:8000`, `[::]:8000`, `8000`. */
export function splitAddress(s: string): { host: string | null; port: string | null } {
  const m = /^(?:(.*):)?(\d{1,5}|\$\(\w+\)|\$\{?\w+\}?)$/.exec(s.trim());
  if (!m) return { host: null, port: null };
  return { host: m[1] ?? null, port: m[2] as string };
}

export interface UwsgiIni {
  module: string | null;
  wsgiFile: string | null;
  http: { key: 'http' | 'http-socket'; value: string; line: number } | null;
}

/** The [uwsgi] section of an ini file: the first value of each key (if-env blocks included as written). */
export function parseUwsgiIni(text: string): UwsgiIni {
  const out: UwsgiIni = { module: null, wsgiFile: null, http: null };
  let section = '';
  text.split(/\r?\n/).forEach((raw, i) => {
    const s = raw.replace(/\s[;#].*$/, '').trim();
    if (!s || /^[;#]/.test(s)) return;
    const sec = /^\[([^\]]+)\]$/.exec(s);
    if (sec) {
      section = (sec[1] as string).trim();
      return;
    }
    if (section !== 'uwsgi') return;
    const kv = /^([\w-]+)\s*=\s*(.*)$/.exec(s);
    if (!kv) return;
    const key = kv[1] as string;
    const value = (kv[2] as string).trim();
    if ((key === 'module' || key === 'wsgi' || key === 'w') && !out.module) out.module = value;
    else if (key === 'wsgi-file' && !out.wsgiFile) out.wsgiFile = value;
    else if ((key === 'http' || key === 'http-socket') && !out.http) out.http = { key, value, line: i + 1 };
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// From a server line to the image's command

const LOOPBACK = /^(127\.0\.0\.1|localhost|::1|\[::1\])$/;
const USER_FLAGS = new Set(['-u', '--user', '-g', '--group']);
const PORT_FLAGS = new Set(['-b', '--bind', '--port', '-p', '--http', '--http-socket', '--listen']);

function shellQuote(w: string): string {
  return /^[\w@%+=:,./[\]-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

function flagValue(argv: string[], ...names: string[]): { i: number; value: string } | null {
  for (let i = 0; i < argv.length; i++) {
    const x = argv[i] as string;
    for (const n of names) {
      if (x === n && argv[i + 1] !== undefined) return { i, value: argv[i + 1] as string };
      if (x.startsWith(`${n}=`)) return { i, value: x.slice(n.length + 1) };
    }
  }
  return null;
}

export async function shellLaunchers(
  input: ShellInput,
): Promise<{ candidates: ShellLaunch[]; dropped: ShellDropped[] }> {
  const d = data();
  const candidates: ShellLaunch[] = [];
  const dropped: ShellDropped[] = [];
  const walker = new ScriptWalker(input);
  const exists = async (rel: string) => {
    try {
      return (await fsp.stat(path.join(input.base, rel))).isFile();
    } catch {
      return false;
    }
  };
  const readText = async (rel: string) => {
    try {
      return await fsp.readFile(path.join(input.base, rel), 'utf8');
    } catch {
      return null;
    }
  };
  /** A path the maintainers wrote for their container (`/home/vcap/app/gunicorn_config.py`), in the app directory. */
  const inRepo = async (p: string, from: string): Promise<string | null> => {
    const clean = p.replace(/^\.\//, '');
    if (!path.posix.isAbsolute(clean)) {
      for (const rel of [clean, path.posix.join(path.posix.dirname(from), clean)])
        if (!rel.startsWith('..') && (await exists(rel))) return path.posix.normalize(rel);
      return null;
    }
    const parts = clean.split('/').filter(Boolean);
    for (let k = 1; k < parts.length; k++) {
      const rel = parts.slice(k).join('/');
      if (await exists(rel)) return rel;
    }
    return null;
  };

  // Entry scripts: the conventional names, where images keep them.
  const names = new RegExp(d.entryScripts);
  const skip = new RegExp(d.skipScripts);
  const dirs = [...d.entryDirs];
  try {
    for (const e of await fsp.readdir(input.base, { withFileTypes: true }))
      if (
        e.isDirectory() &&
        !/^(\.|node_modules$|venv$|env$|site-packages$)/.test(e.name) &&
        !dirs.includes(e.name)
      )
        dirs.push(e.name);
  } catch {
    // no app directory listing: nothing to find
  }
  const scripts: { rel: string; rank: number }[] = [];
  for (const dir of dirs) {
    let entries: string[];
    try {
      entries = (await fsp.readdir(path.join(input.base, dir))).sort();
    } catch {
      continue;
    }
    for (const name of entries) {
      const stem = name.replace(/\.(sh|bash)$/, '');
      if (!names.test(stem) || skip.test(stem) || (/\./.test(stem) && !/\.(sh|bash)$/.test(name))) continue;
      if (
        stem === name &&
        !/^(docker[-_])?(entrypoint|boot|bootstrap|start|run|serve|server|webserver)/.test(stem)
      )
        continue;
      const rel = dir === '.' ? name : `${dir}/${name}`;
      const text = await readText(rel);
      // A script without .sh must say it is one.
      if (!text || (!/\.(sh|bash)$/.test(name) && !/^#!.*\b(ba|da|a)?sh\b/.test(text))) continue;
      const rank = /entrypoint|entry/.test(stem)
        ? 0
        : /boot|start|serve|server|web|launch/.test(stem)
          ? 1
          : 2;
      scripts.push({ rel, rank: rank + (dir === '.' ? 0 : dir.split('/').length) });
    }
  }

  const seenLines = new Set<string>();
  for (const { rel, rank } of scripts.sort((a, b) => a.rank - b.rank || a.rel.localeCompare(b.rel))) {
    const script = await walker.load(rel);
    if (!script) continue;
    const hit = await walker.walkLines(
      script,
      script.top,
      { vars: new Map(), setup: [], exports: {}, seenFunctions: new Set(), seenScripts: new Set([rel]) },
      [],
      0,
    );
    if (!hit) continue;
    const key = `${hit.script.rel}:${hit.line}`;
    if (seenLines.has(key)) continue;
    seenLines.add(key);
    const source = input.show(hit.script.rel, hit.line);
    const what = `${rel}${hit.script.rel !== rel ? ` (through ${hit.script.rel})` : ''}: ${hit.argv.join(' ')}`;
    const r = await serverCommand(hit.argv, hit.prog, hit.script.rel, hit.line, input, inRepo, readText);
    if ('drop' in r) {
      dropped.push({ what, reason: r.drop, source });
      continue;
    }
    const pkg = hit.packages.find((p) => input.installed(p));
    if (!pkg) {
      dropped.push({
        what,
        reason: `it runs ${hit.prog}, which the dependencies do not install (${hit.packages.join(' or ')})`,
        source,
      });
      continue;
    }
    const notes: Decision[] = [];
    if (hit.setup.length > 0)
      notes.push({
        topic: 'launcher',
        value: `${rel} also runs ${hit.setup.map((s) => s.text).join('; ')}`,
        reason: `release steps (${hit.setup.map((s) => s.where).join(', ')}) left out of the command: run them once per deploy (a release job or init container), not on every container start`,
        source: input.show(rel),
      });
    const via = [...hit.trail.map((t) => t), `${hit.script.rel}:${hit.line}`].join(' → ');
    candidates.push({
      kind: 'entry-script',
      command: r.command,
      port: r.port,
      portReason: r.portReason,
      ...(r.portSource ? { portSource: r.portSource } : {}),
      server: pkg,
      env: { ...hit.exports, ...r.env },
      source,
      reason: `the entry script ${rel} starts ${hit.prog} (${via}); the command is that server line, bound to 0.0.0.0`,
      score: 260 - rank,
      warnings: r.warnings,
      notes,
    });
  }

  return { candidates, dropped };
}

interface ServerCommand {
  command: string[];
  port: number | null;
  portReason: string;
  portSource?: Source;
  env: Record<string, string>;
  warnings: Warning[];
}

async function serverCommand(
  argvIn: string[],
  prog: string,
  scriptRel: string,
  line: number,
  input: ShellInput,
  inRepo: (p: string, from: string) => Promise<string | null>,
  readText: (rel: string) => Promise<string | null>,
): Promise<ServerCommand | { drop: string }> {
  if (argvIn.includes('--reload')) return { drop: `${prog} --reload is a development server` };
  // A unix socket is for a reverse proxy in the same container (nginx), which the image does not run.
  const unix = argvIn.find((x, i) => /^unix:/.test(x) || (argvIn[i - 1] === '--uds' && !!x));
  if (unix) return { drop: `it listens on ${unix}, a socket for a reverse proxy the image does not run` };
  // Words the script leaves to the environment: a flag with one is dropped, unless it carries the port.
  const argv: string[] = [];
  for (let i = 0; i < argvIn.length; i++) {
    const x = argvIn[i] as string;
    const next = argvIn[i + 1];
    // The image runs as its own non-root user: switching user needs root.
    if (prog === 'gunicorn' && USER_FLAGS.has(x.split('=')[0] as string)) {
      if (!x.includes('=')) i++;
      continue;
    }
    if (x.startsWith('-') && !x.includes('=') && next?.includes('$') && !next.startsWith('-')) {
      if (PORT_FLAGS.has(x))
        return { drop: `its ${x} ${next} comes from the environment, which the script does not set` };
      i++;
      continue;
    }
    if (x.includes('$')) {
      const flag = /^(-[\w-]+)=/.exec(x)?.[1];
      if (flag && !PORT_FLAGS.has(flag)) continue;
      return { drop: `${x} comes from the environment, which the script does not set` };
    }
    argv.push(x);
  }
  const show = input.show;
  const env: Record<string, string> = {};
  let portNote: { reason: string; source: Source } | null = null;
  if (prog === 'gunicorn') {
    // The config file the server reads: -c FILE, else ./gunicorn.conf.py.
    const c = flagValue(argv, '-c', '--config');
    let conf: string | null = null;
    if (c) {
      conf = await inRepo(c.value.replace(/^python:/, ''), scriptRel);
      if (conf) {
        if (argv[c.i] === '-c' || argv[c.i] === '--config') argv[c.i + 1] = conf;
        else argv[c.i] = `${argv[c.i]?.split('=')[0]}=${conf}`;
      }
    } else if (await readText('gunicorn.conf.py')) conf = 'gunicorn.conf.py';
    const text = conf ? await readText(conf) : null;
    if (conf && text && !flagValue(argv, '-b', '--bind')) {
      const g = gunicornConfig(text);
      if (g.bind?.port && /^\d+$/.test(g.bind.port)) {
        const host =
          g.bind.host && !LOOPBACK.test(g.bind.host) && g.bind.host !== '' ? g.bind.host : '0.0.0.0';
        argv.push('--bind', `${host}:${g.bind.port}`);
        portNote = {
          reason: `the bind address of ${conf}${g.bind.portEnv ? ` (the default of $${g.bind.portEnv})` : ''}`,
          source: show(conf, g.bind.line),
        };
      }
    }
  }
  if (prog === 'uwsgi') {
    let http = flagValue(argv, '--http', '--http-socket');
    if (!http) {
      const ini = flagValue(argv, '--ini')?.value ?? argv.slice(1).find((x) => /\.ini$/.test(x));
      const rel = ini ? await inRepo(ini, scriptRel) : null;
      const text = rel ? await readText(rel) : null;
      if (rel && ini) {
        const k = argv.indexOf(ini);
        if (k >= 0) argv[k] = rel;
      }
      const parsed = text ? parseUwsgiIni(text) : null;
      if (parsed?.http) {
        const { host, port } = splitAddress(parsed.http.value);
        if (!port || !/^\d+$/.test(port)) return { drop: `${rel} reads its port from ${parsed.http.value}` };
        if (host && LOOPBACK.test(host)) argv.push(`--${parsed.http.key}`, `0.0.0.0:${port}`);
        portNote = {
          reason: `${parsed.http.key} = ${parsed.http.value} in ${rel}`,
          source: show(rel as string, parsed.http.line),
        };
        return {
          command: argv,
          port: Number(port),
          portReason: `the port the server listens on: ${portNote.reason}`,
          portSource: portNote.source,
          env,
          warnings: [],
        };
      }
      return { drop: `uwsgi is given no HTTP address (--http, --http-socket), here or in its ini` };
    }
    const { host, port } = splitAddress(http.value);
    if (!port || !/^\d+$/.test(port)) return { drop: `uwsgi's address ${http.value} has no port` };
    if (host && LOOPBACK.test(host)) {
      argv[http.i + 1] = `0.0.0.0:${port}`;
      http = { ...http, value: `0.0.0.0:${port}` };
    }
    return {
      command: argv,
      port: Number(port),
      portReason: `the port the server in ${scriptRel} listens on (${http.value})`,
      portSource: show(scriptRel, line),
      env,
      warnings: [],
    };
  }
  if (prog === 'granian' || prog === 'waitress-serve') {
    const hostFlag = prog === 'granian' ? '--host' : '--host';
    const h = flagValue(argv, hostFlag);
    if (!h) argv.push(hostFlag, '0.0.0.0');
    else if (LOOPBACK.test(h.value)) argv[h.i + 1] = '0.0.0.0';
    const p = flagValue(argv, '--port');
    const port = p && /^\d+$/.test(p.value) ? Number(p.value) : prog === 'granian' ? 8000 : 8080;
    return {
      command: argv,
      port,
      portReason: p
        ? `the port the server in ${scriptRel} listens on`
        : `${prog} listens on ${port} when no port is given`,
      portSource: show(scriptRel, line),
      env,
      warnings: [],
    };
  }
  // gunicorn, uvicorn, hypercorn, daphne: the Procfile repair binds 0.0.0.0 and reads the port.
  const web: ProcfileLine = { name: 'web', command: argv.map(shellQuote).join(' '), line: 0 };
  const r = repairProcfile(web, 'unknown', null, undefined, () => []);
  if (!r.command || r.command[0] === 'sh')
    return { drop: r.warnings.map((x) => x.message).join('; ') || 'not a plain command' };
  return {
    command: r.command,
    port: r.port,
    portReason: portNote
      ? `the port the server listens on: ${portNote.reason}`
      : `the port the server in ${scriptRel} listens on`,
    portSource: portNote?.source ?? show(scriptRel, line),
    env,
    warnings: r.warnings.map((x) => ({
      ...x,
      message: x.message.replace(/^Procfile web/, `${scriptRel}`),
      source: show(scriptRel, line),
    })),
  };
}

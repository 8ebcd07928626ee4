/**
 * The start command from the project's own launcher, before any framework default: a Procfile
 * `web:` line, a console script whose function starts a server (or its `serve`/`start`/... CLI
 * subcommand), an `if __name__ == "__main__":` block that builds and serves the app. Host and port
 * come from the launcher's arguments, resolved through the project's settings
 * (src/project/launcher-settings.ts). Which calls start a server is data: data/launchers.json.
 *
 * Rules: the server a launcher calls must be installed by the dependencies; development servers
 * (Flask's app.run, reload=True, runserver) are never used; a launcher that can only listen on
 * 127.0.0.1 is unusable in a container unless its host comes from an environment variable or a
 * command-line flag, which the command then sets to 0.0.0.0.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { Decision, Source, Warning } from '../plan.js';
import { type PyFile, parseProcfile, qualified, repairProcfile } from './framework.js';
import { launchersData, type ServerCallSpec } from './launcher-data.js';
import {
  envRead,
  literalValue,
  lookupSetting,
  type Setting,
  type SettingsIndex,
  scanSettings,
  settingsPort,
} from './launcher-settings.js';
import { shellLaunchers } from './launcher-shell.js';
import {
  callArgs,
  dottedName,
  importBindings,
  literalString,
  matchingBracket,
  type Statement,
  type Token,
} from './pyscan.js';

export interface LaunchInput {
  /** Absolute path of the app directory. */
  base: string;
  /** The app's scanned Python files (framework.ts scanFiles). */
  files: PyFile[];
  /** Console scripts: name -> 'module:function' ([project.scripts], [tool.poetry.scripts], setup.cfg/setup.py). */
  scripts: Record<string, string>;
  /** Installed distribution names, normalised (`uvicorn`, `fastapi[standard]`); empty when unknown. */
  installed: ReadonlySet<string>;
  projectName?: string;
  /** Path shown in decisions for a path relative to the app directory (default: unchanged). */
  display?: (rel: string) => string;
}

export type LaunchKind = 'procfile' | 'entry-script' | 'console-script' | 'main-block';

export interface LaunchCandidate {
  kind: LaunchKind;
  command: string[];
  port: number | null;
  /** Why this port, and where it was read. */
  portReason: string;
  portSource?: Source;
  /** The environment variable the launcher reads its port from (`PORT` in `os.environ.get("PORT", "8000")`). */
  portEnv?: string;
  /** The distribution that serves (uvicorn, waitress...); null for the standard library or unknown. */
  server: string | null;
  env: Record<string, string>;
  source: Source;
  reason: string;
  score: number;
  /** Said when this candidate is used (a host rewritten to 0.0.0.0...). */
  warnings: Warning[];
  /** Decisions recorded when this candidate is used (release steps an entry script also runs...). */
  notes?: Decision[];
}

export interface DroppedLauncher {
  what: string;
  reason: string;
  source: Source;
}

export interface LaunchResult {
  /** Best first. */
  candidates: LaunchCandidate[];
  /** Launchers seen and not used, with why. */
  dropped: DroppedLauncher[];
  /** The service port the settings name, for a framework command when no launcher is used. */
  settingsPort: { port: number; reason: string; source: Source } | null;
}

// ---------------------------------------------------------------------------------------------
// Index of functions, classes and main blocks

interface Fn {
  file: PyFile;
  name: string;
  qual: string;
  def: Statement;
  body: Statement[];
  decorators: Statement[];
}

interface Index {
  fns: Map<string, Fn>;
  /** Module-level assignments: qualified name -> right-hand side. */
  assigns: Map<string, { file: PyFile; tokens: Token[]; line: number }>;
  /** Project classes: qualified name -> qualified base names. */
  classes: Map<string, string[]>;
  byModule: Map<string, PyFile>;
}

function isDef(t: Token[]): boolean {
  return t[0]?.value === 'def' || (t[0]?.value === 'async' && t[1]?.value === 'def');
}

function blockAfter(sts: Statement[], i: number): Statement[] {
  const head = sts[i] as Statement;
  const out: Statement[] = [];
  for (let j = i + 1; j < sts.length && (sts[j] as Statement).indent > head.indent; j++)
    out.push(sts[j] as Statement);
  return out;
}

function buildIndex(files: PyFile[]): Index {
  const idx: Index = { fns: new Map(), assigns: new Map(), classes: new Map(), byModule: new Map() };
  for (const f of files) {
    idx.byModule.set(f.module, f);
    const sts = f.statements;
    let cls: { name: string; indent: number; body: number } | null = null;
    for (let i = 0; i < sts.length; i++) {
      const st = sts[i] as Statement;
      const t = st.tokens;
      if (cls && st.indent <= cls.indent) cls = null;
      if (t[0]?.value === 'class' && t[1]?.type === 'name' && st.indent === 0) {
        cls = { name: t[1].value, indent: 0, body: -1 };
        const bases =
          t[2]?.value === '(' ? callArgs(t, 2).positional.map((p) => p.map((x) => x.value).join('')) : [];
        idx.classes.set(
          `${f.module}.${t[1].value}`,
          bases.map((b) => qualified(f, b)),
        );
        continue;
      }
      if (cls && cls.body < 0) cls.body = st.indent;
      const methodLevel = cls !== null && st.indent === cls.body;
      if (isDef(t) && (st.indent === 0 || methodLevel)) {
        const nameTok = t[0]?.value === 'def' ? t[1] : t[2];
        if (nameTok?.type !== 'name') continue;
        const decorators: Statement[] = [];
        for (let j = i - 1; j >= 0 && sts[j]?.tokens[0]?.value === '@' && sts[j]?.indent === st.indent; j--)
          decorators.unshift(sts[j] as Statement);
        const name = cls && st.indent > 0 ? `${cls.name}.${nameTok.value}` : nameTok.value;
        idx.fns.set(`${f.module}.${name}`, {
          file: f,
          name,
          qual: `${f.module}.${name}`,
          def: st,
          body: blockAfter(sts, i),
          decorators,
        });
        continue;
      }
      if (st.indent === 0 && t[0]?.type === 'name') {
        let k = 1;
        if (t[1]?.value === ':') while (k < t.length && t[k]?.value !== '=') k++;
        if (t[k]?.value === '=' && t[k]?.type === 'op' && !idx.assigns.has(`${f.module}.${t[0].value}`))
          idx.assigns.set(`${f.module}.${t[0].value}`, { file: f, tokens: t.slice(k + 1), line: st.line });
      }
    }
  }
  return idx;
}

/** Statements under `if __name__ == "__main__":`, or a `__main__.py`'s module-level code. */
function mainBlock(f: PyFile): { line: number; body: Statement[] } | null {
  const sts = f.statements;
  if (f.rel.endsWith('__main__.py')) {
    const body: Statement[] = [];
    let skipIndent = -1;
    for (const st of sts) {
      if (skipIndent >= 0 && st.indent > skipIndent) continue;
      skipIndent = -1;
      if (isDef(st.tokens) || st.tokens[0]?.value === 'class') {
        skipIndent = st.indent;
        continue;
      }
      if (st.tokens[0]?.value !== '@') body.push(st);
    }
    return body.length > 0 ? { line: body[0]?.line ?? 1, body } : null;
  }
  for (let i = 0; i < sts.length; i++) {
    const t = (sts[i] as Statement).tokens;
    if (
      (sts[i] as Statement).indent === 0 &&
      t[0]?.value === 'if' &&
      t.some((x) => x.value === '__name__') &&
      t.some((x) => x.type === 'string' && x.value === '__main__')
    )
      return { line: (sts[i] as Statement).line, body: blockAfter(sts, i) };
  }
  return null;
}

// Launchers in these places run tests, fixtures or maintenance, not the service.
const NOT_SERVICE_DIR =
  /(^|\/)(tests?|testing|scripts?|tools|examples?|samples?|benchmarks?|bench|docs?|e2e|fixtures|hack|contrib|dev|migrations)\//;
const NOT_SERVICE_FILE = /(^|\/)(test_[^/]*|[^/]*_tests?|conftest|noxfile|fabfile|setup|manage)\.py$/;

// ---------------------------------------------------------------------------------------------
// Following calls from a launcher to the server it starts

interface Hit {
  spec: ServerCallSpec;
  file: PyFile;
  line: number;
  tokens: Token[];
  /** Index of the call's '(' in tokens. */
  open: number;
  /** The function the call sits in (for parameter defaults), when it is one. */
  fn: Fn | null;
  /** The launcher's own statements up to the call, for "configured in main" and bind addresses. */
  context: Statement[];
  /** Name of the app object handed to the server, when it is a plain name. */
  appVar: string | null;
}

const DJANGO_MAIN = 'django.core.management.execute_from_command_line';

class Walker {
  readonly data = launchersData();
  constructor(readonly idx: Index) {}

  /** A name qualified through the imports of its file, and those inside a function (`from pkg.web import server`). */
  qualifyIn(f: PyFile, name: string, scope: Statement[]): string {
    const head = name.split('.')[0] as string;
    const local = importBindings(
      scope.filter(
        (st) => st.indent > 0 && (st.tokens[0]?.value === 'from' || st.tokens[0]?.value === 'import'),
      ),
    ).get(head);
    return local ? `${local}${name.slice(head.length)}` : qualified(f, name);
  }

  /** Qualified constructor an object name was made with: a local, module-level or imported assignment. */
  typeOf(f: PyFile, name: string, locals: Statement[], depth = 0): string | null {
    if (depth > 3) return null;
    const rhsType = (file: PyFile, rhs: Token[], scope: Statement[] = []): string | null => {
      const d = dottedName(rhs, 0);
      if (!d || rhs[d.end]?.value !== '(') return null;
      const q = this.qualifyIn(file, d.name, scope);
      const fn = this.idx.fns.get(q);
      if (fn) {
        const top = Math.min(...fn.body.map((b) => b.indent));
        for (const b of fn.body) {
          // The function's own return, not one of a function nested in it.
          if (b.tokens[0]?.value !== 'return' || b.indent !== top) continue;
          const r = dottedName(b.tokens, 1);
          if (!r) continue;
          if (b.tokens[r.end]?.value === '(') return qualified(fn.file, r.name);
          return this.typeOf(fn.file, r.name, fn.body, depth + 1);
        }
        return null;
      }
      return q;
    };
    // `x = other_name`: the other name's type.
    const aliasType = (file: PyFile, rhs: Token[], scope: Statement[]) => {
      const d = dottedName(rhs, 0);
      return d && d.end === rhs.length && d.name !== name && d.name !== 'None'
        ? this.typeOf(file, d.name, scope, depth + 1)
        : null;
    };
    const mine = [...locals].reverse();
    for (const st of mine) {
      const t = st.tokens;
      if (t[0]?.value === name && t[1]?.value === '=' && t[1].type === 'op')
        return rhsType(f, t.slice(2)) ?? aliasType(f, t.slice(2), locals);
    }
    const q = this.qualifyIn(f, name, locals);
    const a = this.idx.assigns.get(q);
    const typed = a ? (rhsType(a.file, a.tokens) ?? aliasType(a.file, a.tokens, [])) : null;
    if (typed) return typed;
    // A module global set inside a function of its module (`global server; server = make_server(app)`).
    const mod = this.idx.byModule.get(q.slice(0, q.lastIndexOf('.')));
    const short = q.slice(q.lastIndexOf('.') + 1);
    for (const st of mod?.statements ?? []) {
      const t = st.tokens;
      if (st.indent === 0 || t[0]?.value !== short || t[1]?.value !== '=' || t[1].type !== 'op') continue;
      const r = rhsType(mod as PyFile, t.slice(2), mod?.statements ?? []);
      if (r) return r;
    }
    return null;
  }

  /** Server calls reachable from these statements, following project functions up to 4 calls deep. */
  walk(f: PyFile, body: Statement[], fn: Fn | null, depth = 0, seen = new Set<string>()): Hit[] {
    const hits: Hit[] = [];
    for (let si = 0; si < body.length; si++) {
      const st = body[si] as Statement;
      const t = st.tokens;
      if (isDef(t)) continue;
      for (let k = 0; k < t.length; k++) {
        if (t[k]?.type !== 'name' || (k > 0 && t[k - 1]?.value === '.')) continue;
        const d = dottedName(t, k);
        if (!d || t[d.end]?.value !== '(') continue;
        const q = qualified(f, d.name);
        const context = body.slice(0, si + 1);
        const hit = (spec: ServerCallSpec) => {
          const a0 = callArgs(t, d.end).positional[0];
          const method = !!spec.method;
          const appVar = method
            ? d.name.slice(0, d.name.lastIndexOf('.'))
            : a0?.length === 1 && a0[0]?.type === 'name'
              ? a0[0].value
              : null;
          hits.push({ spec, file: f, line: st.line, tokens: t, open: d.end, fn, context, appVar });
        };
        const direct = this.data.servers.find((s) => !s.method && s.call === q);
        if (direct) {
          hit(direct);
          continue;
        }
        if (d.name.includes('.')) {
          const obj = d.name.slice(0, d.name.lastIndexOf('.'));
          const method = d.name.slice(d.name.lastIndexOf('.') + 1);
          if (!obj.includes('.')) {
            const onType = this.data.servers.filter((s) => s.method === method);
            if (onType.length > 0) {
              const type = this.typeOf(f, obj, context);
              const spec = onType.find((s) => s.call === type);
              if (spec) {
                hit(spec);
                continue;
              }
            }
          }
        }
        if (q === DJANGO_MAIN) {
          const argv = callArgs(t, d.end).positional[0] ?? [];
          const words = argv.filter((x) => x.type === 'string').map((x) => x.value);
          const dev = words.find((w) => this.data.djangoDevCommands.includes(w));
          if (dev)
            hit({
              call: DJANGO_MAIN,
              package: 'django',
              dev: `manage.py ${dev} is Django's development server`,
            });
          continue;
        }
        const bases = this.idx.classes.get(q);
        if (
          bases?.some(
            (b) =>
              this.data.gunicornBases.includes(b) ||
              this.idx.classes.get(b)?.some((x) => this.data.gunicornBases.includes(x)),
          )
        ) {
          hit({
            call: q,
            package: 'gunicorn',
            address: { keyword: 'bind' },
            defaultHost: '127.0.0.1',
            defaultPort: 8000,
          });
          continue;
        }
        const callee = this.idx.fns.get(q);
        if (callee && depth < 4 && !seen.has(callee.qual)) {
          seen.add(callee.qual);
          hits.push(...this.walk(callee.file, callee.body, callee, depth + 1, seen));
        }
      }
    }
    return hits;
  }
}

// ---------------------------------------------------------------------------------------------
// Host and port of a server call

interface Resolved {
  value: string | null;
  source?: Source;
  reason: string;
  envVar?: string;
  /** A command-line flag that sets it (`--host`), when the launcher parses one. */
  flag?: string;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

function argExpr(
  h: Hit,
  arg: { keyword?: string | undefined; index?: number | undefined } | undefined,
): Token[] | null {
  if (!arg) return null;
  const a = callArgs(h.tokens, h.open);
  return (
    (arg.keyword ? a.keywords.get(arg.keyword) : undefined) ??
    (arg.index !== undefined ? a.positional[arg.index] : undefined) ??
    null
  );
}

class Resolver {
  constructor(
    readonly settings: SettingsIndex,
    readonly show: (rel: string, line?: number) => Source,
  ) {}

  fromSetting(s: Setting, what: string): Resolved {
    return {
      value: s.value,
      source: this.show(s.file, s.line),
      reason: `${what} ${s.name} = ${s.value}${s.via === 'env-file' ? ' (an example env file)' : ''}`,
      ...(s.envVar ? { envVar: s.envVar } : {}),
    };
  }

  /** The value of an argument expression in the launcher: literal, environment, settings, parameter or CLI option. */
  resolve(h: Hit, expr: Token[], depth = 0): Resolved {
    const here = this.show(h.file.rel, expr[0]?.line ?? h.line);
    const lit = literalValue(expr);
    if (lit !== null) return { value: lit, source: here, reason: 'written in the launcher' };
    const env = envRead(h.file, expr);
    if (env) {
      if (env.fallback !== null)
        return { value: env.fallback, source: here, reason: `the default of $${env.name}`, envVar: env.name };
      const s = lookupSetting(this.settings, env.name);
      if (s) return { ...this.fromSetting(s, `$${env.name}, no default in code;`), envVar: env.name };
      return { value: null, source: here, reason: `$${env.name}, which has no default`, envVar: env.name };
    }
    const d = dottedName(expr, 0);
    if (!d) return { value: null, source: here, reason: 'an expression' };
    // int(port), str(port): the value of the argument.
    if (
      /^(int|str)$/.test(d.name) &&
      expr[d.end]?.value === '(' &&
      matchingBracket(expr, d.end) === expr.length - 1 &&
      depth < 3
    ) {
      const inner = callArgs(expr, d.end).positional;
      if (inner.length === 1) return this.resolve(h, inner[0] as Token[], depth + 1);
    }
    // config["port"]
    if (expr[d.end]?.value === '[') {
      const key = literalString(expr.slice(d.end + 1, matchingBracket(expr, d.end)));
      const s = key ? lookupSetting(this.settings, key) : null;
      return s ? this.fromSetting(s, 'the setting') : { value: null, source: here, reason: 'an expression' };
    }
    const parts = d.name.split('.');
    const last = parts.at(-1) as string;
    // args.port / opts.port: an argparse option of this file.
    const flag = this.cliOption(h, last);
    if (flag) return flag;
    if (parts.length === 1 && depth < 3) {
      // A local or module-level assignment, or a parameter default.
      const local = [...h.context, ...h.file.statements.filter((s) => s.indent === 0)].find(
        (s) => s.tokens[0]?.value === last && s.tokens[1]?.value === '=' && s.tokens[1].type === 'op',
      );
      if (local) return this.resolve(h, local.tokens.slice(2), depth + 1);
      const param = h.fn ? this.paramDefault(h, last, depth) : null;
      if (param) return param;
    }
    const s = lookupSetting(this.settings, last);
    if (s) return this.fromSetting(s, 'the setting');
    return { value: null, source: here, reason: `${d.name}, not resolved` };
  }

  /** A parameter default: `def main(port: int = 8000)`, `port: int = typer.Option(8000)`, or `@click.option("--port", default=8000)`. */
  paramDefault(h: Hit, name: string, depth: number): Resolved | null {
    const fn = h.fn as Fn;
    for (const dec of fn.decorators) {
      const t = dec.tokens;
      const d = dottedName(t, 1);
      if (!d || !/(^|\.)(option|argument)$/.test(d.name) || t[d.end]?.value !== '(') continue;
      const a = callArgs(t, d.end);
      const flags = a.positional.map((p) => literalString(p)).filter((x): x is string => !!x);
      const dest =
        flags.find((x) => !x.startsWith('-')) ??
        flags
          .find((x) => x.startsWith('--'))
          ?.slice(2)
          .replace(/-/g, '_');
      if (dest !== name) continue;
      const long = flags.find((x) => x.startsWith('--'));
      const dflt = a.keywords.get('default');
      const r = dflt
        ? this.resolve({ ...h, fn: null }, dflt, depth + 1)
        : { value: null, reason: 'no default' };
      const envvar = literalString(a.keywords.get('envvar'));
      return {
        ...r,
        source: this.show(h.file.rel, dec.line),
        reason: `the ${long ?? name} option's default${r.value ? '' : ' (none)'}`,
        ...(long ? { flag: long } : {}),
        ...(envvar ? { envVar: envvar } : {}),
      };
    }
    const t = fn.def.tokens;
    const open = t.findIndex((x) => x.value === '(');
    if (open < 0) return null;
    const a = callArgs(t, open);
    for (const p of a.positional) {
      if (p[0]?.value !== name) continue;
      const eq = p.findIndex((x) => x.type === 'op' && x.value === '=');
      if (eq < 0) return null;
      const r = this.resolve({ ...h, fn: null }, p.slice(eq + 1), depth + 1);
      return {
        ...r,
        source: this.show(h.file.rel, fn.def.line),
        reason: `the default of ${fn.name}(${name})`,
      };
    }
    for (const [k, v] of a.keywords) {
      if (k !== name) continue;
      const r = this.resolve({ ...h, fn: null }, v, depth + 1);
      return {
        ...r,
        source: this.show(h.file.rel, fn.def.line),
        reason: `the default of ${fn.name}(${name})`,
      };
    }
    return null;
  }

  /** `parser.add_argument("--port", default=8000)` in the launcher's file. */
  cliOption(h: Hit, dest: string): Resolved | null {
    for (const st of h.file.statements) {
      const t = st.tokens;
      const at = t.findIndex(
        (x, i) => x.value === 'add_argument' && t[i - 1]?.value === '.' && t[i + 1]?.value === '(',
      );
      if (at < 0) continue;
      const a = callArgs(t, at + 1);
      const flags = a.positional.map((p) => literalString(p)).filter((x): x is string => !!x);
      const long = flags.find((x) => x.startsWith('--'));
      const name = literalString(a.keywords.get('dest')) ?? long?.slice(2).replace(/-/g, '_');
      if (name !== dest || !long) continue;
      const dflt = a.keywords.get('default');
      const r = dflt ? this.resolve({ ...h, fn: null }, dflt, 2) : { value: null, reason: '' };
      return {
        ...r,
        source: this.show(h.file.rel, st.line),
        reason: `the ${long} option's default`,
        flag: long,
      };
    }
    return null;
  }

  /** A 'host:port' address: `bind="0.0.0.0:8000"`, `("0.0.0.0", 8080)`, `config.bind = ["..."]`. */
  address(h: Hit): { host: Resolved | null; port: Resolved | null } {
    const expr = argExpr(h, h.spec.address);
    const split = (s: string, src: Source, reason: string) => {
      const m = /^(.*):(\d{2,5})$/.exec(s);
      return m
        ? {
            host: { value: (m[1] as string).replace(/^\[|\]$/g, ''), source: src, reason },
            port: { value: m[2] as string, source: src, reason },
          }
        : null;
    };
    if (expr) {
      const inner =
        expr[0]?.value === '(' || expr[0]?.value === '[' ? expr.slice(1, matchingBracket(expr, 0)) : expr;
      const parts = callArgs(
        [
          { type: 'op', value: '(', line: 0, column: 0 },
          ...inner,
          { type: 'op', value: ')', line: 0, column: 0 },
        ],
        0,
      ).positional;
      if (parts.length === 2)
        return { host: this.resolve(h, parts[0] as Token[]), port: this.resolve(h, parts[1] as Token[]) };
      const s = literalString(parts[0]);
      const r = s
        ? split(s, this.show(h.file.rel, h.line), 'the bind address written in the launcher')
        : null;
      if (r) return r;
    }
    // Options set before the call: `config.bind = ["0.0.0.0:8000"]`, `options = {"bind": "..."}`.
    for (const st of [...h.context].reverse()) {
      const bindAt = st.tokens.findIndex(
        (x) => (x.type === 'name' && x.value === 'bind') || (x.type === 'string' && x.value === 'bind'),
      );
      if (bindAt < 0) continue;
      const s = st.tokens.slice(bindAt + 1).find((x) => x.type === 'string' && /:\d{2,5}$/.test(x.value));
      const r = s
        ? split(s.value, this.show(h.file.rel, st.line), 'the bind address set before the server starts')
        : null;
      if (r) return r;
    }
    return { host: null, port: null };
  }
}

/** The server is given a "module:app" string whose module is a sibling of the launcher, not importable from the root. */
function scriptRelativeTarget(h: Hit, f: PyFile, idx: Index): boolean {
  const target = literalString(callArgs(h.tokens, h.open).positional[0]);
  const m = target ? /^([A-Za-z_]\w*)(?:\.[\w.]+)?:[\w.]+$/.exec(target) : null;
  if (!m) return false;
  const head = m[1] as string;
  const dir = f.rel.includes('/') ? f.rel.slice(0, f.rel.lastIndexOf('/')) : '';
  if (!dir || idx.byModule.has(head)) return false;
  return [...idx.byModule.values()].some(
    (x) => x.rel === `${dir}/${head}.py` || x.rel === `${dir}/${head}/__init__.py`,
  );
}

// ---------------------------------------------------------------------------------------------

function norm(s: string): string {
  return s.toLowerCase().replace(/[-_.]+/g, '-');
}

async function readText(file: string): Promise<string | null> {
  try {
    return await fsp.readFile(file, 'utf8');
  } catch {
    return null;
  }
}

/** Where a console script is declared: the line naming it in pyproject.toml, setup.cfg or setup.py. */
async function scriptSource(
  base: string,
  name: string,
  target: string,
): Promise<{ file: string; line?: number }> {
  for (const file of ['pyproject.toml', 'setup.cfg', 'setup.py']) {
    const text = await readText(path.join(base, file));
    if (!text) continue;
    const lines = text.split(/\r?\n/);
    const i = lines.findIndex(
      (l) => l.includes(name) && l.replace(/\s+/g, '').includes(target.replace(/\s+/g, '')),
    );
    if (i >= 0) return { file, line: i + 1 };
  }
  return { file: 'pyproject.toml' };
}

const PROCFILE_SERVERS: Record<string, string> = {
  gunicorn: 'gunicorn',
  uvicorn: 'uvicorn',
  hypercorn: 'hypercorn',
  daphne: 'daphne',
  'waitress-serve': 'waitress',
  granian: 'granian',
  streamlit: 'streamlit',
  celery: 'celery',
};

export async function findLaunchers(input: LaunchInput): Promise<LaunchResult> {
  const data = launchersData();
  const display = input.display ?? ((rel: string) => rel);
  const show = (rel: string, line?: number): Source => ({ file: display(rel), ...(line ? { line } : {}) });
  const installed = (pkg: string | null) =>
    pkg === null || input.installed.size === 0 || input.installed.has(norm(pkg));
  const idx = buildIndex(input.files);
  const walker = new Walker(idx);
  const settings = await scanSettings(input.base, input.files);
  const resolver = new Resolver(settings, show);
  const candidates: LaunchCandidate[] = [];
  const dropped: DroppedLauncher[] = [];

  /**
   * A launcher's command from the first production server it reaches, or why it cannot be used.
   * `flagsAllowed`: the command can take `--host 0.0.0.0` when the launcher parses that flag.
   */
  const fromHits = (
    what: string,
    hits: Hit[],
    command: string[],
    source: Source,
  ):
    | {
        candidate: Omit<LaunchCandidate, 'kind' | 'score' | 'reason'> & {
          serverText: string;
          configured: string | null;
        };
      }
    | { drop: string }
    | null => {
    if (hits.length === 0) return null;
    const reasons: string[] = [];
    for (const h of hits) {
      const where = `${display(h.file.rel)}:${h.line}`;
      const label = h.spec.method ? `${h.spec.call.split('.').pop()}.${h.spec.method}()` : `${h.spec.call}()`;
      if (h.spec.dev) {
        reasons.push(`${h.spec.dev} (${where})`);
        continue;
      }
      const args = callArgs(h.tokens, h.open);
      const devKw = (h.spec.devKeywords ?? []).find(
        (k) =>
          args.keywords
            .get(k)
            ?.map((x) => x.value)
            .join('') === 'True',
      );
      if (devKw) {
        reasons.push(`${label} with ${devKw}=True is a development mode (${where})`);
        continue;
      }
      if (!installed(h.spec.package)) {
        reasons.push(`${label} needs ${h.spec.package}, which the dependencies do not install (${where})`);
        continue;
      }
      const addr = h.spec.address ? resolver.address(h) : { host: null, port: null };
      const hostExpr = argExpr(h, h.spec.host);
      const portExpr = argExpr(h, h.spec.port);
      const host = hostExpr ? resolver.resolve(h, hostExpr) : addr.host;
      const port = portExpr ? resolver.resolve(h, portExpr) : addr.port;
      const env: Record<string, string> = {};
      const cmd = [...command];
      const warnings: Warning[] = [];
      const hostValue = host ? host.value : (h.spec.defaultHost ?? null);
      if (hostValue !== null && LOOPBACK.has(hostValue)) {
        const said = host
          ? `listens on ${hostValue} (${host.reason})`
          : `listens on ${hostValue} when no host is given`;
        if (host?.flag && command[0] !== 'sh') {
          cmd.push(host.flag, '0.0.0.0');
          warnings.push({
            code: 'launcher-host',
            message: `${label} ${said}; the command passes ${host.flag} 0.0.0.0 so the port can be published`,
            source: host.source ?? show(h.file.rel, h.line),
          });
        } else if (host?.envVar) {
          env[host.envVar] = '0.0.0.0';
          warnings.push({
            code: 'launcher-host',
            message: `${label} ${said}; the image sets ${host.envVar}=0.0.0.0 so the port can be published`,
            source: host.source ?? show(h.file.rel, h.line),
          });
        } else {
          reasons.push(
            `${label} ${said}, which a container cannot publish, and nothing outside the code sets it (${where})`,
          );
          continue;
        }
      }
      let portNum: number | null = null;
      let portReason: string;
      let portSource: Source | undefined;
      if (port?.value && /^\d{2,5}$/.test(port.value)) {
        portNum = Number(port.value);
        portReason = `the port the launcher listens on: ${port.reason}`;
        portSource = port.source;
      } else if (!port && h.spec.defaultPort) {
        portNum = h.spec.defaultPort;
        portReason = `${label} listens on ${portNum} when no port is given`;
        portSource = show(h.file.rel, h.line);
      } else {
        portReason = port ? `the launcher's port is ${port.reason}` : 'the launcher names no port';
        if (port?.source) portSource = port.source;
      }
      // The app is built or configured inside the launcher: importing module:app would skip that.
      let configured: string | null = null;
      if (h.appVar) {
        const v = h.appVar;
        const st = h.context.find(
          (s) =>
            s.line !== h.line &&
            ((s.tokens[0]?.value === v && (s.tokens[1]?.value === '=' || s.tokens[1]?.value === '.')) ||
              s.tokens.some(
                (x, i) =>
                  x.value === v &&
                  (s.tokens[i - 1]?.value === '(' || s.tokens[i - 1]?.value === ',') &&
                  x.type === 'name',
              )),
        );
        if (st) configured = `${display(h.file.rel)}:${st.line}`;
      }
      return {
        candidate: {
          command: cmd,
          port: portNum,
          portReason,
          ...(portSource ? { portSource } : {}),
          ...(port?.envVar ? { portEnv: port.envVar } : {}),
          server: h.spec.package,
          env,
          source,
          warnings,
          serverText: `${label} at ${where}`,
          configured,
        },
      };
    }
    return { drop: reasons.join('; ') || `${what} starts no server` };
  };

  // Procfile web: line, repaired by framework.ts (development servers, $PORT, 127.0.0.1).
  const procText = await readText(path.join(input.base, 'Procfile'));
  const web = procText ? parseProcfile(procText).find((p) => p.name === 'web') : undefined;
  if (web) {
    const r = repairProcfile(web, 'unknown', null, undefined, () => []);
    const prog = r.command ? path.posix.basename(r.command[0] as string) : '';
    const pkg = PROCFILE_SERVERS[prog] ?? null;
    if (!r.command) {
      dropped.push({
        what: `Procfile web: ${web.command}`,
        reason: r.warnings.map((w) => w.message).join('; ') || 'a development server',
        source: show('Procfile', web.line),
      });
    } else if (!installed(pkg)) {
      dropped.push({
        what: `Procfile web: ${web.command}`,
        reason: `it runs ${prog}, which the dependencies do not install`,
        source: show('Procfile', web.line),
      });
    } else {
      candidates.push({
        kind: 'procfile',
        command: r.command,
        port: r.port,
        portReason:
          r.port !== null ? 'the port the Procfile web process listens on' : 'the Procfile names no port',
        ...(r.port !== null ? { portSource: show('Procfile', web.line) } : {}),
        server: pkg,
        env: {},
        source: show('Procfile', web.line),
        reason: `the project declares its web process in the Procfile (${r.reason})`,
        // A line that needs a shell (`migrate; gunicorn ...`) ranks below an entry script's plain server line.
        score: r.command[0] === 'sh' ? 240 : 300,
        warnings: r.warnings.map((w) => ({ ...w, source: show('Procfile', web.line) })),
      });
    }
  }

  // Entry shell scripts (src/project/launcher-shell.ts).
  const shell = await shellLaunchers({ base: input.base, files: input.files, installed, show });
  candidates.push(...shell.candidates);
  dropped.push(...shell.dropped);

  // Console scripts.
  const consoleServers = new Map<string, { name: string; score: number }>();
  for (const [name, rawTarget] of Object.entries(input.scripts)) {
    const target = rawTarget.replace(/\s+/g, '').replace(/\[.*$/, '');
    const [mod, attr] = target.split(':') as [string, string | undefined];
    const source = show(
      ...(Object.values(await scriptSource(input.base, name, rawTarget)) as [string, number?]),
    );
    const what = `console script ${name} = ${target}`;
    if (!attr) continue;
    const bonus = input.projectName && norm(input.projectName) === norm(name) ? 5 : 0;
    const q = `${mod}.${attr}`;
    const fn = idx.fns.get(q);
    const f = idx.byModule.get(mod);
    if (!f) continue;
    // A click group, a typer app, or a function that calls one: its subcommands.
    const groups = new Set<string>();
    const isGroupFn = (x: Fn) =>
      x.decorators.some((d) => {
        const dn = dottedName(d.tokens, 1);
        return !!dn && (data.cliGroups.includes(qualified(x.file, dn.name)) || /\.group$/.test(dn.name));
      });
    const isGroupVar = (file: PyFile, v: string) => {
      const a = idx.assigns.get(qualified(file, v));
      const d = a ? dottedName(a.tokens, 0) : null;
      return !!a && !!d && data.cliGroups.includes(qualified(a.file, d.name));
    };
    if (fn && isGroupFn(fn)) groups.add(q);
    else if (!fn && isGroupVar(f, attr)) groups.add(qualified(f, attr));
    else if (fn) {
      for (const st of fn.body) {
        const d = dottedName(st.tokens, 0);
        if (!d || st.tokens[d.end]?.value !== '(') continue;
        const cq = qualified(fn.file, d.name);
        const cfn = idx.fns.get(cq);
        if ((cfn && isGroupFn(cfn)) || (!d.name.includes('.') && isGroupVar(fn.file, d.name))) groups.add(cq);
      }
    }
    if (groups.size > 0) {
      const subs: { sub: string; fn: Fn; line: number }[] = [];
      for (const x of idx.fns.values()) {
        for (const dec of x.decorators) {
          const dn = dottedName(dec.tokens, 1);
          if (!dn || !dn.name.endsWith('.command') || dec.tokens[dn.end]?.value !== '(') continue;
          if (!groups.has(qualified(x.file, dn.name.slice(0, -'.command'.length)))) continue;
          const a = callArgs(dec.tokens, dn.end);
          const sub =
            literalString(a.positional[0]) ??
            literalString(a.keywords.get('name')) ??
            x.name.replace(/_/g, '-');
          subs.push({ sub, fn: x, line: dec.line });
        }
      }
      let found = false;
      const reasons: string[] = [];
      for (const s of subs) {
        const rank = data.subcommands.indexOf(s.sub);
        if (rank < 0) continue;
        const r = fromHits(
          `${name} ${s.sub}`,
          walker.walk(s.fn.file, s.fn.body, s.fn),
          [name, s.sub],
          show(s.fn.file.rel, s.line),
        );
        if (!r) continue;
        if ('drop' in r) {
          reasons.push(r.drop);
          dropped.push({
            what: `${what}, command ${s.sub}`,
            reason: r.drop,
            source: show(s.fn.file.rel, s.line),
          });
          continue;
        }
        found = true;
        const { serverText, configured, ...c } = r.candidate;
        candidates.push({
          ...c,
          kind: 'console-script',
          score: 200 + bonus + (data.subcommands.length - rank),
          reason: `${what} (${display(source.file)}${source.line ? `:${source.line}` : ''}) is a CLI whose ${s.sub} command starts ${serverText}`,
        });
      }
      if (!found && reasons.length === 0)
        dropped.push({
          what,
          reason: `a command-line tool: none of its commands (${subs.map((s) => s.sub).join(', ') || 'none found'}) starts a server`,
          source,
        });
      continue;
    }
    if (!fn) continue;
    const r = fromHits(what, walker.walk(fn.file, fn.body, fn), [name], source);
    if (!r) {
      dropped.push({
        what,
        reason: `a command-line tool: ${fn.name}() (${display(fn.file.rel)}:${fn.def.line}) starts no server`,
        source,
      });
      continue;
    }
    if ('drop' in r) {
      dropped.push({ what, reason: r.drop, source });
      continue;
    }
    const { serverText, configured, ...c } = r.candidate;
    consoleServers.set(serverText, { name, score: 200 + bonus });
    candidates.push({
      ...c,
      kind: 'console-script',
      score: 200 + bonus,
      reason: `${what} starts ${serverText}${configured ? `, with the app configured first (${configured})` : ''}`,
    });
  }

  // __main__ blocks.
  for (const f of input.files) {
    if (NOT_SERVICE_DIR.test(f.rel) || NOT_SERVICE_FILE.test(f.rel)) continue;
    const main = mainBlock(f);
    if (!main) continue;
    const isMainPy = f.rel.endsWith('__main__.py');
    const module = isMainPy ? f.module.replace(/\.?__main__$/, '') : f.module;
    if (!module) continue;
    const command = module.includes('.') || isMainPy ? ['python', '-m', module] : ['python', f.rel];
    const source = show(f.rel, main.line);
    const what = isMainPy ? `${f.rel}` : `the __main__ block of ${f.rel}`;
    const hits = walker.walk(f, main.body, null);
    // `uvicorn.run("app:app")` in mealie/main.py imports `app` from the script's own directory, which
    // is on sys.path only when the file runs as a script: `python -m pkg.main` would not find it.
    if (command[1] === '-m' && !isMainPy && hits.some((h) => scriptRelativeTarget(h, f, idx))) {
      command.splice(0, command.length, 'python', f.rel);
    }
    const r = fromHits(what, hits, command, source);
    if (!r) continue;
    if ('drop' in r) {
      dropped.push({ what, reason: r.drop, source });
      continue;
    }
    const { serverText, configured, ...c } = r.candidate;
    const depth = f.rel.split('/').length - 1;
    const nameBonus = /(^|\/)(main|app|server|run|serve|wsgi|asgi|__main__|application|api|web)\.py$/.test(
      f.rel,
    )
      ? 5
      : 0;
    // A launcher script at the repository root that starts the same server as a console script is the
    // maintainers' way to run it from the checkout; it needs no entry-point metadata installed.
    const same = depth === 0 && !isMainPy ? consoleServers.get(serverText) : undefined;
    candidates.push({
      ...c,
      env: { ...c.env, ...(f.importRoot !== '.' && command[1] === '-m' ? { PYTHONPATH: f.importRoot } : {}) },
      kind: 'main-block',
      score: same ? same.score + 1 : 100 + nameBonus - 2 * depth + (configured ? 10 : 0),
      reason: `${what} starts ${serverText}${configured ? `; the app is configured there first (${configured}), so the launcher runs, not module:app` : ''}${same ? `; the repository's root launcher script for console script ${same.name}` : ''}`,
    });
  }

  candidates.sort((a, b) => b.score - a.score || a.source.file.localeCompare(b.source.file));
  const sp = settingsPort(settings);
  return {
    candidates,
    dropped,
    settingsPort: sp
      ? {
          port: Number(sp.value),
          reason: `the port the settings name: ${sp.name} = ${sp.value}${sp.envVar ? ` ($${sp.envVar})` : ''}`,
          source: show(sp.file, sp.line),
        }
      : null,
  };
}

/** Decisions that explain the launchers seen and not used. */
export function droppedDecisions(r: LaunchResult): Decision[] {
  return r.dropped.map((d) => ({
    topic: 'launcher',
    value: `not ${d.what}`,
    reason: d.reason,
    source: d.source,
  }));
}

export interface LaunchState {
  command: string[];
  port: number | null;
  env: Record<string, string>;
  portDecision: { reason: string; source?: Source } | null;
}

/**
 * Use a launcher instead of the framework's command: its command, env and port (the framework's
 * port stays when the launcher names none). The earlier command decision is replaced.
 */
export function useLauncher(
  c: LaunchCandidate,
  s: LaunchState,
  overridePort: number | undefined,
  decisions: Decision[],
  warnings: Warning[],
): LaunchState {
  const old = decisions.findIndex((d) => d.topic === 'command');
  if (old >= 0) decisions.splice(old, 1);
  decisions.push({ topic: 'command', value: c.command.join(' '), reason: c.reason, source: c.source });
  decisions.push(...(c.notes ?? []));
  warnings.push(...c.warnings);
  const env = { ...s.env, ...c.env };
  // The port the user chose reaches a launcher that reads it from the environment.
  if (overridePort !== undefined && c.portEnv) env[c.portEnv] = String(overridePort);
  if (overridePort !== undefined || c.port === null)
    return {
      command: c.command,
      port: s.port,
      env,
      portDecision:
        overridePort === undefined && s.portDecision
          ? { ...s.portDecision, reason: `${s.portDecision.reason} (${c.portReason})` }
          : s.portDecision,
    };
  return {
    command: c.command,
    port: c.port,
    env,
    portDecision: { reason: c.portReason, ...(c.portSource ? { source: c.portSource } : {}) },
  };
}

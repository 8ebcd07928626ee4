/** What one Python file declares: app objects, factories, routes, run calls, settings. */
import type { Framework } from '../../plan.js';
import { frameworksData } from '../framework-data.js';
import {
  callArgs,
  dottedName,
  literalInt,
  literalString,
  matchingBracket,
  type Statement,
  type Token,
} from '../pyscan.js';
import { type PyFile, qualified } from './scan.js';

export interface AppObject {
  framework: Framework;
  file: PyFile;
  line: number;
  /** Module-level variable holding the app, or the factory function name. */
  name: string;
  factory: boolean;
  /** Parameters the factory takes (aiohttp.web passes argv). */
  factoryParams?: number;
  /** Parameters without a default: the factory cannot be called without arguments. */
  factoryRequired?: number;
  via?: string;
  /** The module-level app this factory configures and returns (`return app`). */
  configures?: string;
  /** Where the project calls this factory with arguments, when it does. */
  calledWithArgs?: { rel: string; line: number };
}

export interface FileFacts {
  apps: AppObject[];
  factories: AppObject[];
  /** Calls that assign a factory's result: var -> qualified callee. */
  factoryCalls: { name: string; callee: string; line: number }[];
  streamlit: number | null;
  gradioLaunch: { line: number; port: number | null; host: string | null } | null;
  /** server.listen(port, address=...) / app.listen(...) calls (Tornado). */
  listen: { line: number; port: number | null; host: string | null }[];
  /** tornado.options define("port", default=N). */
  optionPort: { line: number; port: number } | null;
  runApp: { line: number; port: number | null } | null;
  uvicornRun: { line: number; target: string | null; varName: string | null; port: number | null }[];
  devRun: { varName: string; line: number; port: number | null }[];
  routes: { obj: string; path: string; line: number }[];
  routerPrefix: Map<string, string>;
  /** parent.include_router(child, prefix=...): keys are qualified names; prefix null when not a literal. */
  includes: { parent: string; child: string; prefix: string | null }[];
  mainGuard: boolean;
  settingsDefault: { module: string; line: number } | null;
  assignments: Map<string, { tokens: Token[]; line: number }>;
  /** Top-level classes with their bases, qualified ('flask.Flask'). */
  classes: { name: string; bases: string[]; line: number }[];
  /** `self.<attr> = <app constructor>(...)` inside a class: the app lives on its instances. */
  attrApps: { cls: string; attr: string; framework: Framework; line: number }[];
  /** Calls of django.core.{wsgi,asgi}.get_{wsgi,asgi}_application at module level. */
  djangoApp: { kind: 'wsgi' | 'asgi'; name: string; line: number }[];
  /** Method calls each top-level function (or the main guard, MAIN) makes: obj is the head name ('app'). */
  fnCalls: Map<string, { obj: string; method: string; line: number }[]>;
  /** The production server call each top-level function (or the main guard) makes: uvicorn.run, waitress.serve... */
  serveCalls: Map<string, { call: string; line: number }>;
  /** Calls with arguments made inside functions: qualified callee and line. */
  argCalls: { callee: string; line: number }[];
  /** Top-level functions called under `if __name__ == "__main__"`. */
  mainCalls: string[];
}

const ROUTE_METHODS = new Set(['get', 'route', 'api_route', 'add_url_rule', 'add_get', 'add_api_route']);
const ROUTE_FUNCS = new Set(['Route', 'path', 're_path', 'get', 'route']);
const ROUTER_CTORS = new Map([
  ['fastapi.APIRouter', 'prefix'],
  ['fastapi.routing.APIRouter', 'prefix'],
  ['flask.Blueprint', 'url_prefix'],
  ['litestar.Router', 'path'],
  ['starlette.routing.Router', ''],
  ['aiohttp.web.RouteTableDef', ''],
]);

/** Parameters of a def whose '(' is at `open`: how many, and how many have no default. */
function parameters(t: Token[], open: number): { total: number; required: number } {
  const close = matchingBracket(t, open);
  let total = 0;
  let required = 0;
  let depth = 0;
  let part: Token[] = [];
  const flush = () => {
    const head = part[0]?.value;
    if (
      part.length > 0 &&
      head !== 'self' &&
      head !== 'cls' &&
      head !== '/' &&
      head !== '*' &&
      head !== '**'
    ) {
      total++;
      if (!part.some((x) => x.type === 'op' && x.value === '=')) required++;
    }
    part = [];
  };
  for (let k = open + 1; k < close; k++) {
    const x = t[k] as Token;
    if (x.type === 'op' && '([{'.includes(x.value)) depth++;
    else if (x.type === 'op' && ')]}'.includes(x.value)) depth--;
    if (depth === 0 && x.type === 'op' && x.value === ',') flush();
    else part.push(x);
  }
  flush();
  return { total, required };
}

/** The key of fnCalls / serveCalls for code under `if __name__ == "__main__"`. */
export const MAIN = '__main__';

/** Calls that serve an app with a production server from inside the program. */
const SERVE_CALLS = new Set([
  'uvicorn.run',
  'uvicorn.main.run',
  'waitress.serve',
  'hypercorn.asyncio.serve',
  'hypercorn.trio.serve',
  'aiohttp.web.run_app',
  'bjoern.run',
  'cheroot.wsgi.Server',
]);

/** Qualified bases of `class Name(Base, metaclass=M):`. */
function classBases(f: PyFile, t: Token[]): string[] {
  if (t[2]?.value !== '(') return [];
  return callArgs(t, 2)
    .positional.map((p) =>
      p.length > 0 && dottedName(p, 0)?.end === p.length ? dottedName(p, 0)?.name : null,
    )
    .filter((n): n is string => !!n)
    .map((n) => qualified(f, n));
}

/** Lookup tables over data/frameworks.json: analysis asks about every call of every file. */
interface CtorIndex {
  data: ReturnType<typeof frameworksData>;
  ctors: Map<string, Framework>;
  /** method -> [framework, package] in the data's order. */
  methods: Map<string, [Framework, string][]>;
}
let index: CtorIndex | null = null;
function ctorIndex(): CtorIndex {
  const data = frameworksData();
  if (index?.data === data) return index;
  const ctors = new Map<string, Framework>();
  const methods = new Map<string, [Framework, string][]>();
  for (const [name, spec] of Object.entries(data.frameworks)) {
    for (const c of spec.constructors) if (!ctors.has(c)) ctors.set(c, name as Framework);
    for (const [method, pkg] of Object.entries(spec.methods ?? {})) {
      const list = methods.get(method) ?? [];
      list.push([name as Framework, pkg]);
      methods.set(method, list);
    }
  }
  index = { data, ctors, methods };
  return index;
}

/** A method that makes the app (Pyramid's config.make_wsgi_app()) in a module that imports its package. */
function methodFramework(q: string, imported: Set<string>): Framework | null {
  const dot = q.lastIndexOf('.');
  if (dot < 0) return null;
  for (const [name, pkg] of ctorIndex().methods.get(q.slice(dot + 1)) ?? []) {
    if (imported.has(pkg)) return name;
  }
  return null;
}

export function constructorFramework(q: string): Framework | null {
  return ctorIndex().ctors.get(q) ?? null;
}

/** Whether the call whose '(' is at `open` passes any argument (what callArgs would find non-empty). */
function hasArgs(t: Token[], open: number): boolean {
  const next = t[open + 1];
  if (!next || (next.type === 'op' && next.value === ')')) return false;
  if (!(next.type === 'op' && next.value === ',')) return true;
  const args = callArgs(t, open);
  return args.positional.length > 0 || args.keywords.size > 0;
}

export function analyze(f: PyFile, ctor: (q: string) => Framework | null = constructorFramework): FileFacts {
  const imported = new Set(
    [...f.bindings.values()].map((q) => q.replace(/^\.+/, '').split('.')[0] as string),
  );
  const constructorFramework = (q: string) => ctor(q) ?? methodFramework(q, imported);
  const facts: FileFacts = {
    apps: [],
    factories: [],
    factoryCalls: [],
    streamlit: null,
    gradioLaunch: null,
    listen: [],
    optionPort: null,
    runApp: null,
    uvicornRun: [],
    devRun: [],
    routes: [],
    routerPrefix: new Map(),
    includes: [],
    mainGuard: false,
    settingsDefault: null,
    assignments: new Map(),
    classes: [],
    attrApps: [],
    djangoApp: [],
    fnCalls: new Map(),
    serveCalls: new Map(),
    argCalls: [],
    mainCalls: [],
  };
  for (const [local, q] of f.bindings) {
    if ((q === 'streamlit' || q.startsWith('streamlit.')) && facts.streamlit === null) {
      const st = f.statements.find((s) =>
        s.tokens.some((t) => t.type === 'name' && (t.value === local || t.value === 'streamlit')),
      );
      facts.streamlit = st?.line ?? 1;
    }
  }
  // `streamlit run` executes the script's module-level code: a module that imports streamlit only
  // inside a function (a CLI that can start a GUI) is not a Streamlit script.
  if (facts.streamlit !== null && !importsAtModuleLevel(f, 'streamlit')) facts.streamlit = null;
  const sts = f.statements;
  let gradioCtor = false;
  // Enclosing def/class blocks, by indent: module-level code under if/try/with still counts.
  const blocks: { indent: number; fn: boolean; main: boolean; cls?: string; def?: string }[] = [];
  for (let si = 0; si < sts.length; si++) {
    const st = sts[si] as Statement;
    const t = st.tokens;
    const first = t[0] as Token;
    while (blocks.length > 0 && (blocks.at(-1) as { indent: number }).indent >= st.indent) blocks.pop();
    const topLevel = !blocks.some((b) => b.fn);
    const inMain = blocks.some((b) => b.main);
    const isMainGuard =
      first.value === 'if' &&
      t.some((x) => x.value === '__name__') &&
      t.some((x) => x.type === 'string' && x.value === '__main__');
    const cls = blocks.findLast((b) => b.cls)?.cls;
    const inDef = blocks.findLast((b) => b.def)?.def;
    if (first.value === 'class' && t[1]?.type === 'name') {
      blocks.push({ indent: st.indent, fn: true, main: false, cls: t[1].value });
      if (topLevel) facts.classes.push({ name: t[1].value, bases: classBases(f, t), line: st.line });
    } else if (first.value === 'def' || (first.value === 'async' && t[1]?.value === 'def')) {
      const name = (first.value === 'def' ? t[1] : t[2])?.value;
      blocks.push({ indent: st.indent, fn: true, main: false, ...(topLevel && name ? { def: name } : {}) });
    } else if (t.at(-1)?.value === ':' && first.type === 'name') {
      blocks.push({ indent: st.indent, fn: false, main: isMainGuard });
    }

    if (isMainGuard) facts.mainGuard = true;
    if (inMain && t[0]?.type === 'name' && t[1]?.value === '(') facts.mainCalls.push(t[0].value);
    // self.app = Flask(__name__) in a method: the app is reached through an instance of the class.
    if (
      cls &&
      t[0]?.value === 'self' &&
      t[1]?.value === '.' &&
      t[2]?.type === 'name' &&
      t[3]?.value === '='
    ) {
      const d = dottedName(t, 4);
      const fw = d && t[d.end]?.value === '(' ? constructorFramework(qualified(f, d.name)) : null;
      if (fw) facts.attrApps.push({ cls, attr: t[2].value, framework: fw, line: st.line });
    }
    // os.environ["DJANGO_SETTINGS_MODULE"] = "proj.settings"
    if (
      t[4]?.type === 'string' &&
      t[4].value === 'DJANGO_SETTINGS_MODULE' &&
      t[3]?.value === '[' &&
      t[6]?.value === '=' &&
      qualified(f, dottedName(t, 0)?.name ?? '') === 'os.environ'
    ) {
      const v = literalString(t.slice(7));
      if (v && !facts.settingsDefault) facts.settingsDefault = { module: v, line: st.line };
    }

    // def factory(...): body returning an app.
    if (st.indent === 0 && (first.value === 'def' || (first.value === 'async' && t[1]?.value === 'def'))) {
      const nameTok = first.value === 'def' ? t[1] : t[2];
      if (nameTok?.type === 'name') {
        const open = t.findIndex((x) => x.value === '(');
        const params = open >= 0 ? parameters(t, open) : { total: 0, required: 0 };
        const arrow = t.findIndex((x) => x.value === '->');
        let fw: Framework | null = null;
        if (arrow >= 0) {
          const d = dottedName(t, arrow + 1);
          if (d) fw = constructorFramework(qualified(f, d.name));
        }
        const body: Statement[] = [];
        for (let j = si + 1; j < sts.length && (sts[j] as Statement).indent > st.indent; j++)
          body.push(sts[j] as Statement);
        const bodyApps = new Map<string, Framework>();
        let returns = false;
        let configures: string | undefined;
        for (const b of body) {
          const bt = b.tokens;
          if (bt[0]?.type === 'name' && bt[1]?.value === '=') {
            const d = dottedName(bt, 2);
            if (d && bt[d.end]?.value === '(') {
              const k = constructorFramework(qualified(f, d.name));
              if (k) bodyApps.set((bt[0] as Token).value, k);
            }
          }
          if (bt[0]?.value === 'return') {
            const d = dottedName(bt, 1);
            const moduleApp =
              d && bt.length === d.end ? facts.apps.find((a) => a.name === d.name) : undefined;
            if (d && bodyApps.has(d.name)) {
              fw ??= bodyApps.get(d.name) ?? null;
              returns = true;
            } else if (moduleApp) {
              // def setup(config): app.register_blueprint(...); return app — configures the module's app.
              fw ??= moduleApp.framework;
              returns = true;
              configures = moduleApp.name;
            } else if (d && bt[d.end]?.value === '(') {
              const k = constructorFramework(qualified(f, d.name));
              if (k) {
                fw ??= k;
                returns = true;
              }
            }
          }
        }
        if (fw && (returns || arrow >= 0)) {
          facts.factories.push({
            framework: fw,
            file: f,
            line: st.line,
            name: nameTok.value,
            factory: true,
            factoryParams: params.total,
            factoryRequired: params.required,
            ...(configures ? { configures } : {}),
          });
        }
      }
    }

    // Module-level assignments: app = FastAPI(...), app: Flask = Flask(...), app = create_app()
    if (topLevel && first.type === 'name' && !facts.assignments.has(first.value)) {
      let k = 1;
      if (t[1]?.value === ':') {
        k = 2;
        while (k < t.length && t[k]?.value !== '=') k++;
      }
      if (t[k]?.value === '=' && t[k]?.type === 'op') {
        facts.assignments.set(first.value, { tokens: t.slice(k + 1), line: st.line });
        const d = dottedName(t, k + 1);
        if (d && t[d.end]?.value === '(') {
          const q = qualified(f, d.name);
          const fw = constructorFramework(q);
          // An app made only under `if __name__ == "__main__"` does not exist when a server imports the module;
          // aiohttp and Tornado modules that start themselves are run as scripts, so theirs count.
          if (fw) {
            if (!inMain || fw === 'aiohttp' || fw === 'tornado')
              facts.apps.push({ framework: fw, file: f, line: st.line, name: first.value, factory: false });
          } else if (ROUTER_CTORS.has(q)) {
            const kw = ROUTER_CTORS.get(q) as string;
            const prefix = kw ? literalString(callArgs(t, d.end).keywords.get(kw)) : null;
            facts.routerPrefix.set(first.value, prefix ?? '');
          } else if (!inMain)
            // Under `if __name__ == "__main__"` the call never runs when a server imports the module.
            facts.factoryCalls.push({ name: first.value, callee: q, line: st.line });
        }
      }
    }
    // with gr.Blocks() as demo:
    if (first.value === 'with') {
      const d = dottedName(t, 1);
      if (d && constructorFramework(qualified(f, d.name)) === 'gradio') gradioCtor = true;
    }

    // shared.ui["demo"].launch(...): a launch on a receiver that is not a dotted name.
    if (gradioCtor && !facts.gradioLaunch) {
      const k = t.findIndex(
        (x, i) =>
          x.value === 'launch' &&
          t[i - 1]?.value === '.' &&
          t[i + 1]?.value === '(' &&
          t[i - 2]?.value === ']',
      );
      if (k > 0) {
        const args = callArgs(t, k + 1);
        facts.gradioLaunch = {
          line: st.line,
          port: literalInt(args.keywords.get('server_port')),
          host: literalString(args.keywords.get('server_name')),
        };
      }
    }
    // Calls anywhere in the statement.
    for (let k = 0; k < t.length; k++) {
      if (t[k]?.type !== 'name' || (k > 0 && t[k - 1]?.value === '.')) continue;
      const d = dottedName(t, k);
      if (!d || t[d.end]?.value !== '(') continue;
      const q = qualified(f, d.name);
      // Most calls need no argument list: split it only when a rule below reads it.
      let parsed: ReturnType<typeof callArgs> | undefined;
      const open = d.end;
      const args = () => (parsed ??= callArgs(t, open));
      const last = d.name.split('.').pop() as string;
      const obj = d.name.includes('.') ? d.name.slice(0, d.name.lastIndexOf('.')) : '';
      if (constructorFramework(q) === 'gradio') gradioCtor = true;
      const where = inDef ?? (inMain ? MAIN : null);
      if (where && hasArgs(t, open)) facts.argCalls.push({ callee: q, line: st.line });
      if (where && obj) {
        const calls = facts.fnCalls.get(where) ?? [];
        calls.push({ obj: obj.split('.')[0] as string, method: last, line: st.line });
        facts.fnCalls.set(where, calls);
      }
      if (where && SERVE_CALLS.has(q) && !facts.serveCalls.has(where))
        facts.serveCalls.set(where, { call: q, line: st.line });
      const dj = /^django\.core\.(?:wsgi|asgi|handlers\.\w+)\.get_(wsgi|asgi)_application$/.exec(q);
      if (dj && topLevel && first.type === 'name' && t[1]?.value === '=')
        facts.djangoApp.push({ kind: dj[1] as 'wsgi' | 'asgi', name: first.value, line: st.line });
      if (q === 'uvicorn.run' || q === 'uvicorn.main.run') {
        const a0 = args().positional[0];
        facts.uvicornRun.push({
          line: st.line,
          target: literalString(a0),
          varName: a0?.length === 1 && a0[0]?.type === 'name' ? a0[0].value : null,
          port: literalInt(args().keywords.get('port')),
        });
      } else if (
        q === 'aiohttp.web.run_app' ||
        q === 'aiohttp.web_runner.run_app' ||
        q === 'aiohttp.web.run_app'
      ) {
        facts.runApp = { line: st.line, port: literalInt(args().keywords.get('port')) };
      } else if (last === 'launch' && gradioCtor) {
        facts.gradioLaunch = {
          line: st.line,
          port: literalInt(args().keywords.get('server_port')),
          host: literalString(args().keywords.get('server_name')),
        };
      } else if (last === 'listen' && obj) {
        facts.listen.push({
          line: st.line,
          port: literalInt(args().positional[0] ?? args().keywords.get('port')),
          host: literalString(args().positional[1] ?? args().keywords.get('address')),
        });
      } else if (
        (q === 'tornado.options.define' || q === 'define') &&
        literalString(args().positional[0]) === 'port'
      ) {
        const p = literalInt(args().keywords.get('default') ?? args().positional[1]);
        if (p) facts.optionPort = { line: st.line, port: p };
      } else if (last === 'run' && obj && !obj.includes('.')) {
        facts.devRun.push({ varName: obj, line: st.line, port: literalInt(args().keywords.get('port')) });
      } else if (
        (last === 'include_router' || last === 'register_blueprint') &&
        args().positional[0]?.length
      ) {
        const target =
          args()
            .positional[0]?.map((x) => x.value)
            .join('') ?? '';
        const kw = args().keywords.get(last === 'include_router' ? 'prefix' : 'url_prefix');
        facts.includes.push({
          parent: qualified(f, obj),
          child: qualified(f, target),
          prefix: kw ? literalString(kw) : '',
        });
      } else if (q === 'os.environ.setdefault' || q === 'os.environ.__setitem__') {
        if (literalString(args().positional[0]) === 'DJANGO_SETTINGS_MODULE') {
          const v = literalString(args().positional[1]);
          if (v) facts.settingsDefault = { module: v, line: st.line };
        }
      }
      // Routes: decorators and route tables.
      const decorator = k > 0 && t[k - 1]?.value === '@';
      let routeObj: string | null = null;
      if (
        (decorator || last === 'add_url_rule' || last === 'add_get' || last === 'add_api_route') &&
        obj &&
        ROUTE_METHODS.has(last)
      ) {
        routeObj = obj;
      } else if (
        (!obj &&
          ROUTE_FUNCS.has(last) &&
          (decorator || last === 'Route' || last === 'path' || last === 're_path')) ||
        (obj && ROUTE_FUNCS.has(last) && /(^|\.)web$/.test(obj)) ||
        q === 'django.urls.path' ||
        q === 'django.urls.re_path' ||
        q === 'starlette.routing.Route'
      ) {
        routeObj = '';
      }
      if (routeObj !== null) {
        const path0 = literalString(args().positional[0]);
        if (path0 !== null) facts.routes.push({ obj: routeObj, path: path0, line: st.line });
      }
    }
  }
  return facts;
}

/** Whether `pkg` (or a submodule) is imported outside any def/class body. */
function importsAtModuleLevel(f: PyFile, pkg: string): boolean {
  const defs: number[] = [];
  for (const st of f.statements) {
    while (defs.length > 0 && (defs.at(-1) as number) >= st.indent) defs.pop();
    const t = st.tokens;
    const head = t[0]?.value === 'async' ? t[1]?.value : t[0]?.value;
    if (head === 'def' || head === 'class') {
      defs.push(st.indent);
      continue;
    }
    if (defs.length > 0 || (head !== 'import' && head !== 'from')) continue;
    const mod = t[1]?.value === '.' ? null : t[1]?.value;
    if (head === 'from' ? mod === pkg : t.some((x, i) => i > 0 && x.value === pkg && t[i - 1]?.value !== '.'))
      return true;
  }
  return false;
}

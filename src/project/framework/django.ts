/** Django projects: manage.py, the settings module (split settings followed), WSGI/ASGI modules, STATIC_ROOT. */
import path from 'node:path';
import type { DjangoInfo, Source } from '../../plan.js';
import { callArgs, dottedName, importBindings, literalString, scanPython, type Token } from '../pyscan.js';
import { analyze, type FileFacts } from './facts.js';
import { readIfExists } from './files.js';
import type { PyFile } from './scan.js';

export interface DjangoFacts {
  info: DjangoInfo;
  /** Directory of manage.py relative to appDir ('.' usually). */
  dir: string;
  wsgiModule: string | null;
  asgiModule: string | null;
  urls: PyFile | null;
  settingsSource: Source;
  /** Why the settings module is not manage.py's default, when it is not. */
  note: string | null;
  wsgiSource?: Source;
  /** The file (relative to the app directory) the project was recognized by: manage.py or a launcher. */
  anchor: { rel: string; line?: number };
  /** STATIC_ROOT of a project without manage.py: the build has nothing to run collectstatic with. */
  uncollected?: { value: string | null; source: Source };
  staticSource?: Source;
}

/**
 * STATIC_ROOT as a path: relative to the Django project directory (where manage.py is, which
 * BASE_DIR conventionally names) or absolute. `os.environ.get("X", "/srv/static")` gives its
 * default, which is what a build-time collectstatic sees. Anything else: the Python expression.
 */
export function staticRootValue(tokens: Token[] | undefined): string | null {
  if (!tokens || tokens.length === 0) return null;
  if (tokens.length === 1 && tokens[0]?.value === 'None') return null;
  const lit = literalString(tokens);
  if (lit !== null) return lit.replace(/\/+$/, '') || '/';
  const strings = tokens.filter((t) => t.type === 'string').map((t) => t.value);
  const names = tokens.filter((t) => t.type === 'name').map((t) => t.value);
  const fromEnv = names.includes('environ') || names.includes('getenv');
  if (fromEnv) {
    const open = tokens.findIndex((t) => t.value === '(');
    const args = open >= 0 ? callArgs(tokens, open) : null;
    const dflt = literalString(args?.positional[1] ?? args?.keywords.get('default'));
    if (dflt) return dflt.replace(/\/+$/, '') || '/';
  } else if (names.some((n) => /BASE_DIR|PROJECT_ROOT|ROOT_DIR|PROJECT_DIR/.test(n)) && strings.length > 0) {
    // BASE_DIR / "staticfiles", os.path.join(BASE_DIR, "static", "root"), BASE_DIR.joinpath("x")
    return strings
      .map((x) => x.replace(/^\/+|\/+$/g, ''))
      .filter(Boolean)
      .join('/');
  }
  let out = '';
  for (const t of tokens) {
    const v = t.type === 'string' ? JSON.stringify(t.value) : t.value;
    out +=
      t.type === 'op' && v !== '='
        ? v === ','
          ? ', '
          : v
        : /[\w"]$/.test(out) && /^[\w"]/.test(v)
          ? ` ${v}`
          : v;
  }
  return out;
}

export async function detectDjango(
  base: string,
  files: PyFile[],
  facts: Map<PyFile, FileFacts>,
  src: (rel: string, line?: number) => Source,
): Promise<DjangoFacts | null> {
  const a = await djangoAnchor(base, files, facts);
  if (!a) return null;
  const { managePy } = a;
  let { dir, settingsModule } = a;
  const manageDir = managePy?.includes('/') ? managePy.slice(0, managePy.lastIndexOf('/')) : '.';
  let settingsSource: Source = src(a.source.rel, a.source.line);
  const modFile = (mod: string): PyFile | undefined => moduleFile(files, dir, mod);
  if (!settingsModule) {
    const s = files.find(
      (f) => /(^|\/)settings\.py$/.test(f.rel) && facts.get(f)?.assignments.has('INSTALLED_APPS'),
    );
    if (!s) return null;
    const rel = dir === '.' ? s.rel : s.rel.slice(dir.length + 1);
    settingsModule = rel.replace(/\.py$/, '').split('/').join('.');
    settingsSource = src(s.rel);
  } else if (!modFile(settingsModule)) {
    // Django under src/ or a nested project directory: the settings resolve from another import root.
    const root = importRoots(files, dir).find((r) => moduleFile(files, r, settingsModule as string));
    if (root) dir = root;
  }
  // A module that calls get_wsgi_application() / get_asgi_application(), importable from `dir`.
  const handlerModule = (kind: 'wsgi' | 'asgi'): string | undefined => {
    for (const f of files) {
      const h = facts.get(f)?.djangoApp.find((x) => x.kind === kind);
      if (!h || !(dir === '.' || f.rel.startsWith(`${dir}/`))) continue;
      const rel = (dir === '.' ? f.rel : f.rel.slice(dir.length + 1)).replace(/(\/__init__)?\.py$/, '');
      return `${rel.split('/').join('.')}${h.name === 'application' ? '' : `:${h.name}`}`;
    }
    return undefined;
  };
  const resolve = (settings: string) => {
    // Settings may be split (settings/production.py doing `from .base import *`): follow star imports.
    const settingsFiles: PyFile[] = [];
    const queue = [settings];
    const seen = new Set<string>();
    while (queue.length > 0 && settingsFiles.length < 8) {
      const m = queue.shift() as string;
      if (seen.has(m)) continue;
      seen.add(m);
      const f = modFile(m);
      if (!f) continue;
      settingsFiles.push(f);
      for (const st of f.statements) {
        const t = st.tokens;
        if (t[0]?.value === 'from' && t.at(-1)?.value === '*') {
          let k = 1;
          let rel = '';
          while (t[k]?.value === '.' || t[k]?.value === '...') rel += (t[k++] as Token).value;
          const d = t[k]?.value === 'import' ? null : dottedName(t, k);
          const pkg = m.split('.');
          if (!f.isPackageInit) pkg.pop();
          for (let i = 1; i < rel.length; i++) pkg.pop();
          queue.push(rel ? [...pkg, ...(d ? [d.name] : [])].join('.') : (d?.name ?? ''));
        }
      }
    }
    const lookup = (name: string): { tokens: Token[]; line: number; file: PyFile } | null => {
      // The module itself wins over what it star-imports.
      for (const f of settingsFiles) {
        const a = facts.get(f)?.assignments.get(name);
        if (a) return { ...a, file: f };
      }
      return null;
    };
    const wsgi = lookup('WSGI_APPLICATION');
    const asgi = lookup('ASGI_APPLICATION');
    const staticRoot = lookup('STATIC_ROOT');
    const urlconf = lookup('ROOT_URLCONF');
    const wsgiApp = literalString(wsgi?.tokens);
    const asgiApp = literalString(asgi?.tokens);
    const top = settings.split('.')[0] as string;
    const wsgiModule = wsgiApp
      ? wsgiApp.slice(0, wsgiApp.lastIndexOf('.'))
      : modFile(`${top}.wsgi`)
        ? `${top}.wsgi`
        : (handlerModule('wsgi') ?? null);
    const asgiModule = asgiApp
      ? asgiApp.slice(0, asgiApp.lastIndexOf('.'))
      : modFile(`${top}.asgi`)
        ? `${top}.asgi`
        : (handlerModule('asgi') ?? null);
    return { wsgi, asgi, staticRoot, urlconf, wsgiApp, asgiApp, wsgiModule, asgiModule };
  };
  let r = resolve(settingsModule);
  // The server imports the WSGI module; when its default settings differ from manage.py's
  // (cookiecutter-django: local vs production), the image runs with the server's.
  let note: string | null = null;
  const serverModuleDefault = r.wsgiModule ? modFile(r.wsgiModule) : undefined;
  const sd = serverModuleDefault ? facts.get(serverModuleDefault)?.settingsDefault : null;
  if (sd && serverModuleDefault && sd.module !== settingsModule && modFile(sd.module)) {
    note = `${managePy ?? 'the launcher'} defaults to ${settingsModule}, the WSGI module to ${sd.module}: the image uses the server's`;
    settingsModule = sd.module;
    settingsSource = src(serverModuleDefault.rel, sd.line);
    r = resolve(settingsModule);
  }
  const { wsgi, staticRoot, urlconf, wsgiApp, asgiApp, wsgiModule, asgiModule } = r;
  const info: DjangoInfo = {
    settingsModule,
    ...(wsgiApp ? { wsgiApplication: wsgiApp } : {}),
    ...(asgiApp ? { asgiApplication: asgiApp } : {}),
    staticRoot: ((v) =>
      v && manageDir !== '.' && !v.startsWith('/') && /^[\w./-]+$/.test(v) ? `${manageDir}/${v}` : v)(
      managePy ? staticRootValue(staticRoot?.tokens) : null,
    ),
    managePy: managePy ?? '',
  };
  const rootUrlconf = literalString(urlconf?.tokens);
  return {
    info,
    dir,
    wsgiModule,
    asgiModule,
    urls: rootUrlconf ? (modFile(rootUrlconf) ?? null) : null,
    settingsSource,
    note,
    anchor: a.source,
    ...(!managePy && staticRoot
      ? {
          uncollected: {
            value: staticRootValue(staticRoot.tokens),
            source: src(staticRoot.file.rel, staticRoot.line),
          },
        }
      : {}),
    ...(wsgi ? { wsgiSource: src(wsgi.file.rel, wsgi.line) } : {}),
    ...(staticRoot ? { staticSource: src(staticRoot.file.rel, staticRoot.line) } : {}),
  };
}

interface Anchor {
  managePy: string | null;
  /** Import root of the project's modules, relative to the app directory. */
  dir: string;
  settingsModule: string | null;
  /** Where the settings module (or the project) was found. */
  source: { rel: string; line?: number };
}

/**
 * Where a Django project starts: manage.py (the app directory, then up to two levels down, the
 * shallowest first); without one, a module that sets DJANGO_SETTINGS_MODULE (os.environ.setdefault
 * or an assignment, in wsgi.py/asgi.py or a command-line wrapper) to settings that exist, or a
 * module that calls get_wsgi_application()/get_asgi_application().
 */
async function djangoAnchor(
  base: string,
  files: PyFile[],
  facts: Map<PyFile, FileFacts>,
): Promise<Anchor | null> {
  const manages = (await readIfExists(path.join(base, 'manage.py'))) !== null ? ['manage.py'] : [];
  manages.push(
    ...files
      .map((f) => f.rel)
      .filter((r) => /^([^/]+\/){1,2}manage\.py$/.test(r))
      .sort((x, y) => x.split('/').length - y.split('/').length || x.localeCompare(y)),
  );
  for (const managePy of manages) {
    const dir = managePy.includes('/') ? managePy.slice(0, managePy.lastIndexOf('/')) : '.';
    const text = (await readIfExists(path.join(base, managePy))) ?? '';
    const statements = scanPython(text);
    const mf = analyze({
      rel: managePy,
      statements,
      bindings: importBindings(statements),
      module: 'manage',
      importRoot: dir,
      isPackageInit: false,
      text,
    });
    if (!/django/.test(text) && !mf.settingsDefault) continue;
    return {
      managePy,
      dir,
      settingsModule: mf.settingsDefault?.module ?? settingsFromServerModule(files, facts),
      source: { rel: managePy, ...(mf.settingsDefault ? { line: mf.settingsDefault.line } : {}) },
    };
  }
  // No manage.py: the settings a module names, when some import root holds them.
  const rank = (f: PyFile) =>
    /(^|\/)(wsgi|asgi)\.py$/.test(f.rel) ? 0 : facts.get(f)?.djangoApp.length ? 1 : 2;
  const setters = files.filter((f) => facts.get(f)?.settingsDefault).sort((x, y) => rank(x) - rank(y));
  for (const f of setters) {
    const sd = facts.get(f)?.settingsDefault as { module: string; line: number };
    const root = [f.importRoot, ...importRoots(files, f.importRoot)].find((r) =>
      moduleFile(files, r, sd.module),
    );
    if (root)
      return { managePy: null, dir: root, settingsModule: sd.module, source: { rel: f.rel, line: sd.line } };
  }
  const handler = files.find((f) => facts.get(f)?.djangoApp.length);
  if (handler) {
    const line = facts.get(handler)?.djangoApp[0]?.line;
    return {
      managePy: null,
      dir: handler.importRoot,
      settingsModule: null,
      source: { rel: handler.rel, ...(line ? { line } : {}) },
    };
  }
  return null;
}

/** The settings module wsgi.py/asgi.py defaults to (manage.py without a default of its own). */
function settingsFromServerModule(files: PyFile[], facts: Map<PyFile, FileFacts>): string | null {
  for (const f of files) {
    const sd = facts.get(f)?.settingsDefault;
    if (sd && /(^|\/)(wsgi|asgi)\.py$/.test(f.rel)) return sd.module;
  }
  return null;
}

/** The file of a module imported from `root` (a directory relative to the app directory). */
function moduleFile(files: PyFile[], root: string, mod: string): PyFile | undefined {
  const p = mod.split('.').join('/');
  const inRoot = (rel: string) => (root === '.' ? rel : `${root}/${rel}`);
  return files.find((f) => f.rel === inRoot(`${p}.py`) || f.rel === inRoot(`${p}/__init__.py`));
}

/** Other places modules are imported from: the files' import roots and src/. */
function importRoots(files: PyFile[], except: string): string[] {
  const roots = new Set(files.map((f) => f.importRoot));
  roots.add('src');
  roots.add('.');
  roots.delete(except);
  return [...roots];
}

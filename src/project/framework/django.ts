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
  // manage.py at the app dir, else one level down (repo/app/manage.py).
  let managePy: string | null = null;
  if (await readIfExists(path.join(base, 'manage.py'))) managePy = 'manage.py';
  else {
    const deeper = files.filter((f) => /^[^/]+\/manage\.py$/.test(f.rel)).map((f) => f.rel);
    managePy = deeper[0] ?? null;
  }
  if (!managePy) return null;
  const dir = managePy.includes('/') ? managePy.slice(0, managePy.lastIndexOf('/')) : '.';
  const inDir = (rel: string) => (dir === '.' ? rel : `${dir}/${rel}`);
  const manageText = (await readIfExists(path.join(base, managePy))) ?? '';
  const manageFacts = analyze({
    rel: managePy,
    statements: scanPython(manageText),
    bindings: importBindings(scanPython(manageText)),
    module: 'manage',
    importRoot: dir,
    isPackageInit: false,
    text: manageText,
  });
  if (!/django/.test(manageText) && !manageFacts.settingsDefault) return null;
  // Module names relative to manage.py's directory.
  const modFile = (mod: string): PyFile | undefined => {
    const p = mod.split('.').join('/');
    return files.find((f) => f.rel === inDir(`${p}.py`) || f.rel === inDir(`${p}/__init__.py`));
  };
  let settingsModule = manageFacts.settingsDefault?.module ?? null;
  let settingsSource: Source = src(managePy, manageFacts.settingsDefault?.line);
  if (!settingsModule) {
    for (const f of files) {
      const sd = facts.get(f)?.settingsDefault;
      if (sd && /(^|\/)(wsgi|asgi)\.py$/.test(f.rel)) {
        settingsModule = sd.module;
        settingsSource = src(f.rel, sd.line);
        break;
      }
    }
  }
  if (!settingsModule) {
    const s = files.find(
      (f) => /(^|\/)settings\.py$/.test(f.rel) && facts.get(f)?.assignments.has('INSTALLED_APPS'),
    );
    if (!s) return null;
    const rel = dir === '.' ? s.rel : s.rel.slice(dir.length + 1);
    settingsModule = rel.replace(/\.py$/, '').split('/').join('.');
    settingsSource = src(s.rel);
  }
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
        : null;
    const asgiModule = asgiApp
      ? asgiApp.slice(0, asgiApp.lastIndexOf('.'))
      : modFile(`${top}.asgi`)
        ? `${top}.asgi`
        : null;
    return { wsgi, asgi, staticRoot, urlconf, wsgiApp, asgiApp, wsgiModule, asgiModule };
  };
  let r = resolve(settingsModule);
  // The server imports the WSGI module; when its default settings differ from manage.py's
  // (cookiecutter-django: local vs production), the image runs with the server's.
  let note: string | null = null;
  const serverModuleDefault = r.wsgiModule ? modFile(r.wsgiModule) : undefined;
  const sd = serverModuleDefault ? facts.get(serverModuleDefault)?.settingsDefault : null;
  if (sd && serverModuleDefault && sd.module !== settingsModule && modFile(sd.module)) {
    note = `manage.py defaults to ${settingsModule}, the WSGI module to ${sd.module}: the image uses the server's`;
    settingsModule = sd.module;
    settingsSource = src(serverModuleDefault.rel, sd.line);
    r = resolve(settingsModule);
  }
  const { wsgi, staticRoot, urlconf, wsgiApp, asgiApp, wsgiModule, asgiModule } = r;
  const info: DjangoInfo = {
    settingsModule,
    ...(wsgiApp ? { wsgiApplication: wsgiApp } : {}),
    ...(asgiApp ? { asgiApplication: asgiApp } : {}),
    staticRoot: ((v) => (v && dir !== '.' && !v.startsWith('/') && /^[\w./-]+$/.test(v) ? `${dir}/${v}` : v))(
      staticRootValue(staticRoot?.tokens),
    ),
    managePy,
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
    ...(wsgi ? { wsgiSource: src(wsgi.file.rel, wsgi.line) } : {}),
    ...(staticRoot ? { staticSource: src(staticRoot.file.rel, staticRoot.line) } : {}),
  };
}

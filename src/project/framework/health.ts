/**
 * The health-check path: a route the code declares at one of data/frameworks.json's healthPaths, with
 * the prefixes of the routers and blueprints it is mounted through.
 */
import type { Source } from '../../plan.js';
import type { FileFacts } from './facts.js';
import type { PyFile } from './scan.js';

export type HealthFor = (
  appFile: PyFile | null,
  appVar: string | null,
  files: PyFile[],
) => { path: string; source: Source } | null;

export function healthFinder(
  files: PyFile[],
  facts: Map<PyFile, FileFacts>,
  healthPaths: string[],
  src: (rel: string, line?: number) => Source,
): HealthFor {
  // Routes, to find a health endpoint.
  // Route prefixes: a router's own prefix plus what each include_router/register_blueprint adds,
  // up to an object nobody includes (the app). A prefix that is not a literal makes the path unknown.
  const routerPrefix = new Map<string, string>();
  const includes: FileFacts['includes'] = [];
  for (const f of files) {
    const ff = facts.get(f) as FileFacts;
    for (const [k, v] of ff.routerPrefix) routerPrefix.set(`${f.module}.${k}`, v);
    includes.push(...ff.includes);
  }
  const mountPrefix = (key: string, depthLeft = 8): string | null => {
    const own = routerPrefix.get(key) ?? '';
    const inc = includes.find((i) => i.child === key);
    if (!inc || depthLeft === 0) return own;
    if (inc.prefix === null) return null;
    const up = mountPrefix(inc.parent, depthLeft - 1);
    return up === null ? null : up + inc.prefix + own;
  };
  return (appFile, appVar, files2) => {
    const found: { path: string; source: Source }[] = [];
    for (const f of files2) {
      const ff = facts.get(f) as FileFacts;
      for (const r of ff.routes) {
        let prefix: string | null = '';
        if (r.obj) {
          const key = `${f.module}.${r.obj}`;
          if (f === appFile && r.obj === appVar) prefix = '';
          else if (routerPrefix.has(key) || includes.some((i) => i.child === key)) prefix = mountPrefix(key);
          else if (appVar && r.obj === appVar) prefix = '';
          else continue;
        }
        if (prefix === null) continue;
        let p = prefix + (r.path.startsWith('/') || r.path === '' ? r.path : `/${r.path}`);
        if (!p.startsWith('/')) p = `/${p}`;
        found.push({ path: p.replace(/\/{2,}/g, '/'), source: src(f.rel, r.line) });
      }
    }
    for (const want of healthPaths) {
      const hit = found.find((x) => x.path === want || x.path === `${want}/`);
      if (hit) return hit;
    }
    // Under a prefix (/api/health) when nothing answers at the top.
    for (const want of healthPaths) {
      const hit = found.find(
        (x) => !/[{<]/.test(x.path) && (x.path.endsWith(want) || x.path.endsWith(`${want}/`)),
      );
      if (hit) return hit;
    }
    return null;
  };
}

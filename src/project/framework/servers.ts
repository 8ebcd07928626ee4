/** Which servers the project installs, and their commands filled in. */
import type { Dependency } from '../../plan.js';
import type { FrameworksData, FwSpec } from '../framework-data.js';

export function depNames(deps: Dependency[], groups: string[] = []): Set<string> {
  const s = new Set<string>();
  const installed = new Set(['main', 'default', ...groups]);
  for (const d of deps) {
    if (d.group && !installed.has(d.group)) continue;
    const n = d.name.toLowerCase().replace(/[-_.]+/g, '-');
    s.add(n);
    for (const x of d.extras ?? []) s.add(`${n}[${x.toLowerCase()}]`);
    const m = /^\s*\[([^\]]*)\]/.exec(d.specifier ?? '');
    if (m?.[1]) for (const x of m[1].split(',')) s.add(`${n}[${x.trim().toLowerCase()}]`);
  }
  // Extras that bring a server along.
  if (s.has('fastapi[standard]') || s.has('fastapi[all]')) s.add('uvicorn');
  if (s.has('litestar[standard]')) s.add('uvicorn');
  return s;
}

export function fill(template: string[], vars: Record<string, string>): string[] {
  return template.map((a) => a.replace(/\{(\w+)\}/g, (_, k: string) => vars[k] ?? `{${k}}`));
}

export interface Servers {
  /** The server for a framework: the first of its serverWhen whose packages are dependencies, else its default. */
  pick: (spec: FwSpec) => string;
  /** The server's argv with the variables filled in, the import root flag and the factory flag. */
  command: (server: string, vars: Record<string, string>, importRoot: string, factory?: boolean) => string[];
}

export function servers(data: FrameworksData, have: Set<string>): Servers {
  const pick = (spec: FwSpec): string => {
    for (const [pkg, server] of Object.entries(spec.serverWhen ?? {})) {
      const s = data.servers[server];
      if (have.has(pkg) && (s?.requires ?? []).every((r) => have.has(r))) return server;
    }
    return spec.server;
  };
  const appDirFlags = (server: string, importRoot: string): string[] =>
    importRoot === '.' ? [] : fill(data.servers[server]?.appDir ?? [], { dir: importRoot });
  const command = (server: string, vars: Record<string, string>, importRoot: string, factory = false) => {
    const s = data.servers[server];
    if (!s) return [];
    const cmd = fill(s.command, vars);
    const flags = appDirFlags(server, importRoot);
    if (factory && s.factory) cmd.splice(1, 0, ...s.factory);
    cmd.splice(1, 0, ...flags);
    return cmd;
  };
  return { pick, command };
}

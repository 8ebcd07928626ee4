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

export interface ServerNeeds {
  /** The target is an attribute path (module:obj.app). */
  attribute?: boolean;
  /** The target is an app factory to call. */
  factory?: boolean;
  /** Use the framework's ASGI servers (Django with channels). */
  asgi?: boolean;
}

export interface Servers {
  /**
   * The server for a framework: the first of its serverWhen whose packages are dependencies, else its
   * default when installed, else the first of its other servers that is installed (and can import
   * the target), else the default (the caller warns that it is missing).
   */
  pick: (spec: FwSpec, needs?: ServerNeeds) => string;
  /** Why pick() chose a server other than the framework's usual one, when it did. */
  why: (server: string) => string | undefined;
  installed: (server: string) => boolean;
  /** The server's argv with the variables filled in, the import root flag and the factory flag. */
  command: (server: string, vars: Record<string, string>, importRoot: string, factory?: boolean) => string[];
}

export function servers(data: FrameworksData, have: Set<string>): Servers {
  const reasons = new Map<string, string>();
  const installed = (server: string): boolean => {
    const s = data.servers[server];
    if (!s) return false;
    return [s.package, ...(s.requires ?? [])].every((p) => !p || have.has(p));
  };
  const can = (server: string, needs: ServerNeeds): boolean => {
    const s = data.servers[server];
    if (!s) return false;
    if (needs.attribute && !s.attributes) return false;
    if (needs.factory && !s.factory && !s.factoryCall) return false;
    return true;
  };
  const pick = (spec: FwSpec, needs: ServerNeeds = {}): string => {
    const usual = needs.asgi ? (spec.asgiServer ?? 'uvicorn') : spec.server;
    let preferred = usual;
    const when = needs.asgi ? spec.asgiServerWhen : spec.serverWhen;
    for (const [pkg, server] of Object.entries(when ?? {})) {
      if (have.has(pkg) && installed(server) && (!needs.asgi || !installed(usual))) {
        preferred = server;
        break;
      }
    }
    // Nothing is known about the dependencies: the usual server (the caller cannot check either).
    if (have.size === 0) return preferred;
    if (installed(preferred) && can(preferred, needs)) return preferred;
    const others = needs.asgi ? (spec.asgiServers ?? []) : (spec.servers ?? []);
    const alt = others.find((o) => installed(o) && can(o, needs));
    if (!alt) return preferred;
    const pkg = data.servers[preferred]?.package ?? preferred;
    reasons.set(
      alt,
      installed(preferred)
        ? `${pkg} imports only a name or a call (module:app), not ${needs.attribute ? 'an attribute path' : 'this target'}; ${data.servers[alt]?.package} is a dependency and does`
        : `${pkg} is not a dependency; ${data.servers[alt]?.package} is, so it serves the app`,
    );
    return alt;
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
  return { pick, why: (server) => reasons.get(server), installed, command };
}

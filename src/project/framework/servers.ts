/** Which servers the project installs, and their commands filled in. */
import type { Dependency } from '../../plan.js';
// Command building

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

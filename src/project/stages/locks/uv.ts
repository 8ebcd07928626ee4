import { requirementDep } from '../../locks/poetry.js';
import type { LockedDep, Staleness } from '../../locks/types.js';
import { parseUvLock, type UvLock, uvLockStaleness } from '../../locks/uv.js';
import { normalizeName } from '../../pep508.js';
import { projectName } from '../../pyproject.js';
import type { AppStage } from '../app.js';
import { type LockRoots, type LockStage, noRoots, type RootsInput } from './types.js';

/** Every workspace member is locked together: a change in any of them makes the lock stale. */
function workspaceStaleness(lock: UvLock, app: AppStage, staleness: Staleness | null): Staleness | null {
  const { ws, appPy } = app;
  if (!ws) return staleness;
  const others = [
    ...ws.members.filter((m) => m.pyproject !== appPy),
    { pyproject: ws.pyproject, name: projectName(ws.pyproject) },
  ];
  let out = staleness;
  for (const m of others) {
    if (!m.name || !m.pyproject.project || m.pyproject === appPy) continue;
    const st = uvLockStaleness(lock, m.pyproject, m.name, false);
    if (!out) out = { stale: false, method: 'requires-dist', changes: [] };
    out.changes.push(...st.changes.map((c) => `${m.pyproject.file}: ${c}`));
    out.stale = out.changes.length > 0;
  }
  return out;
}

function uvRoots(lock: UvLock, { app, extras, projectName: project }: RootsInput): LockRoots {
  const { appPy, ws } = app;
  const out = noRoots();
  const name = ws?.app?.name ?? project ?? undefined;
  const self = lock.packages.find((p) =>
    name ? p.name === normalizeName(name) : ['editable', 'virtual'].includes(p.sourceKind),
  );
  if (self) {
    const main: LockedDep[] = [...self.dependencies];
    for (const ex of extras) main.push(...(self.optionalDependencies[normalizeName(ex)] ?? []));
    // A requested dependency group is installed like the main dependencies (`uv sync --group`).
    for (const [g, list] of Object.entries(self.devDependencies ?? {})) {
      if (extras.some((ex) => normalizeName(ex) === normalizeName(g))) main.push(...list);
      else out.devRoots.push(...list);
    }
    out.mainRoots = main;
  } else if (appPy) {
    out.mainRoots = (appPy.project?.dependencies ?? []).map(requirementDep);
  }
  const own = appPy ? uvLockStaleness(lock, appPy, name, !ws) : null;
  out.staleness = workspaceStaleness(lock, app, own);
  return out;
}

export const uvLockStage: LockStage<UvLock> = { parse: parseUvLock, roots: uvRoots };

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { InputError } from '../../plan.js';
import { launcherOf } from '../appdir.js';
import { requirementDep } from '../locks/poetry.js';
import { normalizeName } from '../pep508.js';
import { type PyProject, projectName, projectScripts } from '../pyproject.js';
import { join, readPy } from './files.js';

export interface WorkspaceMember {
  dir: string;
  pyproject: PyProject;
  name: string | undefined;
}

export interface Workspace {
  root: string;
  pyproject: PyProject;
  members: WorkspaceMember[];
  /** The member that is the app, or null for the workspace root. */
  app: WorkspaceMember | null;
  reason: string;
}

const globToRe = (p: string) =>
  new RegExp(
    `^${p
      .split('/')
      .map((s) =>
        s === '**'
          ? '.*'
          : s
              .replace(/[.+^${}()|[\]\\]/g, '\\$&')
              .replace(/\*/g, '[^/]*')
              .replace(/\?/g, '[^/]'),
      )
      .join('/')}$`,
  );

/** Expand `[tool.uv.workspace] members` globs (one `*` level or `**`) under the workspace root. */
async function workspaceMembers(root: string, wsDir: string, ws: PyProject): Promise<WorkspaceMember[]> {
  const patterns = (ws.uv?.workspace?.members ?? []).map((m) => m.replace(/\/+$/, ''));
  const excludes = ws.uv?.workspace?.exclude ?? [];
  const out: WorkspaceMember[] = [];
  const walk = async (rel: string, depth: number) => {
    if (depth > 4) return;
    let entries: import('node:fs').Dirent[] = [];
    try {
      entries = await fsp.readdir(path.join(root, wsDir, rel), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (!e.isDirectory() || e.name.startsWith('.') || e.name === 'node_modules') continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (patterns.some((p) => globToRe(p).test(r)) && !excludes.some((p) => globToRe(p).test(r))) {
        const dir = join(wsDir, r);
        const pp = await readPy(root, join(dir, 'pyproject.toml'));
        if (!pp) {
          throw new InputError(
            `uv workspace member ${dir} has no pyproject.toml`,
            ws.file,
            ws.line('tool.uv.workspace', 'members'),
          );
        }
        out.push({ dir, pyproject: pp, name: projectName(pp) });
      }
      await walk(r, depth + 1);
    }
  };
  await walk('', 0);
  return out;
}

/** The app dir may itself be the workspace root, or a member of a workspace above it. */
async function workspaceRoot(
  root: string,
  appDir: string,
  appPy: PyProject | null,
): Promise<{ dir: string; pyproject: PyProject } | null> {
  if (appPy?.uv?.workspace) return { dir: appDir, pyproject: appPy };
  let d = appDir;
  while (d !== '.' && d !== '') {
    d = path.posix.dirname(d);
    const p = await readPy(root, join(d, 'pyproject.toml')).catch(() => null);
    if (p?.uv?.workspace) return { dir: d, pyproject: p };
  }
  return null;
}

const APP_MEMBER_NAMES = ['app', 'api', 'server', 'backend', 'web', 'service', 'main'];

/**
 * The member no other member depends on (libraries are depended upon, the app is not), preferring
 * one with scripts or an app-like name.
 */
function appMember(members: WorkspaceMember[]): { pick: WorkspaceMember; reason: string } | null {
  const dependedOn = new Set<string>();
  for (const m of members)
    for (const d of m.pyproject.project?.dependencies ?? []) dependedOn.add(requirementDep(d).name);
  const leaves = members.filter((m) => !dependedOn.has(normalizeName(m.name ?? '')));
  const pool = leaves.length ? leaves : members;
  const rank = (m: WorkspaceMember) => {
    const base = m.dir.split('/').pop() ?? '';
    const nameRank = APP_MEMBER_NAMES.findIndex((n) => base === n || (m.name ?? '').includes(n));
    return [Object.keys(projectScripts(m.pyproject)).length ? 0 : 1, nameRank < 0 ? 99 : nameRank];
  };
  const pick = [...pool].sort((a, b) => {
    const ra = rank(a);
    const rb = rank(b);
    return (ra[0] ?? 0) - (rb[0] ?? 0) || (ra[1] ?? 0) - (rb[1] ?? 0) || a.dir.localeCompare(b.dir);
  })[0];
  if (!pick) return null;
  const reason =
    leaves.length === 1
      ? `the only workspace member no other member depends on`
      : `${leaves.length} members are not depended upon; ${pick.dir} ${Object.keys(projectScripts(pick.pyproject)).length ? 'has scripts' : 'has an app-like name'}`;
  return { pick, reason };
}

/**
 * In a uv workspace, which member is the application? The root when it declares dependencies of its
 * own (it is then a real project); otherwise the member {@link appMember} picks.
 */
export async function findWorkspace(
  root: string,
  appDir: string,
  appPy: PyProject | null,
): Promise<Workspace | null> {
  const ws = await workspaceRoot(root, appDir, appPy);
  if (!ws) return null;
  const { dir: wsDir, pyproject: wsPy } = ws;
  const members = await workspaceMembers(root, wsDir, wsPy);
  if (wsDir !== appDir) {
    const m = members.find((x) => x.dir === appDir);
    if (!m) return null;
    return {
      root: wsDir,
      pyproject: wsPy,
      members,
      app: m,
      reason: `${appDir} was chosen and is a member of the uv workspace at ${wsDir}`,
    };
  }
  const rootDeps = wsPy.project?.dependencies ?? [];
  const memberNames = new Set(members.map((m) => normalizeName(m.name ?? '')));
  const launcher = await launcherOf(root, wsDir, wsPy);
  const ownDeps = rootDeps.some((d) => !memberNames.has(requirementDep(d).name));
  if (ownDeps || launcher || members.length === 0) {
    return {
      root: wsDir,
      pyproject: wsPy,
      members,
      app: null,
      reason: ownDeps
        ? 'the workspace root declares dependencies of its own'
        : launcher
          ? `the workspace root is started by ${launcher}`
          : 'the workspace has no members',
    };
  }
  const chosen = appMember(members);
  if (!chosen) return null;
  return { root: wsDir, pyproject: wsPy, members, app: chosen.pick, reason: chosen.reason };
}

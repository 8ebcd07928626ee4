import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { InputError, type Overrides } from '../../plan.js';
import { chooseAppDir, severalAppsWarning } from '../appdir.js';
import { type FileOverrides, mergeOverrides, readToolPycontain } from '../overrides.js';
import { isProjectManifest, type PyProject } from '../pyproject.js';
import type { DecisionCollector } from './collector.js';
import { fmtSrc, join, readPy } from './files.js';
import { findWorkspace, type Workspace } from './workspace.js';

/** Stage 1's answer: where the app is, its manifest, and the overrides that apply to it. */
export interface AppStage {
  /** Absolute path of the scanned directory. */
  root: string;
  /** The directory as the caller named it, for error messages. */
  dir: string;
  appDir: string;
  /** Where the lock sits: the workspace root in a uv workspace, else the app dir. */
  lockDir: string;
  /** The app's pyproject.toml, when it is a project manifest or carries [tool.pycontain]. */
  appPy: PyProject | null;
  ws: Workspace | null;
  /** Command line over the app's [tool.pycontain] over the top one's. */
  merged: Overrides;
  overrideSources: FileOverrides['sources'];
}

const NO_OVERRIDES: FileOverrides = { overrides: {}, sources: {} };

async function projectRoot(dir: string): Promise<string> {
  const root = path.resolve(dir);
  let st: import('node:fs').Stats;
  try {
    st = await fsp.stat(root);
  } catch {
    throw new InputError(`no Python project found in ${dir}: the directory does not exist`);
  }
  if (!st.isDirectory()) throw new InputError(`no Python project found in ${dir}: it is not a directory`);
  return root;
}

/** [tool.pycontain] of the top pyproject.toml may name the app dir of a monorepo. */
function appDirOverride(overrides: Overrides, top: FileOverrides) {
  if (overrides.appDir !== undefined) return { value: overrides.appDir, label: '--app-dir' };
  if (top.overrides.appDir !== undefined)
    return {
      value: top.overrides.appDir,
      label: `[tool.pycontain] app-dir (${fmtSrc(top.sources.appDir)})`,
    };
  return undefined;
}

function mergeAll(overrides: Overrides, top: FileOverrides, app: FileOverrides) {
  const merged = mergeOverrides(top.overrides, app.overrides, overrides);
  const overrideSources: FileOverrides['sources'] = { ...top.sources, ...app.sources };
  for (const k of Object.keys(overrides) as (keyof Overrides)[])
    if (overrides[k] !== undefined) overrideSources[k] = { file: '(command line)' };
  return { merged, overrideSources };
}

/** Stage 1: the app directory (a uv workspace member when the workspace says so) and its overrides. */
export async function locateApp(
  dir: string,
  overrides: Overrides,
  log: DecisionCollector,
): Promise<AppStage> {
  const root = await projectRoot(dir);
  const topPy = await readPy(root, 'pyproject.toml');
  const topOverrides = topPy ? readToolPycontain(topPy) : NO_OVERRIDES;
  const appChoice = await chooseAppDir(root, appDirOverride(overrides, topOverrides));
  let appDir = appChoice.appDir;

  let appPy = appDir === '.' ? topPy : await readPy(root, join(appDir, 'pyproject.toml'));
  if (appPy && !isProjectManifest(appPy) && !appPy.pycontain) appPy = null;

  // uv workspace: the lock sits at the workspace root; the app may be a member.
  const given = appDirOverride(overrides, topOverrides);
  const found = await findWorkspace(root, appDir, appPy);
  // An app dir the user chose is used as given, even a workspace root that has members.
  const ws = found?.app && given && found.app.dir !== appDir ? { ...found, app: null } : found;
  let lockDir = appDir;
  if (ws) {
    lockDir = ws.root;
    if (ws.app) {
      appDir = ws.app.dir;
      appPy = ws.app.pyproject;
    }
  }
  // The several-apps warning names the directory finally used (a workspace member may replace the choice).
  if (appDir === appChoice.appDir) log.absorb({ warnings: appChoice.warnings });
  else {
    const w = severalAppsWarning(
      appChoice.apps.filter((a) => a !== ws?.root),
      appDir,
    );
    if (w) log.absorb({ warnings: [w] });
  }
  log.absorb({
    decisions: [
      appDir !== appChoice.appDir && ws?.app
        ? {
            ...appChoice.decision,
            value: appDir,
            reason: `${appChoice.decision.reason}; uv workspace member ${ws.app.dir} is the app: ${ws.reason}`,
          }
        : appChoice.decision,
    ],
  });

  const appOverrides = appPy && appPy !== topPy ? readToolPycontain(appPy) : NO_OVERRIDES;
  return { root, dir, appDir, lockDir, appPy, ws, ...mergeAll(overrides, topOverrides, appOverrides) };
}

import { detectFramework, type FrameworkResult } from '../framework.js';
import { projectScripts } from '../pyproject.js';
import type { AppStage } from './app.js';
import type { DecisionCollector } from './collector.js';
import type { DependencyStage } from './dependencies.js';
import type { ManifestStage } from './manifests.js';

/** Console scripts: setup.cfg's, then setup.py's, then pyproject's, each later one winning. */
export function scriptsOf({ appPy }: AppStage, { setupMeta }: ManifestStage): Record<string, string> {
  const scripts: Record<string, string> = {};
  for (const m of [...setupMeta].reverse()) Object.assign(scripts, m.scripts);
  if (appPy) Object.assign(scripts, projectScripts(appPy));
  return scripts;
}

/** Stage 8: framework, entrypoint, command and port, from framework.ts's detectors. */
export async function detectLauncher(
  app: AppStage,
  files: ManifestStage,
  deps: DependencyStage,
  log: DecisionCollector,
  projectInstalled?: boolean,
): Promise<FrameworkResult> {
  const { merged } = app;
  const fw = await detectFramework(app.root, app.appDir, deps.dependencies, {
    scripts: scriptsOf(app, files),
    groups: deps.extras,
    ...(projectInstalled !== undefined ? { projectInstalled } : {}),
    ...(deps.projectName ? { projectName: deps.projectName } : {}),
    overrides: {
      ...(merged.command ? { command: merged.command } : {}),
      ...(merged.port !== undefined ? { port: merged.port } : {}),
    },
  });
  log.absorb(fw);
  return fw;
}

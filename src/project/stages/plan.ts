import { type ImageChoice, type IndexConfig, PLAN_SCHEMA_VERSION, type Plan } from '../../plan.js';
import type { FrameworkResult } from '../framework.js';
import type { AppStage } from './app.js';
import type { DecisionCollector } from './collector.js';
import type { DependencyStage } from './dependencies.js';
import type { InstallStage } from './install.js';
import type { ManifestStage } from './manifests.js';
import type { SystemStage } from './system.js';
import type { ToolStage } from './tools.js';

/** What every stage produced, for {@link assemblePlan}. */
export interface Stages {
  app: AppStage;
  files: ManifestStage;
  python: string;
  deps: DependencyStage;
  install: InstallStage;
  index: IndexConfig;
  image: ImageChoice;
  fw: FrameworkResult;
  system: SystemStage;
  user: Plan['user'];
  tools: ToolStage;
  healthcheckPath: string | null;
  groups: string[];
}

/** Stage 12: the Plan, its fields in the order `detect --json` prints them. */
export function assemblePlan(s: Stages, log: DecisionCollector): Plan {
  const { app, files, deps, fw, system } = s;
  const { pm } = files;
  const importChecks = [...fw.importChecks];
  for (const m of system.importChecks) if (!importChecks.includes(m)) importChecks.push(m);
  return {
    schemaVersion: PLAN_SCHEMA_VERSION,
    root: app.root,
    appDir: app.appDir,
    pythonVersion: s.python,
    packageManager: pm.manager,
    lockfile: pm.lockfile,
    manifests: s.install.manifests,
    installProject: s.install.installProject,
    extras: deps.extras,
    framework: fw.framework,
    entrypoint: fw.entrypoint,
    command: fw.command,
    port: fw.port,
    healthcheckPath: s.healthcheckPath,
    importChecks,
    system: { build: system.build, runtime: system.runtime },
    native: system.native,
    dependencies: deps.dependencies,
    index: s.index,
    django: fw.django,
    image: s.image,
    user: s.user,
    tools: s.tools.tools,
    env: { ...fw.env },
    decisions: log.decisions,
    warnings: log.warnings,
    overrides: app.merged,
    projectName: deps.projectName,
    requirementsFile:
      pm.manager === 'pip' || pm.manager === 'pip-tools' ? (pm.lockfile ?? pm.requirementsFile) : null,
    requirementsHashes: deps.reqHashes,
    ...(pm.manager === 'pip' || pm.manager === 'pip-tools'
      ? { requirementsFullLock: s.tools.requirementsFullLock }
      : {}),
    workspace: app.ws
      ? { root: app.ws.root, members: app.ws.members.map((m) => m.dir), package: app.ws.app?.name ?? null }
      : null,
    groups: s.groups,
    packageTests: system.packageTests,
  };
}

import path from 'node:path';
import type { PmDetection } from '../package-manager.js';
import { isProjectManifest, type PyProject, readmeFiles } from '../pyproject.js';
import type { AppStage } from './app.js';
import type { DecisionCollector } from './collector.js';
import type { DependencyStage } from './dependencies.js';
import { dirExists, fileExists, join } from './files.js';
import type { ManifestStage } from './manifests.js';

/** Stage 5's answer: whether the project itself is installed, and the files its install layer copies. */
export interface InstallStage {
  installProject: boolean;
  /** Copied before the dependency install, so that layer is cached until one of them changes. */
  manifests: string[];
}

/** Does the project itself get installed into the venv? Each manager has its own switch. */
function installsProject(pm: PmDetection, appPy: PyProject | null, setupFiles: string[]): [boolean, string] {
  const hasBuildSystem = Boolean(appPy?.buildSystem);
  const built = (why: string, none: string) => (hasBuildSystem ? why : none);
  if (pm.manager === 'uv') {
    const pkg = appPy?.uv?.package;
    if (pkg !== undefined) return [pkg, `[tool.uv] package = ${pkg}`];
    return [
      hasBuildSystem,
      built(
        'it has a [build-system] (uv builds it)',
        'no [build-system]: a virtual uv project, only its dependencies are installed',
      ),
    ];
  }
  if (pm.manager === 'poetry') {
    const mode = appPy?.poetry?.['package-mode'];
    if (mode === false) return [false, '[tool.poetry] package-mode = false'];
    return [
      hasBuildSystem,
      built(
        'it has a [build-system] (poetry-core builds it)',
        'no [build-system]: only its dependencies are installed',
      ),
    ];
  }
  if (pm.manager === 'pdm') {
    const distribution = appPy?.pdm?.distribution;
    if (distribution !== undefined) return [distribution, `[tool.pdm] distribution = ${distribution}`];
    return [
      hasBuildSystem,
      built('it has a [build-system]', 'no [build-system]: PDM treats it as an application, not a package'),
    ];
  }
  if (pm.manager === 'pipenv')
    return [false, 'Pipfile projects are applications: only their dependencies are installed'];
  if (pm.manager === 'setuptools')
    return [true, 'the project is installed with pip from its own metadata, which pulls its dependencies'];
  const yes =
    (hasBuildSystem && Boolean(appPy?.project || appPy?.poetry)) ||
    setupFiles.some((f) => f.endsWith('setup.py'));
  return [
    yes,
    yes
      ? `${setupFiles.find((f) => f.endsWith('setup.py')) ?? appPy?.file} makes it an installable package`
      : 'no setup.py or [build-system]: the code runs from the app directory',
  ];
}

/** An ordered set of paths, with the readme check building a package needs. */
class ManifestList {
  readonly files: string[] = [];
  constructor(
    private readonly root: string,
    private readonly log: DecisionCollector,
  ) {}

  add(f: string | null | undefined): void {
    if (f && !this.files.includes(f)) this.files.push(f);
  }

  async readmeOf(pp: PyProject, dirOf: string): Promise<void> {
    for (const r of readmeFiles(pp)) {
      const f = join(dirOf, r);
      if (await fileExists(this.root, f)) this.add(f);
      else
        this.log.warn(
          'readme-missing',
          `${pp.file} names readme "${r}", which does not exist: building the package will fail`,
          { file: pp.file, line: pp.line('project', 'readme') ?? pp.line('tool.poetry', 'readme') },
        );
    }
  }
}

/** Requirement files, their local installs and `--find-links ./wheels` (resolved next to the file). */
async function addRequirementFiles(
  list: ManifestList,
  root: string,
  files: ManifestStage,
  deps: DependencyStage,
) {
  const { req, pm } = files;
  if (!req || (pm.manager !== 'pip' && pm.manager !== 'pip-tools')) return;
  for (const f of req.files) list.add(f);
  for (const f of deps.reqLocalFiles) list.add(f);
  for (const fl of req.options.findLinks) {
    if (/^[a-z+]+:\/\//i.test(fl)) continue;
    const rel = path.posix.normalize(path.posix.join(path.posix.dirname(req.file), fl.replace(/\\/g, '/')));
    if (!rel.startsWith('..') && (await dirExists(root, rel))) list.add(rel);
  }
}

/** Files setup.cfg / setup.py read while building (long_description = file: README.md, VERSION). */
async function addBuildFiles(list: ManifestList, app: AppStage, files: ManifestStage) {
  for (const f of files.setupFiles) list.add(f);
  if (app.appPy) await list.readmeOf(app.appPy, app.appDir);
  for (const m of files.setupMeta)
    for (const f of m.files) {
      const rel = join(app.appDir, path.posix.normalize(f));
      if (await fileExists(app.root, rel)) list.add(rel);
    }
}

/** Stage 5: whether the project is installed, and the files the dependency layer needs. */
export async function planInstall(
  app: AppStage,
  files: ManifestStage,
  deps: DependencyStage,
  log: DecisionCollector,
): Promise<InstallStage> {
  const { ws, appPy } = app;
  const { pm, pipfile } = files;
  const [installProject, why] = installsProject(pm, appPy, files.setupFiles);
  log.decide('installProject', installProject ? 'yes' : 'no', why);

  const list = new ManifestList(app.root, log);
  if (ws) {
    list.add(join(ws.root, 'pyproject.toml'));
    for (const m of ws.members) list.add(join(m.dir, 'pyproject.toml'));
  }
  if (appPy && isProjectManifest(appPy)) list.add(appPy.file);
  if (pm.lockfile) list.add(pm.lockfile);
  if (pm.manager === 'pipenv' && pipfile) list.add(pipfile.file);
  await addRequirementFiles(list, app.root, files, deps);
  if (installProject || pm.manager === 'setuptools') await addBuildFiles(list, app, files);
  if (ws) for (const m of ws.members) if (m.pyproject.buildSystem) await list.readmeOf(m.pyproject, m.dir);
  return { installProject, manifests: list.files };
}

import type { Source } from '../../plan.js';
import { pythonMinorOfImage } from '../images.js';
import { linuxEnvironment, type MarkerEnvironment } from '../pep508.js';
import { lockHasWheelData, type PythonCeiling } from '../python-ceilings.js';
import {
  classifierHint,
  distrolessPreference,
  type PythonConstraint,
  type PythonVersionResult,
  resolvePythonVersion,
} from '../python-version.js';
import type { AppStage } from './app.js';
import type { DecisionCollector } from './collector.js';
import type { ManifestStage } from './manifests.js';

/** Stage 3's answer: the CPython minor, how it was chosen, and the marker environment it implies. */
export interface PythonStage {
  version: string;
  by: PythonVersionResult['by'];
  /** CPython `version` on Linux, for evaluating dependency markers. */
  env: MarkerEnvironment;
}

type PoetryConstraint = { spec: string; label: string; source: Source };

/** Ranges the project states (requires-python of the app, its workspace, uv.lock, setup, Poetry). */
function pythonConstraints(
  { appPy, ws }: AppStage,
  { lock, setupMeta }: ManifestStage,
): { constraints: PythonConstraint[]; poetryConstraints: PoetryConstraint[] } {
  const constraints: PythonConstraint[] = [];
  const poetryConstraints: PoetryConstraint[] = [];
  const rp = appPy?.project?.['requires-python'];
  if (rp && appPy)
    constraints.push({
      spec: rp,
      label: 'requires-python',
      source: { file: appPy.file, line: appPy.line('project', 'requires-python') },
    });
  if (ws && ws.pyproject !== appPy && ws.pyproject.project?.['requires-python'])
    constraints.push({
      spec: ws.pyproject.project['requires-python'],
      label: 'workspace requires-python',
      source: { file: ws.pyproject.file, line: ws.pyproject.line('project', 'requires-python') },
    });
  if (lock?.kind === 'uv' && lock.requiresPython)
    constraints.push({
      spec: lock.requiresPython,
      label: 'uv.lock requires-python',
      source: { file: lock.file, ...(lock.requiresPythonLine ? { line: lock.requiresPythonLine } : {}) },
    });
  const setupPy = setupMeta.find((m) => m.pythonRequires);
  if (setupPy?.pythonRequires && !rp)
    constraints.push({
      spec: setupPy.pythonRequires.spec,
      label: 'python_requires',
      source: { file: setupPy.file, line: setupPy.pythonRequires.line },
    });
  const poetryPy = appPy?.poetry?.dependencies?.python;
  if (typeof poetryPy === 'string' && appPy)
    poetryConstraints.push({
      spec: poetryPy,
      label: 'Poetry python',
      source: { file: appPy.file, line: appPy.line('tool.poetry.dependencies', 'python') },
    });
  return { constraints, poetryConstraints };
}

/** --python / [tool.pycontain] python-version, labelled by where it was set. */
function pythonOverride({ merged, overrideSources }: AppStage) {
  if (!merged.pythonVersion) return undefined;
  const src = overrideSources.pythonVersion ?? { file: '(command line)' };
  return {
    value: merged.pythonVersion,
    source: src,
    label: src.file === '(command line)' ? '--python' : '[tool.pycontain] python-version',
  };
}

/** The Python minor a (non-distroless) --base-image runs, read from its tag. */
function baseImagePython({ merged, overrideSources }: AppStage) {
  const imageMinor = merged.baseImage && !merged.distroless ? pythonMinorOfImage(merged.baseImage) : null;
  if (!imageMinor || !merged.baseImage) return undefined;
  return {
    minor: imageMinor,
    ref: merged.baseImage,
    source: overrideSources.baseImage ?? { file: '(command line)' },
  };
}

/** Stage 3: the Python version (precedence in python-version.ts), at most `ceiling` when not pinned. */
export async function choosePython(
  app: AppStage,
  files: ManifestStage,
  log: DecisionCollector,
  ceiling?: PythonCeiling,
): Promise<PythonStage> {
  const { root, appDir, ws, merged } = app;
  const { pipfile, lock } = files;
  const pyOverride = pythonOverride(app);
  const baseImage = baseImagePython(app);
  const py = await resolvePythonVersion({
    root,
    appDir,
    ...(ws && ws.root !== appDir ? { alsoDirs: [ws.root] } : {}),
    ...(pyOverride ? { override: pyOverride } : {}),
    ...(pipfile
      ? {
          pipfileRequires: {
            ...pipfile.requires,
            file: pipfile.file,
            line: (k: string) => pipfile.line('requires', k),
          },
        }
      : {}),
    ...pythonConstraints(app, files),
    ...(ceiling ? { ceiling } : {}),
    wheelEvidence: lockHasWheelData(lock),
    classifiers: classifierHint(app.appPy),
    // --distroless without an image of the user's: the minors Debian's interpreters carry.
    ...(merged.distroless && !merged.distrolessImage ? { prefer: distrolessPreference() } : {}),
    ...(baseImage ? { baseImage } : {}),
  });
  log.absorb({ decisions: [py.decision, ...py.decisions], warnings: py.warnings });
  return { version: py.version, by: py.by, env: linuxEnvironment(py.version) };
}

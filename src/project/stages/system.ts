import type { ImageChoice, NativeNeed, PackageTests } from '../../plan.js';
import { aptReleases } from '../../util/apt-releases.js';
import { nativeNeeds } from '../native.js';
import { packageTestsFor } from '../package-tests.js';
import { sourceBuildNeeds } from '../source-builds.js';
import type { AppStage } from './app.js';
import type { DecisionCollector } from './collector.js';
import type { DependencyStage } from './dependencies.js';

/** Stage 9's answer: system packages per stage, the native needs behind them, package test suites. */
export interface SystemStage {
  build: string[];
  runtime: string[];
  native: NativeNeed[];
  /** Modules the native needs must make importable in the built image. */
  importChecks: string[];
  packageTests: PackageTests[];
}

/** apt-packages / build-apt-packages, added after what the native table asks for. */
function addOverridePackages(
  { merged, overrideSources }: AppStage,
  build: string[],
  runtime: string[],
  log: DecisionCollector,
) {
  for (const p of merged.buildAptPackages ?? []) if (!build.includes(p)) build.push(p);
  for (const p of merged.aptPackages ?? []) if (!runtime.includes(p)) runtime.push(p);
  if (merged.aptPackages?.length || merged.buildAptPackages?.length)
    log.decide(
      'system packages (override)',
      [...(merged.aptPackages ?? []), ...(merged.buildAptPackages ?? [])].join(' '),
      'added by apt-packages / build-apt-packages',
      overrideSources.aptPackages ?? overrideSources.buildAptPackages,
    );
}

/** A package the image's release does not have (a bookworm name asked for on trixie) fails apt-get. */
function warnMissingPackages(
  { merged, overrideSources }: AppStage,
  image: ImageChoice,
  packages: string[],
  log: DecisionCollector,
) {
  const gone = aptReleases().missing[image.debian] ?? {};
  for (const p of packages) {
    if (!(p in gone)) continue;
    const use = gone[p];
    const fromOverride = (merged.aptPackages ?? []).includes(p)
      ? overrideSources.aptPackages
      : (merged.buildAptPackages ?? []).includes(p)
        ? overrideSources.buildAptPackages
        : undefined;
    log.warn(
      'apt-package-not-in-release',
      `${p} is not in Debian ${image.debian} (${image.runtime}): apt-get will fail to install it; ${use ? `install ${use} instead` : (aptReleases().notes[p] ?? 'nothing replaces it')}`,
      fromOverride,
    );
  }
}

/** Stage 9: Debian packages the dependencies need to build and run (native.ts), and package tests. */
export function systemNeeds(
  app: AppStage,
  deps: DependencyStage,
  python: string,
  image: ImageChoice,
  log: DecisionCollector,
): SystemStage {
  const { merged, overrideSources } = app;
  const nat = nativeNeeds(deps.dependencies, python, { debian: image.debian, groups: deps.extras });
  log.absorb(nat);
  const build = [...nat.build];
  const runtime = [...nat.runtime];
  const cBuilds = sourceBuildNeeds(deps.dependencies, python, deps.extras);
  log.absorb(cBuilds);
  for (const p of cBuilds.build) if (!build.includes(p)) build.push(p);
  addOverridePackages(app, build, runtime, log);
  warnMissingPackages(app, image, [...build, ...runtime], log);

  const tests = packageTestsFor(deps.dependencies, {
    groups: deps.extras,
    ...(merged.keepPackageTests ? { keep: true } : {}),
  });
  for (const d of tests.decisions)
    log.decide(d.topic, d.value, d.reason, overrideSources.keepPackageTests ?? d.source);
  return {
    build,
    runtime,
    native: nat.native,
    importChecks: nat.importChecks ?? [],
    packageTests: tests.packageTests,
  };
}

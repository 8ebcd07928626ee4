import type { ImageChoice } from '../../plan.js';
import { chooseImagesExplained, debianReleaseNamedIn } from '../images.js';
import type { AppStage } from './app.js';
import type { DecisionCollector } from './collector.js';

const viaFlag = (src: { file: string } | undefined, flag: string, key: string) =>
  src?.file === '(command line)' ? flag : `[tool.pycontain] ${key}`;

/**
 * Stage 7: builder and runtime images (images.ts). It runs before the native stage: the image's
 * Debian release decides the package names the native table gives.
 */
export function chooseImage(
  { merged, overrideSources }: AppStage,
  python: string,
  log: DecisionCollector,
): ImageChoice {
  const chosen = chooseImagesExplained(python, {
    ...(merged.baseImage ? { baseImage: merged.baseImage } : {}),
    ...(merged.builderImage ? { builderImage: merged.builderImage } : {}),
    ...(merged.distroless !== undefined ? { distroless: merged.distroless } : {}),
    ...(merged.distrolessImage ? { distrolessImage: merged.distrolessImage } : {}),
    ...(merged.debian ? { debian: merged.debian } : {}),
  });
  const image = chosen.image;
  log.absorb({ warnings: chosen.warnings });
  log.decide(
    'image',
    image.builder === image.runtime ? image.runtime : `${image.builder} -> ${image.runtime}`,
    merged.baseImage
      ? `base image set by ${viaFlag(overrideSources.baseImage, '--base-image', 'base-image')}`
      : image.distroless
        ? `distroless runtime with Debian's interpreter at ${image.pythonPath}`
        : `official slim image for Python ${python} on Debian ${image.debian}, pinned to a minor tag`,
    overrideSources.baseImage,
  );
  return image;
}

/**
 * Stage 9b, once the system packages are known: their names depend on the Debian release, and a base
 * image whose tag names none (a mirror's python:3.12-slim) gets the release python:X.Y-slim has
 * today, which is said, and warned about when packages depend on it.
 */
export function explainDebian(
  { merged, overrideSources }: AppStage,
  python: string,
  image: ImageChoice,
  system: { build: string[]; runtime: string[] },
  log: DecisionCollector,
): void {
  if (!merged.baseImage || merged.distroless) return;
  const named = debianReleaseNamedIn(merged.baseImage);
  const how = merged.debian
    ? `set by ${viaFlag(overrideSources.debian, '--debian', 'debian')}`
    : named
      ? 'named in the base image tag'
      : `assumed: the base image tag names no release, and python:${python}-slim is Debian ${image.debian} today`;
  log.decide('debian', image.debian, `${how}; it decides the apt package names`, overrideSources.debian);
  const { build, runtime } = system;
  if (!merged.debian && !named && (build.length || runtime.length))
    log.warn(
      'debian-release-assumed',
      `base image ${merged.baseImage} names no Debian release: the apt packages (${[...build, ...runtime].join(' ')}) are named for Debian ${image.debian}. If the image is another release, set --debian or [tool.pycontain] debian`,
    );
}

/**
 * Base images for the builder and runtime stages, from data/base-images.json.
 *
 * Defaults are the official `python:X.Y-slim-<debian>` images with the Debian release in the tag, so
 * a rebuild next year does not silently move to another distribution. Overrides (private mirrors,
 * the test environment's stand-ins) are taken as given, with a digest kept as the pin. Alpine is
 * refused; distroless is only offered when its Debian interpreter is the project's Python.
 */

import { z } from 'zod';
import { type Decision, type ImageChoice, InputError, type Warning } from '../plan.js';
import { debianReleaseNamed } from '../util/apt-releases.js';
import { loadData, parseData } from '../util/data.js';

const BaseImagesFile = z.object({
  pythonImage: z.string(),
  python: z.record(z.string().regex(/^\d+\.\d+$/), z.array(z.string()).min(1)),
  debian: z.record(
    z.string(),
    z.object({ version: z.string(), python: z.string().regex(/^\d+\.\d+$/), slim: z.string() }),
  ),
  distroless: z.array(
    z.object({ image: z.string(), debian: z.string(), python: z.string().regex(/^\d+\.\d+$/) }),
  ),
});
export type BaseImagesData = z.infer<typeof BaseImagesFile>;

export function parseBaseImages(text: string): BaseImagesData {
  return parseData('base-images.json', text, BaseImagesFile, checkBaseImages);
}

function checkBaseImages(d: BaseImagesData): BaseImagesData {
  for (const [py, releases] of Object.entries(d.python)) {
    for (const r of releases) if (!d.debian[r]) throw new Error(`python ${py}: unknown release ${r}`);
  }
  for (const x of d.distroless)
    if (!d.debian[x.debian]) throw new Error(`distroless ${x.image}: unknown release ${x.debian}`);
  return d;
}

export function baseImagesData(): BaseImagesData {
  return loadData('base-images.json', BaseImagesFile, checkBaseImages);
}

export interface ImageRef {
  /** Repository with registry, e.g. 'python', 'registry.example.com:5000/mirror/python'. */
  name: string;
  tag: string | null;
  /** 'sha256:<64 hex>' */
  digest: string | null;
}

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d+)?$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** Parse an image reference the way the Docker CLI reads it; bad syntax is an InputError. */
export function parseImageRef(ref: string, what = 'image'): ImageRef {
  const bad = (why: string) => new InputError(`invalid ${what} reference '${ref}': ${why}`);
  const trimmed = ref.trim();
  if (!trimmed) throw bad('it is empty');
  let rest = trimmed;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!/^sha256:[0-9a-f]{64}$/.test(digest))
      throw bad('the digest must be sha256: followed by 64 lowercase hex digits');
  }
  let tag: string | null = null;
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw bad(`'${tag}' is not a valid tag`);
  }
  const parts = rest.split('/');
  const first = parts[0] ?? '';
  // The first component is a registry host when it has a dot, a port, or is localhost.
  const hasHost = parts.length > 1 && (/[.:]/.test(first) || first === 'localhost');
  if (hasHost && !HOST.test(first)) throw bad(`'${first}' is not a valid registry host`);
  for (const p of hasHost ? parts.slice(1) : parts) {
    if (!COMPONENT.test(p))
      throw bad(`'${p}' is not a valid repository name component (lowercase letters, digits, . _ -)`);
  }
  return { name: rest, tag, digest };
}

/** 'python' for Docker Hub's official python image under any of its spellings. */
function isOfficialPython(name: string): boolean {
  return [
    'python',
    'library/python',
    'docker.io/python',
    'docker.io/library/python',
    'index.docker.io/library/python',
  ].includes(name);
}

function refString(r: ImageRef): string {
  return r.tag ? `${r.name}:${r.tag}` : r.name;
}

const ALPINE_WHY =
  'Alpine uses musl libc: most manylinux wheels do not install there, so numpy, pandas, psycopg2, Pillow and friends ' +
  'compile from source (slow builds, compilers in the image) and behave subtly differently at run time. ' +
  'Use a Debian slim image (e.g. python:X.Y-slim-bookworm) or your mirror of one.';

function checkOverride(ref: string, what: string): ImageRef {
  const r = parseImageRef(ref, what);
  if (/alpine/i.test(ref)) {
    throw new InputError(`${what} '${ref}' is Alpine-based, which pycontain refuses: ${ALPINE_WHY}`);
  }
  if ((!r.tag || r.tag === 'latest') && !r.digest) {
    throw new InputError(
      `${what} '${ref}' is not pinned: ${r.tag ? "'latest'" : 'no tag'} moves whenever the image is republished. ` +
        `Name a version tag (e.g. ${r.name}:3.12-slim-bookworm) or a digest (${r.name}@sha256:...).`,
    );
  }
  return r;
}

/** The Python minor a python image's tag names ('python:3.11-slim', 'mirror/python:3.12'), or null. */
export function pythonMinorOfImage(ref: string): string | null {
  try {
    const r = parseImageRef(ref);
    const m = /^(\d+)\.(\d+)(?!\d)/.exec(r.tag ?? '');
    return m && /python/.test(r.name) ? `${m[1]}.${m[2]}` : null;
  } catch {
    return null;
  }
}

/** The Debian release an image reference names ('python:3.12-slim-bookworm', '...-debian12'), or null. */
export function debianReleaseNamedIn(ref: string): string | null {
  try {
    return releaseInTag(parseImageRef(ref));
  } catch {
    return null;
  }
}

function releaseInTag(r: ImageRef): string | null {
  const named = debianReleaseNamed(r.name, r.tag);
  return named && baseImagesData().debian[named] ? named : null;
}

export interface ImageOptions {
  baseImage?: string;
  builderImage?: string;
  distroless?: boolean;
  distrolessImage?: string;
  /** Debian release codename ('bookworm', 'trixie'). */
  debian?: string;
}

export interface ImagesExplained {
  image: ImageChoice;
  decisions: Decision[];
  warnings: Warning[];
}

function distrolessRefusal(
  pythonVersion: string,
  runtime: string | null,
  carries: string | null,
): InputError {
  const d = baseImagesData();
  const list = d.distroless.map(
    (x) => `${x.image} carries Python ${x.python} (Debian ${d.debian[x.debian]?.version}'s)`,
  );
  const matching = d.distroless.map((x) => x.python).join(' or ');
  const head = runtime
    ? `--distroless: ${runtime} carries Python ${carries}, but the project uses Python ${pythonVersion}.`
    : `--distroless: no distroless Python image carries Python ${pythonVersion}.`;
  return new InputError(
    `${head} Distroless images contain only Debian's own interpreter, and a virtualenv only runs on the ` +
      `interpreter it was built with: ${list.join('; ')}. Either pin the project to Python ${matching} ` +
      `(python-version in [tool.pycontain] or --python, if the project supports it), or build without ` +
      `--distroless (a slim runtime on python:${pythonVersion}-slim).`,
  );
}

/**
 * Choose builder and runtime images for CPython `pythonVersion`, with the reasons.
 * Throws InputError (no file) for Alpine, unpinned overrides, unknown releases, and distroless
 * images whose interpreter is not the project's Python.
 */
export function chooseImagesExplained(pythonVersion: string, o: ImageOptions): ImagesExplained {
  if (!/^\d+\.\d+$/.test(pythonVersion))
    throw new InputError(`invalid Python version '${pythonVersion}' (expected X.Y)`);
  const d = baseImagesData();
  const decisions: Decision[] = [];
  const warnings: Warning[] = [];
  if (o.debian && !d.debian[o.debian]) {
    throw new InputError(`unknown Debian release '${o.debian}' (known: ${Object.keys(d.debian).join(', ')})`);
  }
  const base = o.baseImage ? checkOverride(o.baseImage, 'base image') : null;
  const builderOverride = o.builderImage ? checkOverride(o.builderImage, 'builder image') : null;
  const distrolessOverride = o.distrolessImage ? checkOverride(o.distrolessImage, 'distroless image') : null;
  const releases = d.python[pythonVersion];

  if (!o.distroless) {
    let builder: ImageRef;
    let runtime: ImageRef;
    let debian: string;
    if (base) {
      builder = runtime = base;
      debian = o.debian ?? releaseInTag(base) ?? releases?.[0] ?? 'bookworm';
      decisions.push({
        topic: 'baseImage',
        value: refString(base) + (base.digest ? `@${base.digest}` : ''),
        reason: 'the base-image override sets both stages',
      });
      const last = base.name.split('/').pop() ?? '';
      if (/^(debian|ubuntu|distroless|busybox|scratch|static|base)/.test(last) && !/python/.test(base.name)) {
        warnings.push({
          code: 'base-image-no-python',
          message: `base image ${refString(base)} does not look like a Python image: the venv needs an interpreter at /usr/local/bin/python3 in both stages`,
        });
      }
      const m = /^(\d+)\.(\d+)(?!\d)/.exec(base.tag ?? '');
      if (m && /python/.test(base.name) && `${m[1]}.${m[2]}` !== pythonVersion) {
        warnings.push({
          code: 'base-image-python-mismatch',
          message: `base image ${refString(base)} looks like Python ${m[1]}.${m[2]}, but the project resolved Python ${pythonVersion}`,
        });
      }
    } else {
      if (!releases) {
        throw new InputError(
          `no official python image is known for Python ${pythonVersion} (known: ${Object.keys(d.python).join(', ')}); ` +
            'pass --base-image with an image that has it',
        );
      }
      if (o.debian && !releases.includes(o.debian)) {
        throw new InputError(
          `python:${pythonVersion}-slim is not published for Debian ${o.debian} (available: ${releases.join(', ')})`,
        );
      }
      // A builder override naming its release pulls the runtime onto the same one: extensions compiled
      // against a newer glibc than the runtime's do not load.
      const builderRelease = builderOverride ? releaseInTag(builderOverride) : null;
      debian =
        o.debian ??
        (builderRelease && releases.includes(builderRelease) ? builderRelease : (releases[0] as string));
      runtime = { name: d.pythonImage, tag: `${pythonVersion}-slim-${debian}`, digest: null };
      builder = runtime;
      decisions.push({
        topic: 'baseImage',
        value: refString(runtime),
        reason: o.debian
          ? `the official slim image on the requested Debian ${debian}`
          : `the official slim image, Debian ${debian} named in the tag so the base does not move to a new release`,
      });
    }
    if (builderOverride) {
      builder = builderOverride;
      decisions.push({
        topic: 'builderImage',
        value: refString(builder),
        reason: 'the builder-image override',
      });
    }
    const image: ImageChoice = {
      builder: refString(builder),
      runtime: refString(runtime),
      debian,
      distroless: false,
      // /usr/local/bin/python3 exists in the official images and in Debian-based stand-ins alike.
      pythonPath: '/usr/local/bin/python3',
      builderPackages: [],
      pythonDevPackages: [],
    };
    if (runtime.digest) image.runtimeDigest = runtime.digest;
    if (builder.digest) image.builderDigest = builder.digest;
    return { image, decisions, warnings };
  }

  // Distroless: the runtime is Debian's interpreter; find which one.
  let runtimeRef: ImageRef;
  let debian: string;
  let carries: string;
  if (distrolessOverride) {
    runtimeRef = distrolessOverride;
    const rel = releaseInTag(distrolessOverride);
    const known = rel ? d.distroless.find((x) => x.debian === rel) : undefined;
    if (known) {
      debian = known.debian;
      carries = known.python;
    } else {
      debian = o.debian ?? rel ?? d.distroless.find((x) => x.python === pythonVersion)?.debian ?? 'bookworm';
      carries = d.debian[debian]?.python ?? pythonVersion;
    }
    if (carries !== pythonVersion) throw distrolessRefusal(pythonVersion, refString(runtimeRef), carries);
    decisions.push({
      topic: 'runtimeImage',
      value: refString(runtimeRef),
      reason: `the distroless-image override; Debian ${d.debian[debian]?.version}'s interpreter is Python ${carries}, the project's`,
    });
  } else {
    const candidates = d.distroless.filter(
      (x) => x.python === pythonVersion && (!o.debian || x.debian === o.debian),
    );
    const pick = candidates[0];
    if (!pick) {
      if (o.debian) {
        const forRelease = d.distroless.find((x) => x.debian === o.debian);
        if (forRelease) throw distrolessRefusal(pythonVersion, forRelease.image, forRelease.python);
      }
      throw distrolessRefusal(pythonVersion, null, null);
    }
    runtimeRef = parseImageRef(pick.image);
    debian = pick.debian;
    carries = pick.python;
    decisions.push({
      topic: 'runtimeImage',
      value: pick.image,
      reason: `distroless runtime: no shell or package manager, and its Debian ${d.debian[debian]?.version} interpreter is Python ${carries}, the project's`,
    });
  }
  if (o.debian && o.debian !== debian) {
    throw new InputError(
      `--distroless: the distroless runtime is Debian ${debian}, but Debian ${o.debian} was requested`,
    );
  }
  const builderRef =
    builderOverride ?? base ?? parseImageRef(d.debian[debian]?.slim ?? 'debian:bookworm-slim');
  if (isOfficialPython(builderRef.name)) {
    throw new InputError(
      `--distroless: builder ${refString(builderRef)} is an official python image, whose interpreter is ` +
        `/usr/local/bin/python${carries}; the virtualenv it builds points there, and the distroless runtime only has ` +
        `Debian's /usr/bin/python${carries}. Use a Debian builder (e.g. ${d.debian[debian]?.slim}) or leave the builder unset.`,
    );
  }
  const lastSegment = builderRef.name.split('/').pop() ?? '';
  // A Debian image needs the interpreter installed; a python-named image is trusted to have /usr/bin/python3.X.
  const builderPackages = /^python/.test(lastSegment) ? [] : [`python${carries}-venv`];
  decisions.push({
    topic: 'builderImage',
    value: refString(builderRef),
    reason:
      builderOverride || base
        ? `the ${builderOverride ? 'builder' : 'base'}-image override; its interpreter must be Debian's /usr/bin/python${carries}, the path the distroless runtime has`
        : `Debian ${d.debian[debian]?.version} with its python${carries}, so the virtualenv points at /usr/bin/python${carries} as in the distroless runtime`,
  });
  const image: ImageChoice = {
    builder: refString(builderRef),
    runtime: refString(runtimeRef),
    debian,
    distroless: true,
    pythonPath: `/usr/bin/python${carries}`,
    builderPackages,
    pythonDevPackages: [`python${carries}-dev`],
  };
  if (runtimeRef.digest) image.runtimeDigest = runtimeRef.digest;
  if (builderRef.digest) image.builderDigest = builderRef.digest;
  return { image, decisions, warnings };
}

/** Builder and runtime images for CPython `pythonVersion`; see chooseImagesExplained. */
export function chooseImages(pythonVersion: string, o: ImageOptions): ImageChoice {
  return chooseImagesExplained(pythonVersion, o).image;
}

/**
 * The one typed plan that flows through the pipeline:
 *   src/project/ (read the repository) -> Plan -> src/dockerfile/ (render), src/lint/, src/engine/.
 *
 * Field names of the top level are a stable public contract: `pycontain detect --json` prints
 * this object. Add fields freely; never rename or remove one without bumping `schemaVersion`.
 */

import { EXIT, PycontainError } from './errors.js';

export const PLAN_SCHEMA_VERSION = 1 as const;

export type PackageManager = 'uv' | 'poetry' | 'pdm' | 'pipenv' | 'pip' | 'pip-tools' | 'setuptools';

export type Framework =
  | 'fastapi'
  | 'starlette'
  | 'litestar'
  | 'flask'
  | 'django'
  | 'celery'
  | 'streamlit'
  | 'gradio'
  | 'aiohttp'
  | 'pyramid'
  | 'tornado'
  | 'cli'
  | 'unknown';

/** Where a decision came from. `file` is relative to the scanned directory, `line` is 1-based. */
export interface Source {
  file: string;
  line?: number;
  column?: number;
}

/** One explained decision, for the human output of `detect`. */
export interface Decision {
  /** What was decided: 'pythonVersion', 'packageManager', 'framework', 'command', 'port', 'native:psycopg2', ... */
  topic: string;
  /** The value chosen, rendered for humans. */
  value: string;
  /** Why, in one sentence. */
  reason: string;
  source?: Source;
}

/**
 * Every warning `detect` emits, in one place: scripts and CI match on these ids, so a new one is
 * added here (with its meaning) and an existing one is never renamed.
 */
export type WarningCode =
  // where the app is (src/project/appdir.ts) and how it launches (src/project/framework.ts)
  | 'several-apps'
  | 'several-scripts'
  | 'no-entrypoint'
  | 'dev-server'
  | 'server-missing'
  | 'factory-args'
  | 'worker-not-run'
  | 'procfile-bind'
  | 'procfile-migrate'
  | 'procfile-shell'
  | 'launcher-host'
  | 'attribute-app'
  | 'app-configured-in-main'
  | 'django-static-uncollected'
  | 'loopback-bind'
  | 'uwsgi-chdir'
  // the chosen command cannot start in the image (src/project/command-check.ts)
  | 'command-server-missing'
  | 'command-module-missing'
  | 'command-dev-server'
  | 'command-loopback'
  // package manager, locks and requirement files
  | 'pm-conflict'
  | 'lock-format'
  | 'stale-lock'
  | 'no-lock'
  | 'requirements-unreadable'
  | 'requirements-installs-project'
  | 'readme-missing'
  | 'extra-needed'
  // Python version
  | 'python-conflict'
  | 'python-mismatch'
  | 'python-eol'
  | 'python-implementation'
  | 'python-version-unreadable'
  | 'python-too-new'
  // package index
  | 'index-url'
  | 'index-credentials'
  // base image and system packages
  | 'base-image-no-python'
  | 'base-image-python-mismatch'
  | 'debian-release-assumed'
  | 'apt-package-not-in-release';

export interface Warning {
  /** Stable id: one of {@link WarningCode}. */
  code: WarningCode;
  message: string;
  source?: Source;
}

/** A locked or declared dependency, as far as the project tells. */
export interface Dependency {
  /** PEP 503 normalized name. */
  name: string;
  /** Exact pinned version when a lock or `==` pin says so. */
  version?: string;
  /** The specifier as written, when not pinned. */
  specifier?: string;
  /** Wheel file names the lock records for this version (used to know if a manylinux wheel exists). */
  wheels?: string[];
  /** True when the lock records an sdist only, or no wheel fits the chosen Python/platform. */
  buildsFromSource?: boolean;
  /** Group it belongs to when not the main one ('dev', 'test', ...); dev deps are never installed. */
  group?: string;
  /** Extras requested for it ('standard' in `uvicorn[standard]`), normalized. */
  extras?: string[];
  source?: Source;
}

/** A dependency that needs system libraries, mapped through data/native-packages.json. */
export interface NativeNeed {
  /** The Python distribution, e.g. 'psycopg2'. */
  package: string;
  version?: string;
  /** Debian packages needed to build it from source (builder stage only). Empty when a wheel is used. */
  build: string[];
  /** Debian packages it needs at run time (runtime stage only). */
  runtime: string[];
  /** Shared objects it loads, e.g. 'libpq.so.5', for verification and analysis. */
  sonames: string[];
  reason: string;
}

export interface IndexConfig {
  /** Primary index URL, or null for the public default (PyPI). */
  url: string | null;
  extraUrls: string[];
  /** True when the index needs credentials: the Dockerfile then reads them from a BuildKit secret. */
  needsCredentials: boolean;
  /** The BuildKit secret id that holds credentials (`--secret id=<this>,...`). */
  secretId: string;
  /**
   * Who named the primary index: the project's own files, or an override (--index-url, [tool.pycontain]).
   * Absent when the primary index is PyPI. Poetry is given a mirror as a source only when the project names none.
   */
  origin?: 'project' | 'override';
}

/** Releases of the package-manager tools the builder installs. */
export interface ToolVersions {
  poetry: string;
  pdm: string;
  uv: string;
}

/**
 * The releases installed when the lock does not name the one that wrote it (the Dockerfile writes
 * them as ARG defaults: `--build-arg POETRY_VERSION=...` overrides).
 */
export const DEFAULT_TOOL_VERSIONS: ToolVersions = {
  poetry: '2.5.1',
  pdm: '2.29.2',
  uv: '0.12.20',
};

export interface DjangoInfo {
  settingsModule: string;
  wsgiApplication?: string;
  asgiApplication?: string;
  /** STATIC_ROOT is set: the image runs `collectstatic` at build time. */
  staticRoot: string | null;
  managePy: string;
}

export interface ImageChoice {
  /** Base for the builder stage, e.g. 'python:3.12-slim-bookworm'. */
  builder: string;
  /** Base for the runtime stage. */
  runtime: string;
  /** Optional digest pin of the runtime base ('sha256:...'). */
  runtimeDigest?: string;
  builderDigest?: string;
  /** Debian release codename of the bases, e.g. 'bookworm'. */
  debian: string;
  /** Runtime is distroless: no shell, Debian's interpreter at /usr/bin/python3. */
  distroless: boolean;
  /** Absolute path of the interpreter in the runtime image (the venv must point at the same path). */
  pythonPath: string;
  /**
   * Debian packages the builder stage installs to get its interpreter (distroless with a plain Debian
   * builder: ['python3.11-venv']); empty when the builder image has Python already.
   */
  builderPackages?: string[];
  /**
   * Debian packages with the Python headers, needed in the builder only when something compiles
   * (system.build non-empty) and the builder's interpreter is Debian's (distroless: ['python3.11-dev']).
   */
  pythonDevPackages?: string[];
}

/** Overrides read from [tool.pycontain] in pyproject.toml and from CLI flags (flags win). */
export interface Overrides {
  pythonVersion?: string;
  baseImage?: string;
  builderImage?: string;
  distrolessImage?: string;
  /**
   * Debian release of the base images ('bookworm', 'trixie'): decides the apt package names. Needed
   * when a --base-image tag names no release (a mirror's `python:3.12-slim`).
   */
  debian?: string;
  port?: number;
  command?: string[];
  aptPackages?: string[];
  buildAptPackages?: string[];
  distroless?: boolean;
  indexUrl?: string;
  extraIndexUrls?: string[];
  healthcheckPath?: string;
  uid?: number;
  appDir?: string;
  /** Extras / dependency groups to install besides the main dependencies (`[tool.pycontain] extras`). */
  extras?: string[];
  /** Keep the test suites that packages ship inside themselves (data/package-tests.json). */
  keepPackageTests?: boolean;
}

/** A distribution's own test suite, shipped inside the installed package, deleted in the builder. */
export interface PackageTests {
  distribution: string;
  /** Import package directories in site-packages (e.g. 'numpy'). */
  roots: string[];
  /** Directory names deleted at any depth below each root (e.g. 'tests'). */
  dirs: string[];
  reason: string;
}

export interface Plan {
  schemaVersion: typeof PLAN_SCHEMA_VERSION;
  /** Absolute path of the scanned directory (the build context). */
  root: string;
  /** Relative path of the Python project inside root ('.' when at the top). */
  appDir: string;
  /** CPython minor version, e.g. '3.12'. */
  pythonVersion: string;
  packageManager: PackageManager;
  /** Lock file relative to root, or null. */
  lockfile: string | null;
  /** Files the dependency-install layer needs, relative to root (pyproject.toml, lock, README named by `readme =`, requirements includes...). */
  manifests: string[];
  /** The project itself is an installable package (has a build-system / setup.py) and is installed into the venv. */
  installProject: boolean;
  /** Dependency groups / extras to install besides the main ones (from overrides). */
  extras: string[];
  framework: Framework;
  /** Import target such as 'app.main:app', 'myproj.wsgi:application', a script path, or null. */
  entrypoint: string | null;
  /** argv the container runs (exec form). */
  command: string[];
  port: number | null;
  /** HTTP path the healthcheck polls, or null for non-HTTP apps. */
  healthcheckPath: string | null;
  /** Python modules that must import in the built image (used by verify). */
  importChecks: string[];
  system: {
    /** Debian packages for the builder stage (compilers, -dev headers). */
    build: string[];
    /** Debian packages for the runtime stage (shared libraries). */
    runtime: string[];
  };
  native: NativeNeed[];
  dependencies: Dependency[];
  index: IndexConfig;
  django: DjangoInfo | null;
  image: ImageChoice;
  /** Non-root user of the runtime stage (a distroless runtime: its own `nonroot` user). */
  user: { name: string; uid: number; gid: number };
  /** The release of the project's package-manager tool the builder installs (poetry, pdm or uv; none for pip). */
  tools: Partial<ToolVersions>;
  /** Environment variables set in the runtime stage, besides the fixed ones. */
  env: Record<string, string>;
  decisions: Decision[];
  warnings: Warning[];
  overrides: Overrides;
  /** Distribution name of the project (PEP 621 / Poetry), when it has one. */
  projectName?: string | null;
  /** pip / pip-tools (and setuptools with pins): the requirements file to install, relative to root. */
  requirementsFile?: string | null;
  /** The requirements file pins every entry with `--hash`: install with `--require-hashes`. */
  requirementsHashes?: boolean;
  /**
   * pip / pip-tools: the requirements file pins the whole tree (hashes, or a lock tool's export):
   * installed with `--no-deps`, nothing left to resolve.
   */
  requirementsFullLock?: boolean;
  /**
   * uv workspace: `root` holds pyproject.toml + uv.lock (relative to root, '.' usually), `members`
   * are the member directories (their pyproject.toml files are in `manifests`), `package` is the
   * member that is the app (`uv sync --package`), null when the workspace root itself is the app.
   */
  workspace?: { root: string; members: string[]; package: string | null } | null;
  /**
   * The names in `extras` that are dependency groups (uv/PEP 735 groups, Poetry groups, PDM dev
   * groups) rather than package extras: `uv sync --group`, `poetry install --with`, `pdm install -G`.
   */
  groups?: string[];
  /**
   * Distributions pycontain installs into the venv besides the project's: the server its command
   * starts when the project does not depend on one (`gunicorn>=20.1`). `pkgResourcesBelow`: a
   * resolved release older than this major imports pkg_resources, so setuptools<81 goes with it.
   */
  addedPackages?: { name: string; spec: string; reason: string; pkgResourcesBelow?: number }[];
  /** Test suites inside installed packages that the builder deletes (data/package-tests.json). */
  packageTests?: PackageTests[];
}

/** Error with a location, for bad input. The CLI prints `file:line:col: message` and exits 2. */
export class InputError extends PycontainError {
  readonly exitCode = EXIT.badInput;
  constructor(
    message: string,
    public readonly file?: string,
    public readonly line?: number,
    public readonly column?: number,
  ) {
    super(message);
    this.name = 'InputError';
  }

  get location(): string {
    if (!this.file) return '';
    return `${this.file}${this.line ? `:${this.line}${this.column ? `:${this.column}` : ''}` : ''}`;
  }
}

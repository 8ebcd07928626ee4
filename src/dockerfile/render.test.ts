import { type Copy, DockerfileParser, type Healthcheck, type Instruction } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InputError, type PackageManager, type Plan } from '../plan.js';
import { APP, DEFAULT_TOOL_VERSIONS, layoutOf, needsPkgResources, renderDockerfile, VENV } from './render.js';
import { testPlan } from './testing.js';

function stagesOf(text: string) {
  const df = DockerfileParser.parse(text);
  const froms = df.getFROMs();
  const all = df.getInstructions();
  return froms.map((from, i) => {
    const start = from.getRange().start.line;
    const end =
      i + 1 < froms.length ? (froms[i + 1] as typeof from).getRange().start.line : Number.POSITIVE_INFINITY;
    const ins = all.filter((x) => x.getRange().start.line >= start && x.getRange().start.line < end);
    return { name: from.getBuildStage(), image: from.getImage(), ins };
  });
}

const kw = (ins: Instruction[], k: string) => ins.filter((i) => i.getKeyword() === k);
const runText = (ins: Instruction[]) =>
  kw(ins, 'RUN')
    .map((r) => r.getRawArgumentsContent() ?? '')
    .join('\n');
/** The exec-form argv the way Docker reads it: the JSON array after the keyword (and after HEALTHCHECK's CMD). */
const jsonArgs = (i: Instruction): string[] => {
  const raw = (i.getRawArgumentsContent() ?? '').replace(/\\\n\s*/g, ' ');
  const json = i.getKeyword() === 'HEALTHCHECK' ? raw.slice(raw.indexOf('CMD') + 3) : raw;
  const strings = (i as unknown as { getJSONStrings?(): unknown[] }).getJSONStrings?.();
  const argv = JSON.parse(json.trim()) as string[];
  // dockerfile-ast must see the same exec form (one JSON string per argument).
  if (strings) expect(strings.length).toBe(argv.length);
  return argv;
};

const poetryPlan = () =>
  testPlan({
    packageManager: 'poetry',
    lockfile: 'poetry.lock',
    manifests: ['pyproject.toml', 'poetry.lock', 'README.md'],
    installProject: true,
    framework: 'fastapi',
    command: ['uvicorn', 'inventory.main:app', '--host', '0.0.0.0', '--port', '8000'],
  });

describe('renderDockerfile: common shape', () => {
  const text = renderDockerfile(testPlan());
  const [builder, runtime] = stagesOf(text);

  it('starts with the syntax directive and has a builder and a runtime stage', () => {
    expect(text.split('\n')[0]).toBe('# syntax=docker/dockerfile:1');
    expect(builder?.name).toBe('builder');
    expect(runtime?.name).toBe('runtime');
  });

  it('omits the directive when asked (air-gapped builders)', () => {
    expect(renderDockerfile(testPlan(), { syntax: null })).not.toMatch(/^# syntax/m);
  });

  it('runs as a fixed numeric non-root user in the runtime', () => {
    expect(kw(runtime!.ins, 'USER').map((u) => u.getRawArgumentsContent())).toEqual(['10001:10001']);
    expect(runText(runtime!.ins)).toContain('useradd --system --uid 10001 --gid 10001');
  });

  it('sets the runtime environment: venv on PATH, unbuffered, no bytecode writes', () => {
    const env = runtime!.ins.find((i) => i.getKeyword() === 'ENV')!.getRawArgumentsContent()!;
    expect(env).toContain(`PATH=${VENV}/bin:`);
    expect(env).toContain('PYTHONUNBUFFERED=1');
    expect(env).toContain('PYTHONDONTWRITEBYTECODE=1');
  });

  it('copies the venv at the same path from the builder and compiles bytecode there', () => {
    const copies = kw(runtime!.ins, 'COPY') as Copy[];
    expect(
      copies.some(
        (c) =>
          c.getFromFlag()?.getValue() === 'builder' &&
          c.getRawArgumentsContent()?.includes(`${VENV} ${VENV}`),
      ),
    ).toBe(true);
    expect(runText(builder!.ins)).toMatch(/compileall .*--invalidation-mode unchecked-hash \/opt\/venv\/lib/);
    expect(runText(builder!.ins)).toMatch(/compileall .* \/app/);
    expect(runText(runtime!.ins)).not.toContain('compileall');
  });

  it('creates the app venv without pip and runs pip from a separate tools venv', () => {
    expect(runText(builder!.ins)).toContain(`-m venv --without-pip ${VENV}`);
    expect(runText(builder!.ins)).toContain(`/opt/tools/bin/pip --python ${VENV}/bin/python install`);
  });

  it('has exec-form CMD, EXPOSE and a stdlib HEALTHCHECK honouring the port and path', () => {
    const cmd = kw(runtime!.ins, 'CMD')[0]!;
    expect(jsonArgs(cmd)).toEqual(['gunicorn', '--bind', '0.0.0.0:8000', 'app.main:app']);
    expect(kw(runtime!.ins, 'EXPOSE')[0]!.getRawArgumentsContent()).toBe('8000');
    const hc = kw(runtime!.ins, 'HEALTHCHECK')[0] as Healthcheck;
    const argv = jsonArgs(hc);
    expect(argv[0]).toBe(`${VENV}/bin/python`);
    expect(argv[2]).toContain("urlopen('http://127.0.0.1:8000/health'");
    expect(argv[2]).not.toMatch(/requests|curl|wget/);
  });

  it('installs dependencies before copying the code, with a pip cache mount', () => {
    const lines = text.split('\n');
    const depRun = lines.findIndex((l) => l.includes('install --no-compile -r requirements.txt'));
    const codeCopy = lines.indexOf('COPY . /app/');
    const manifestCopy = lines.indexOf('COPY requirements.txt ./');
    expect(manifestCopy).toBeGreaterThan(0);
    expect(manifestCopy).toBeLessThan(depRun);
    expect(depRun).toBeLessThan(codeCopy);
    expect(text).toContain('--mount=type=cache,target=/root/.cache/pip,sharing=locked');
  });

  it('labels the image for verify', () => {
    expect(text).toContain('io.pycontain.import-checks=app.main');
    expect(text).toContain('io.pycontain.healthcheck-path=/health');
  });

  it('writes no apt step when nothing is native', () => {
    expect(text).not.toContain('apt-get');
  });

  it('passes dockerfile-utils validation without errors', () => {
    const errors = validate(text).filter((d) => d.severity === 1);
    expect(errors).toEqual([]);
  });
});

describe('renderDockerfile: package managers', () => {
  it('pip with hashes: --require-hashes --no-deps and pip check', () => {
    const text = renderDockerfile(
      testPlan({ requirementsFile: 'requirements.txt', requirementsHashes: true }),
    );
    expect(text).toContain('install --no-compile --require-hashes --no-deps -r requirements.txt');
    expect(text).toContain(`--python ${VENV}/bin/python check`);
  });

  it('pip without a full lock lets pip resolve (no --no-deps), and says why', () => {
    const text = renderDockerfile(testPlan());
    expect(text).toContain('install --no-compile -r requirements.txt');
    expect(text).not.toContain('--no-deps -r');
    expect(text).toMatch(/not a full lock/);
  });

  it('pip with a full-lock requirements file (the plan says so) installs --no-deps', () => {
    const text = renderDockerfile(testPlan({ requirementsFullLock: true }));
    expect(text).toContain('install --no-compile --no-deps -r requirements.txt');
  });

  it('pip-tools: the compiled file, no resolution (pip-sync semantics)', () => {
    const text = renderDockerfile(
      testPlan({
        packageManager: 'pip-tools',
        lockfile: 'requirements.txt',
        requirementsFile: 'requirements.txt',
        requirementsHashes: true,
        manifests: ['requirements.in', 'requirements.txt'],
      }),
    );
    expect(text).toContain('--require-hashes --no-deps -r requirements.txt');
    expect(text).toMatch(/pip-compile output/);
    expect(text).toContain('COPY requirements.in requirements.txt ./');
  });

  it('poetry: pinned tool via ARG in its own venv, lock check, main group only, no root, then the project non-editable', () => {
    const text = renderDockerfile(poetryPlan());
    expect(text).toContain(`ARG POETRY_VERSION=${DEFAULT_TOOL_VERSIONS.poetry}`);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile variable syntax, not a template
    expect(text).toContain('/opt/tools/bin/pip install "poetry==${POETRY_VERSION}"');
    expect(text).toContain(
      '{ /opt/tools/bin/poetry check --lock 2>/dev/null || /opt/tools/bin/poetry lock --check; }',
    );
    expect(text).toContain('poetry install --only main --no-root --no-interaction --no-ansi');
    expect(text).toContain(`VIRTUAL_ENV=${VENV}`);
    expect(text).toContain('COPY pyproject.toml poetry.lock README.md ./');
    expect(text).toMatch(/--mount=type=bind,source=\.,target=\/tmp\/project,rw=true/);
    expect(text).toContain(`install --no-deps /tmp/project`);
    expect(text).not.toMatch(/install -e|--editable/);
  });

  it('poetry: the lock check runs before an index override adds a source', () => {
    const text = renderDockerfile(poetryPlan());
    expect(text.indexOf('lock --check')).toBeLessThan(text.indexOf('source add'));
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile variable syntax, not a template
    expect(text).toContain('ARG POETRY_INDEX_URL=${PIP_INDEX_URL}');
  });

  it('poetry: the tool version the plan chose (the lock writer)', () => {
    expect(renderDockerfile({ ...poetryPlan(), tools: { poetry: '1.3.2' } })).toContain(
      'ARG POETRY_VERSION=1.3.2',
    );
  });

  it('pdm: --check --prod --no-self --no-editable, PDM_PYPI_URL from the index ARG', () => {
    const text = renderDockerfile(
      testPlan({ packageManager: 'pdm', lockfile: 'pdm.lock', manifests: ['pyproject.toml', 'pdm.lock'] }),
    );
    expect(text).toContain(`ARG PDM_VERSION=${DEFAULT_TOOL_VERSIONS.pdm}`);
    expect(text).toContain('pdm install --check --prod --no-self --no-editable');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile variable syntax, not a template
    expect(text).toContain('ARG PDM_PYPI_URL=${PIP_INDEX_URL:-https://pypi.org/simple}');
    expect(text).toContain('--mount=type=cache,target=/root/.cache/pdm,sharing=locked');
  });

  it('pdm with extras selects groups with -G', () => {
    const text = renderDockerfile(
      testPlan({
        packageManager: 'pdm',
        lockfile: 'pdm.lock',
        manifests: ['pyproject.toml', 'pdm.lock'],
        extras: ['postgres'],
      }),
    );
    expect(text).toContain('--no-editable -G postgres');
  });

  it('pipenv: Pipfile.lock converted with the hash check, installed with hashes, no dev packages', () => {
    const text = renderDockerfile(
      testPlan({
        packageManager: 'pipenv',
        lockfile: 'Pipfile.lock',
        manifests: ['Pipfile', 'Pipfile.lock'],
      }),
    );
    expect(text).toContain("COPY <<'PY' /opt/tools/pipfile_lock.py");
    expect(text).toContain('pipfile_lock.py Pipfile.lock Pipfile /tmp/requirements.txt default');
    expect(text).toContain('--require-hashes --no-deps -r /tmp/requirements.txt');
    expect(text).not.toMatch(/pipfile_lock\.py .*develop/);
    expect(text).toMatch(/pipenv install --deploy/);
  });

  it('setuptools: declared deps in their own layer, then the project non-editable', () => {
    const text = renderDockerfile(
      testPlan({
        packageManager: 'setuptools',
        lockfile: null,
        manifests: ['pyproject.toml', 'setup.cfg', 'README.md'],
        installProject: true,
      }),
    );
    expect(text).toContain("COPY <<'PY' /opt/tools/declared_deps.py");
    expect(text.indexOf('declared_deps.py /tmp/declared.txt')).toBeLessThan(text.indexOf('COPY . /app/'));
    expect(text).toContain('install --no-deps /tmp/project');
  });

  it('uv (static: uv cannot run in the testenv): binary copied from the pinned image, --locked, --no-dev, two syncs', () => {
    const text = renderDockerfile(
      testPlan({
        packageManager: 'uv',
        lockfile: 'uv.lock',
        manifests: ['pyproject.toml', 'uv.lock'],
        installProject: true,
        framework: 'fastapi',
      }),
    );
    const stages = stagesOf(text);
    expect(stages.map((s) => s.name)).toEqual(['uv', 'builder', 'runtime']);
    expect(text).toContain(`ARG UV_VERSION=${DEFAULT_TOOL_VERSIONS.uv}`);
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Dockerfile variable syntax, not a template
    expect(text).toContain('FROM ghcr.io/astral-sh/uv:${UV_VERSION} AS uv');
    expect(text).toContain('COPY --from=uv /uv /opt/tools/bin/uv');
    expect(text).toMatch(/UV_COMPILE_BYTECODE=1[\s\S]*UV_LINK_MODE=copy[\s\S]*UV_PYTHON_DOWNLOADS=0/);
    expect(text).toContain(`UV_PROJECT_ENVIRONMENT=${VENV}`);
    expect(text).toContain('uv sync --locked --no-dev --no-install-project');
    expect(text).toContain('uv sync --locked --no-dev --no-editable');
    expect(text).not.toMatch(/uv sync[^\n]*--frozen/);
    expect(text).toContain('ARG UV_DEFAULT_INDEX=https://pypi.org/simple');
    expect(text).toContain('--mount=type=cache,target=/root/.cache/uv,sharing=locked');
    expect(text).not.toMatch(/pip install uv/);
  });

  it('uv workspace (static): member manifests copied by directory, --no-install-workspace, sync from the member dir', () => {
    const plan = testPlan({
      packageManager: 'uv',
      lockfile: 'uv.lock',
      appDir: 'packages/api',
      manifests: [
        'pyproject.toml',
        'uv.lock',
        'packages/api/pyproject.toml',
        'packages/pricing/pyproject.toml',
      ],
      installProject: true,
      workspace: { root: '.', members: ['packages/api', 'packages/pricing'], package: 'api' },
    });
    const text = renderDockerfile(plan);
    expect(text).toContain('COPY pyproject.toml uv.lock ./');
    expect(text).toContain('COPY packages/api/pyproject.toml packages/api/');
    expect(text).toContain('COPY packages/pricing/pyproject.toml packages/pricing/');
    expect(text).toContain(
      '/opt/tools/bin/uv sync --directory /app/packages/api --frozen --no-dev --no-install-workspace',
    );
    expect(text).toContain(
      '/opt/tools/bin/uv sync --directory /app/packages/api --locked --no-dev --no-editable',
    );
    expect(text).toContain('WORKDIR /app/packages/api');
    expect(layoutOf(plan).srcBase).toBe('');
  });

  it.each<PackageManager>(['pip', 'pip-tools', 'poetry', 'pdm', 'pipenv', 'setuptools', 'uv'])(
    '%s: no dev dependencies, dependencies before code, nothing from the package manager in the runtime',
    (pm) => {
      const text = renderDockerfile(
        testPlan({
          packageManager: pm,
          lockfile: null,
          manifests: ['pyproject.toml'],
          requirementsFile: pm.startsWith('pip') ? 'requirements.txt' : null,
        }),
      );
      const [, , runtime] = [null, ...stagesOf(text)].slice(-3);
      expect(text).not.toMatch(/--dev\b|--with dev|-G dev|--group dev/);
      expect(runText(runtime!.ins)).not.toMatch(/pip|poetry|pdm|uv /);
    },
  );
});

describe('renderDockerfile: lock flags only with a lock', () => {
  // `uv sync --locked`, `poetry check --lock`, `pdm install --check` and the Pipfile.lock reader all
  // stop the build when the lock file does not exist.
  const noLock = (pm: PackageManager, manifests: string[]) =>
    renderDockerfile(testPlan({ packageManager: pm, lockfile: null, manifests, installProject: true }));

  it('uv without uv.lock: `uv lock` first, so both syncs have the lock they check', () => {
    const text = noLock('uv', ['pyproject.toml']);
    expect(text).toMatch(
      /\/opt\/tools\/bin\/uv lock \\\n\s+&& \/opt\/tools\/bin\/uv sync --locked --no-dev --no-install-project/,
    );
    expect(text).toContain('uv sync --locked --no-dev --no-editable');
    expect(text.indexOf('uv lock')).toBeLessThan(text.indexOf('uv sync'));
    expect(text).toMatch(/No uv\.lock in the project/);
  });

  it('uv workspace without uv.lock: `uv lock` before the --frozen sync', () => {
    const text = renderDockerfile(
      testPlan({
        packageManager: 'uv',
        lockfile: null,
        appDir: 'packages/api',
        manifests: ['pyproject.toml', 'packages/api/pyproject.toml'],
        installProject: true,
        workspace: { root: '.', members: ['packages/api'], package: 'api' },
      }),
    );
    expect(text.indexOf('uv lock --directory /app/packages/api')).toBeGreaterThan(-1);
    expect(text.indexOf('uv lock')).toBeLessThan(text.indexOf('--frozen'));
  });

  it('poetry without poetry.lock: no lock check, install still main-only', () => {
    const text = noLock('poetry', ['pyproject.toml']);
    expect(text).not.toMatch(/check --lock|lock --check/);
    expect(text).toContain('poetry install --only main --no-root');
  });

  it('pdm without pdm.lock: no --check', () => {
    const text = noLock('pdm', ['pyproject.toml']);
    expect(text).not.toMatch(/--check/);
    expect(text).toContain('pdm install --prod --no-self');
  });

  it('pipenv without Pipfile.lock: the Pipfile [packages] go to pip, no lock reader, no --deploy claim', () => {
    const text = noLock('pipenv', ['Pipfile']);
    expect(text).not.toMatch(/pipfile_lock\.py|Pipfile\.lock |--require-hashes|--deploy/);
    expect(text).toContain('pipfile_reqs.py Pipfile /tmp/requirements.txt packages');
    expect(text).toContain(
      "python -c 'import tomllib' 2>/dev/null || /opt/tools/bin/pip install --no-compile tomli",
    );
  });

  it('pip-tools with requirements.in only: pip resolves it (no --no-deps, no pip check)', () => {
    const text = renderDockerfile(
      testPlan({
        packageManager: 'pip-tools',
        lockfile: null,
        requirementsFile: 'requirements.in',
        manifests: ['requirements.in'],
      }),
    );
    expect(text).toContain('install --no-compile -r requirements.in');
    expect(text).not.toMatch(/--no-deps|pip-compile output/);
  });

  it.each<[PackageManager, string]>([
    ['uv', 'uv.lock'],
    ['poetry', 'poetry.lock'],
    ['pdm', 'pdm.lock'],
    ['pipenv', 'Pipfile.lock'],
  ])('%s with %s keeps its lock check', (pm, lockfile) => {
    const text = renderDockerfile(
      testPlan({ packageManager: pm, lockfile, manifests: ['pyproject.toml', 'Pipfile', lockfile] }),
    );
    expect(text).toMatch(/--locked|check --lock|install --check|pipfile_lock\.py/);
  });
});

describe('renderDockerfile: natives, distroless, index, Django', () => {
  const nativePlan = testPlan({
    system: { build: ['gcc', 'libpq-dev'], runtime: ['libpq5'] },
    native: [
      {
        package: 'psycopg2',
        build: ['gcc', 'libpq-dev'],
        runtime: ['libpq5'],
        sonames: ['libpq.so.5'],
        reason: 'sdist only',
      },
    ],
  });

  it('compilers and headers only in the builder, runtime libraries only in the runtime', () => {
    const [builder, runtime] = stagesOf(renderDockerfile(nativePlan));
    expect(runText(builder!.ins)).toContain("pkgs='gcc libpq-dev'");
    expect(runText(builder!.ins)).toContain('--no-install-recommends');
    expect(runText(runtime!.ins)).toContain('apt-get install -y --no-install-recommends libpq5');
    expect(runText(runtime!.ins)).toContain('rm -rf /var/lib/apt/lists/*');
    expect(runText(runtime!.ins)).not.toMatch(/gcc|-dev\b/);
  });

  it('adds the Python headers only when the builder interpreter lacks them', () => {
    const text = renderDockerfile(nativePlan);
    expect(text).toContain('pkgs="$pkgs python3.11-dev"');
    expect(text).toContain('Python.h');
  });

  it('system packages land in their stages (detect merged --apt / --build-apt into plan.system)', () => {
    const [builder, runtime] = stagesOf(
      renderDockerfile(testPlan({ system: { runtime: ['ffmpeg'], build: ['libffi-dev'] } })),
    );
    expect(runText(runtime!.ins)).toContain('ffmpeg');
    expect(runText(builder!.ins)).toContain('libffi-dev');
    expect(runText(runtime!.ins)).not.toContain('libffi-dev');
  });

  const distroless = testPlan({
    system: { build: [], runtime: ['libpq5'] },
    image: {
      builder: 'debian:bookworm-slim',
      runtime: 'gcr.io/distroless/python3-debian12',
      runtimeDigest: `sha256:${'a'.repeat(64)}`,
      debian: 'bookworm',
      distroless: true,
      pythonPath: '/usr/bin/python3.11',
      builderPackages: ['python3.11-venv'],
    },
    user: { name: 'nonroot', uid: 65532, gid: 65532 },
  });

  it('distroless: no RUN in the runtime, numeric nonroot user, ENTRYPOINT reset, venv built by Debian python', () => {
    const text = renderDockerfile(distroless);
    const [builder, runtime] = stagesOf(text);
    expect(runtime!.image).toBe(`gcr.io/distroless/python3-debian12@sha256:${'a'.repeat(64)}`);
    expect(kw(runtime!.ins, 'RUN')).toEqual([]);
    expect(kw(runtime!.ins, 'USER').map((u) => u.getRawArgumentsContent())).toEqual(['65532:65532']);
    expect(jsonArgs(kw(runtime!.ins, 'ENTRYPOINT')[0]!)).toEqual([]);
    expect(runText(builder!.ins)).toContain('/usr/bin/python3.11 -m venv --without-pip /opt/venv');
    expect(runText(builder!.ins)).toContain('pkgs=python3.11-venv');
    expect(jsonArgs(kw(runtime!.ins, 'HEALTHCHECK')[0]!)[0]).toBe('/opt/venv/bin/python');
    expect(text).not.toMatch(/CMD [^[]/);
  });

  it('distroless: runtime libraries staged in the builder and copied (no apt in the runtime)', () => {
    const text = renderDockerfile(distroless);
    expect(text).toContain('closure libpq5 > /tmp/need');
    expect(text).toContain('COPY --from=builder /opt/runtime-root/ /');
    // libblas.so.3 / liblapack.so.3 exist only as alternatives symlinks, which dpkg -L does not list
    expect(text).toContain('/etc/alternatives/*) cp -a --parents "$a" /opt/runtime-root/');
  });

  it('index URL via ARG in the builder only; credentials only through an optional secret mount', () => {
    const plan = testPlan({
      index: {
        url: 'https://pypi.corp.example/simple',
        extraUrls: ['https://extra.example/simple'],
        needsCredentials: false,
        secretId: 'pip-index',
      },
    });
    const text = renderDockerfile(plan);
    const [builder, runtime] = stagesOf(text);
    expect(kw(builder!.ins, 'ARG').map((a) => a.getRawArgumentsContent())).toContain(
      'PIP_INDEX_URL=https://pypi.corp.example/simple',
    );
    expect(text).toContain('ARG PIP_EXTRA_INDEX_URL=https://extra.example/simple');
    expect(kw(runtime!.ins, 'ARG')).toEqual([]);
    expect(runtime!.ins.map((i) => i.getRawArgumentsContent() ?? '').join('\n')).not.toContain(
      'pypi.corp.example',
    );
    expect(text).toContain('--mount=type=secret,id=pip-index,target=/root/.netrc,required=false');
  });

  it('an index that needs credentials makes the secret required, with its own id', () => {
    const text = renderDockerfile(
      testPlan({
        index: {
          url: 'https://pkgs.example/simple',
          extraUrls: [],
          needsCredentials: true,
          secretId: 'corp-index',
        },
      }),
    );
    expect(text).toContain('--mount=type=secret,id=corp-index,target=/root/.netrc,required=true');
    expect(text).not.toMatch(/PASSWORD|TOKEN/);
  });

  it('Django: collectstatic in the builder with a throwaway key, settings module in the runtime env, never migrate', () => {
    const text = renderDockerfile(
      testPlan({
        packageManager: 'pdm',
        lockfile: 'pdm.lock',
        manifests: ['pyproject.toml', 'pdm.lock'],
        framework: 'django',
        django: { settingsModule: 'shop.settings', staticRoot: 'staticfiles', managePy: 'manage.py' },
        env: { DJANGO_SETTINGS_MODULE: 'shop.settings' },
        command: ['gunicorn', 'shop.wsgi:application', '--bind', '0.0.0.0:8000'],
      }),
    );
    const [builder, runtime] = stagesOf(text);
    expect(runText(builder!.ins)).toContain(
      'DJANGO_SETTINGS_MODULE=shop.settings SECRET_KEY=collectstatic-only DJANGO_SECRET_KEY=collectstatic-only /opt/venv/bin/python manage.py collectstatic --noinput',
    );
    expect(runtime!.ins.find((i) => i.getKeyword() === 'ENV')!.getRawArgumentsContent()).toContain(
      'DJANGO_SETTINGS_MODULE=shop.settings',
    );
    expect(text).not.toMatch(/migrate/);
    expect(runtime!.ins.map((i) => i.getRawArgumentsContent() ?? '').join('\n')).not.toContain(
      'collectstatic-only',
    );
  });

  it('Django with an absolute STATIC_ROOT outside /app copies it too', () => {
    const text = renderDockerfile(
      testPlan({
        framework: 'django',
        django: { settingsModule: 's.settings', staticRoot: '/var/www/static', managePy: 'manage.py' },
      }),
    );
    expect(text).toContain('COPY --from=builder /var/www/static /var/www/static');
  });

  it('non-HTTP apps get no EXPOSE and no HEALTHCHECK', () => {
    const text = renderDockerfile(
      testPlan({
        framework: 'celery',
        port: null,
        healthcheckPath: null,
        command: ['celery', '-A', 'tasks', 'worker', '--loglevel=INFO'],
      }),
    );
    expect(text).not.toMatch(/^EXPOSE|^HEALTHCHECK/m);
    expect(text).toContain('CMD ["celery", "-A", "tasks", "worker", "--loglevel=INFO"]');
  });

  it('a CLI tool is the ENTRYPOINT, so `docker run IMAGE --help` reaches it', () => {
    const text = renderDockerfile(
      testPlan({ framework: 'cli', port: null, healthcheckPath: null, command: ['csvtool'] }),
    );
    expect(text).toContain('ENTRYPOINT ["csvtool"]');
    expect(text).not.toMatch(/^CMD /m);
  });

  it('monorepo: app in backend/ copied to /app, manifests from backend/', () => {
    const plan = testPlan({
      appDir: 'backend',
      manifests: ['backend/requirements.txt'],
      requirementsFile: 'backend/requirements.txt',
    });
    const text = renderDockerfile(plan);
    expect(text).toContain('COPY backend/requirements.txt ./');
    expect(text).toContain('COPY backend/ /app/');
    expect(text).toContain('-r requirements.txt');
    expect(text).toContain(`WORKDIR ${APP}\n`);
  });

  it('gunicorn < 22 without setuptools in the lock gets setuptools<81 (pkg_resources)', () => {
    const plan = testPlan({ dependencies: [{ name: 'gunicorn', version: '20.1.0' }] });
    expect(needsPkgResources(plan)).toBe('gunicorn 20.1.0');
    expect(renderDockerfile(plan)).toContain("install --no-compile 'setuptools<81'");
    expect(
      needsPkgResources(testPlan({ dependencies: [{ name: 'gunicorn', version: '23.0.0' }] })),
    ).toBeNull();
    expect(
      needsPkgResources(
        testPlan({
          dependencies: [
            { name: 'gunicorn', version: '20.1.0' },
            { name: 'setuptools', version: '68.0.0' },
          ],
        }),
      ),
    ).toBeNull();
  });

  it('removes the test suites packages ship, in the install RUN before the bytecode compile', () => {
    const packageTests = [
      { distribution: 'pandas', roots: ['pandas'], dirs: ['tests'], reason: 'suite' },
      { distribution: 'tornado', roots: ['tornado'], dirs: ['test'], reason: 'suite' },
      { distribution: 'matplotlib', roots: ['matplotlib', 'mpl_toolkits'], dirs: ['tests'], reason: 'suite' },
    ];
    const sp = `${VENV}/lib/python3.11/site-packages`;
    const text = renderDockerfile(testPlan({ packageTests }));
    const tests = `for p in matplotlib mpl_toolkits pandas; do [ ! -d ${sp}/$p ] || find ${sp}/$p -type d -name tests -prune -exec rm -rf {} +; done`;
    const test = `for p in tornado; do [ ! -d ${sp}/$p ] || find ${sp}/$p -type d -name test -prune -exec rm -rf {} +; done`;
    expect(text).toContain(tests);
    expect(text).toContain(test);
    const install = text.indexOf('install --no-compile -r requirements.txt');
    const compile = text.indexOf('compileall', install);
    expect(install).toBeGreaterThan(0);
    expect(text.indexOf(tests)).toBeGreaterThan(install);
    expect(text.indexOf(tests)).toBeLessThan(compile);
    expect(text).toContain('# The test suites of pandas, tornado, matplotlib ship inside the packages');
    // Nothing to remove: no loop at all.
    expect(renderDockerfile(testPlan())).not.toContain('-prune -exec rm -rf');
  });

  it('uv compiles while it syncs: the suites go at the end of the sync RUN', () => {
    const text = renderDockerfile(
      testPlan({
        packageManager: 'uv',
        lockfile: 'uv.lock',
        manifests: ['pyproject.toml', 'uv.lock'],
        packageTests: [{ distribution: 'numpy', roots: ['numpy'], dirs: ['tests'], reason: 'suite' }],
      }),
    );
    const loop = text.indexOf('for p in numpy;');
    expect(loop).toBeGreaterThan(text.indexOf('uv sync'));
    expect(text.slice(text.lastIndexOf('RUN', loop), loop)).toContain('uv sync');
  });

  it('refuses Alpine and a plan without a command', () => {
    expect(() =>
      renderDockerfile(
        testPlan({
          image: { ...testPlan().image, runtime: 'python:3.12-alpine', builder: 'python:3.12-alpine' },
        }),
      ),
    ).toThrow(InputError);
    expect(() => renderDockerfile(testPlan({ command: [] }))).toThrow(/no start command/);
  });

  it('uses the interpreter path when builder and runtime images differ (the venv links to it)', () => {
    const text = renderDockerfile(
      testPlan({
        image: {
          ...testPlan().image,
          builder: 'python:3.11-bookworm',
          pythonPath: '/usr/local/bin/python3.11',
        },
      }),
    );
    expect(text).toContain('/usr/local/bin/python3.11 -m venv --without-pip /opt/venv');
  });
});

// ---------------------------------------------------------------------------------------------
// Round trip: every rendered file parses with dockerfile-ast into the intended stages/instructions.

const word = fc.stringMatching(/^[a-z][a-z0-9_]{0,8}$/);
const argvItem = fc.oneof(
  word,
  fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !s.includes('\u0000')),
  fc.constantFrom(
    '--bind',
    '0.0.0.0:8000',
    'app:create_app()',
    'a b',
    `it's`,
    'say "hi"',
    'C:\\path',
    '$HOME',
    'ünï',
    '\\',
  ),
);

const planArb: fc.Arbitrary<Plan> = fc
  .record({
    pm: fc.constantFrom<PackageManager>('uv', 'poetry', 'pdm', 'pipenv', 'pip', 'pip-tools', 'setuptools'),
    port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: null }),
    health: fc.option(fc.constantFrom('/', '/health', '/healthz/', '/api/ping'), { nil: null }),
    command: fc.array(argvItem, { minLength: 1, maxLength: 6 }),
    distroless: fc.boolean(),
    build: fc.subarray(['gcc', 'libpq-dev', 'libxml2-dev', 'pkg-config']),
    runtime: fc.subarray(['libpq5', 'libxml2', 'libgl1']),
    url: fc.option(fc.constantFrom('https://mirror.example/simple', 'http://127.0.0.1:3141/simple/'), {
      nil: null,
    }),
    creds: fc.boolean(),
    installProject: fc.boolean(),
    django: fc.boolean(),
    appDir: fc.constantFrom('.', 'backend', 'services/api'),
    uid: fc.integer({ min: 1000, max: 60000 }),
    env: fc.dictionary(
      fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/),
      fc.string({ maxLength: 20 }).filter((v) => !/[\r\n]/.test(v)),
      { maxKeys: 3 },
    ),
    extras: fc.subarray(['postgres', 'redis']),
  })
  .map((r) => {
    const inApp = (f: string) => (r.appDir === '.' ? f : `${r.appDir}/${f}`);
    const manifests: Record<PackageManager, string[]> = {
      uv: ['pyproject.toml', 'uv.lock'],
      poetry: ['pyproject.toml', 'poetry.lock', 'README.md'],
      pdm: ['pyproject.toml', 'pdm.lock'],
      pipenv: ['Pipfile', 'Pipfile.lock'],
      pip: ['requirements.txt'],
      'pip-tools': ['requirements.in', 'requirements.txt'],
      setuptools: ['pyproject.toml', 'setup.cfg'],
    };
    const base = testPlan();
    return testPlan({
      packageManager: r.pm,
      appDir: r.appDir,
      manifests: manifests[r.pm].map(inApp),
      lockfile: r.pm === 'setuptools' ? null : inApp(manifests[r.pm].at(-1) as string),
      requirementsFile: r.pm.startsWith('pip') ? inApp('requirements.txt') : null,
      installProject: r.installProject,
      port: r.port,
      healthcheckPath: r.health,
      command: r.command,
      system: { build: r.build, runtime: r.runtime },
      index: { url: r.url, extraUrls: [], needsCredentials: r.creds, secretId: 'pip-index' },
      django: r.django
        ? { settingsModule: 'proj.settings', staticRoot: 'static', managePy: inApp('manage.py') }
        : null,
      user: { name: 'app', uid: r.uid, gid: r.uid },
      env: r.env,
      extras: r.extras,
      image: r.distroless
        ? {
            builder: 'debian:bookworm-slim',
            runtime: 'gcr.io/distroless/python3-debian12',
            debian: 'bookworm',
            distroless: true,
            pythonPath: '/usr/bin/python3.11',
          }
        : base.image,
    });
  });

describe('round trip through dockerfile-ast (property)', () => {
  it('every rendered Dockerfile parses into the intended stages and instructions', () => {
    fc.assert(
      fc.property(planArb, (plan) => {
        const text = renderDockerfile(plan);
        const df = DockerfileParser.parse(text);
        expect(df.getDirectives()[0]?.getValue()).toBe('docker/dockerfile:1');
        const stages = stagesOf(text);
        expect(stages.map((s) => s.name)).toEqual(
          plan.packageManager === 'uv' ? ['uv', 'builder', 'runtime'] : ['builder', 'runtime'],
        );
        const runtime = stages.at(-1)!;
        // exec-form CMD survives quoting exactly
        const cmds = kw(runtime.ins, 'CMD');
        expect(cmds).toHaveLength(1);
        expect(jsonArgs(cmds[0]!)).toEqual(plan.command);
        // numeric user
        const user = kw(runtime.ins, 'USER')[0]!.getRawArgumentsContent()!;
        expect(user).toMatch(/^\d+:\d+$/);
        // the user the plan chose, distroless or not: detect and the Dockerfile agree
        expect(user).toBe(`${plan.user.uid}:${plan.user.gid}`);
        // no shell in distroless
        if (plan.image.distroless) expect(kw(runtime.ins, 'RUN')).toEqual([]);
        // EXPOSE and HEALTHCHECK
        expect(kw(runtime.ins, 'EXPOSE').map((e) => e.getRawArgumentsContent())).toEqual(
          plan.port === null ? [] : [String(plan.port)],
        );
        const hc = kw(runtime.ins, 'HEALTHCHECK');
        expect(hc.length).toBe(plan.port !== null && plan.healthcheckPath ? 1 : 0);
        if (hc[0]) expect(jsonArgs(hc[0])[2]).toContain(`:${plan.port}`);
        // runtime copies only from the builder; every ENV value round-trips
        for (const c of kw(runtime.ins, 'COPY') as Copy[])
          expect(c.getFromFlag()?.getValue()).toBe('builder');
        const envs = (
          kw(runtime.ins, 'ENV') as unknown as {
            getProperties(): { getName(): string; getValue(): string | null }[];
          }[]
        )
          .flatMap((e) => e.getProperties())
          .map((p) => [p.getName(), p.getValue()]);
        for (const [k, v] of Object.entries(plan.env)) {
          if (['PATH', 'VIRTUAL_ENV', 'PYTHONUNBUFFERED', 'PYTHONDONTWRITEBYTECODE'].includes(k)) continue;
          const got = envs.find(([n]) => n === k);
          expect(got).toBeDefined();
          // dockerfile-ast returns the unquoted value with escapes resolved
          expect(unescapeEnv(got![1] ?? '')).toBe(v);
        }
        // no ARG or secret leaks into the runtime stage
        expect(kw(runtime.ins, 'ARG')).toEqual([]);
        // dockerfile-utils wrongly rejects an escaped quote inside a double-quoted ENV value (Docker
        // accepts it: checked with a real build); validate the files without one.
        if (!Object.values(plan.env).some((v) => /["']/.test(v))) {
          expect(validate(text).filter((d) => d.severity === 1)).toEqual([]);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('values Docker cannot hold', () => {
  it('refuses an environment value with a line break instead of writing a wrong one', () => {
    expect(() => renderDockerfile(testPlan({ env: { A: 'two\nlines' } }))).toThrow(/line break/);
  });
});

function unescapeEnv(v: string): string {
  // dockerfile-ast keeps `\$` as written; Docker resolves it to `$`.
  return v.replace(/\\\$/g, '$');
}

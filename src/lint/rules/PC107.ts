import { commandsOf, hasFlag, isDependencyInstall, pipInstalls, toolCalls } from '../helpers.js';
import type { Inst } from '../model.js';
import { baseName } from '../shell.js';
import { type LockManager, projectLock } from '../support/lockinfo.js';
import type { Rule } from '../types.js';

function usesLock(inst: Inst, manager: LockManager): boolean {
  switch (manager) {
    case 'uv':
      return (
        toolCalls(inst, 'uv', ['sync', 'export']).length > 0 ||
        commandsOf(inst).some(
          ({ argv }) => baseName(argv[0]) === 'uv' && argv.some((w) => w.value === 'uv.lock'),
        )
      );
    case 'poetry':
      return toolCalls(inst, 'poetry', ['install', 'sync', 'export']).length > 0;
    case 'pdm':
      return toolCalls(inst, 'pdm', ['install', 'sync', 'export']).length > 0;
    case 'pipenv':
      return toolCalls(inst, 'pipenv', ['install', 'sync', 'requirements']).length > 0;
  }
}

export const PC107: Rule = {
  id: 'PC107',
  name: 'lock-not-used',
  severity: 'warning',
  project: true,
  summary: 'The project has a lock file, but the Dockerfile installs dependencies without it',
  rationale:
    'A lock file (uv.lock, poetry.lock, pdm.lock, Pipfile.lock) records the exact versions that were tested. ' +
    '`pip install .` or `pip install -r` of loose requirements resolves again at build time, so every build can ' +
    'get different versions, including broken or compromised releases.',
  fix: 'Install with the lock: `uv sync --locked`, `poetry install --only main`, `pdm sync --prod`, `pipenv install --deploy` (or export the lock to a hashed requirements file).',
  caseProject: {
    files: {
      'pyproject.toml': '[project]\nname = "app"\nversion = "1.0"\nrequires-python = ">=3.11"\n',
      'uv.lock': 'version = 1\n',
    },
    plan: { packageManager: 'uv', lockfile: 'uv.lock' },
  },
  cases: {
    bad: [
      'FROM python:3.12-slim\nCOPY . /app\nRUN pip install --no-cache-dir /app\n',
      'FROM python:3.12-slim\nCOPY pyproject.toml .\nRUN pip install --no-cache-dir .\n',
    ],
    good: [
      'FROM python:3.12-slim\nCOPY pyproject.toml uv.lock ./\nRUN uv sync --locked --no-dev --no-install-project\n',
      'FROM python:3.12-slim\nCOPY uv.lock pyproject.toml ./\nRUN uv export --locked --no-dev -o requirements.txt && pip install --no-cache-dir -r requirements.txt\n',
    ],
  },
  check({ model, project, report }) {
    if (!project) return;
    const lock = projectLock(project);
    if (!lock) return;
    const installs = model.stages
      .filter((s) => s.used)
      .flatMap((s) => s.instructions.filter((i) => i.keyword === 'RUN'));
    const deps = installs.filter((i) => isDependencyInstall(i));
    if (deps.length === 0) return;
    if (installs.some((i) => usesLock(i, lock.manager))) return;
    // `pip install -r requirements.txt` in a poetry/uv/pdm project is reported by PC402 instead.
    const first = deps[0]!;
    const calls = pipInstalls(first, { uv: true });
    if (calls.some((c) => hasFlag(c.rest, '-r', '--requirement')) && lock.manager !== 'pipenv') return;
    const call = calls[0];
    report({
      start: call ? call.argv[0]!.start : first.start,
      end: call ? call.argv[call.sub]!.end : first.keywordEnd,
      message: `the project locks its dependencies in ${lock.file} (${lock.manager}), but this install does not use the lock`,
    });
  },
};

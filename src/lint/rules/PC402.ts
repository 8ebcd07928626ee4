import { commandsOf, copyFrom, copyParts, toolCalls } from '../helpers.js';
import { baseName } from '../shell.js';
import { projectLock } from '../support/lockinfo.js';
import type { Rule } from '../types.js';

const REQ = /(^|\/)requirements[\w.-]*\.txt$/;

export const PC402: Rule = {
  id: 'PC402',
  name: 'requirements-vs-lock',
  severity: 'warning',
  project: true,
  summary: 'The Dockerfile installs from requirements.txt while the project locks with uv, Poetry or PDM',
  rationale:
    'When the project is managed with uv, Poetry or PDM, the lock file is the source of truth; a committed ' +
    'requirements.txt is a copy that goes stale the first time someone adds a dependency without re-exporting. ' +
    'The image then differs from what developers and CI run.',
  fix: 'Install from the lock (`uv sync --locked`, `poetry install --only main`, `pdm sync --prod`), or export it during the build (`uv export --locked`, `poetry export`, `pdm export`).',
  caseProject: {
    files: {
      'pyproject.toml': '[tool.poetry]\nname = "app"\nversion = "1.0"\n',
      'poetry.lock': '[metadata]\nlock-version = "2.0"\n',
      'requirements.txt': 'flask==3.0.0\n',
    },
    plan: { packageManager: 'poetry', lockfile: 'poetry.lock' },
  },
  cases: {
    bad: [
      'FROM python:3.12-slim\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\n',
    ],
    good: [
      'FROM python:3.12-slim\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --only main --no-root\n',
      'FROM python:3.12-slim\nCOPY pyproject.toml poetry.lock ./\nRUN poetry export -o requirements.txt && pip install --no-cache-dir -r requirements.txt\n',
    ],
  },
  check({ model, project, report }) {
    if (!project) return;
    const lock = projectLock(project);
    if (!lock || lock.manager === 'pipenv') return;
    const used = model.stages.filter((s) => s.used).flatMap((s) => s.instructions);
    const exported = used.some(
      (i) =>
        i.keyword === 'RUN' &&
        (toolCalls(i, lock.manager, ['export']).length > 0 ||
          commandsOf(i).some(({ argv }) => baseName(argv[0]) === 'uv' && argv[1]?.value === 'export')),
    );
    if (exported) return;
    for (const inst of used) {
      if (inst.keyword !== 'COPY' || copyFrom(inst)) continue;
      for (const s of copyParts(inst).sources) {
        if (!REQ.test(s.value)) continue;
        report({
          start: s.start,
          end: s.end,
          message: `copies ${s.value}, but the project locks its dependencies with ${lock.manager} (${lock.file})`,
        });
      }
    }
  },
};

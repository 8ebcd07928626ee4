import { flagValue, hasFlag, toolCalls } from '../helpers.js';
import type { Rule } from '../types.js';

export const PC201: Rule = {
  id: 'PC201',
  name: 'poetry-dev-deps',
  severity: 'warning',
  summary: '`poetry install` installs the dev group: use `--only main` (or `--without dev`)',
  rationale:
    'By default `poetry install` installs every non-optional group, dev included: pytest, linters, type checkers ' +
    'and their dependencies end up in the virtualenv that is copied into the image: bigger, slower to build, ' +
    'more CVEs to triage.',
  fix: 'Use `poetry install --only main --no-root` for the dependency layer (Poetry < 1.2: `--no-dev`).',
  cases: {
    bad: [
      'FROM python:3.12-slim\nRUN poetry install --no-root\n',
      'FROM python:3.12-slim\nRUN poetry install --no-root --with dev\n',
    ],
    good: [
      'FROM python:3.12-slim\nRUN poetry install --only main --no-root\n',
      'FROM python:3.12-slim\nRUN poetry install --only=main --no-root\n',
      'FROM python:3.12-slim\nRUN poetry install --without dev,test --no-root\n',
      'FROM python:3.12-slim\nRUN poetry install --no-dev --no-root\n',
    ],
  },
  check({ model, report }) {
    for (const inst of model.instructions) {
      if (inst.keyword !== 'RUN' || !inst.stage?.used) continue;
      for (const c of toolCalls(inst, 'poetry', ['install', 'sync'])) {
        const only = flagValue(c.rest, '--only');
        const withGroups = flagValue(c.rest, '--with');
        const without = flagValue(c.rest, '--without');
        const dev = /(^|,)\s*(dev|test|tests|lint|docs)\s*(,|$)/;
        const bad =
          (withGroups !== null && dev.test(withGroups.value)) ||
          (only !== null && dev.test(only.value)) ||
          (only === null && without === null && !hasFlag(c.rest, '--no-dev', '--only-root'));
        if (!bad) continue;
        report({
          start: c.argv[0]!.start,
          end: c.argv[c.sub]!.end,
          message: 'poetry install also installs the dev dependencies into the image',
        });
      }
    }
  },
};

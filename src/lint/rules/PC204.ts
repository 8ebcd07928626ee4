import { envValue, flagValue, hasFlag, isTruthy, toolCalls } from '../helpers.js';
import type { Rule } from '../types.js';

export const PC204: Rule = {
  id: 'PC204',
  name: 'uv-sync-dev',
  severity: 'warning',
  summary: '`uv sync` installs the dev dependency group: add `--no-dev`',
  rationale:
    '`uv sync` installs the `dev` group by default. Test and lint tools then ship in the image: more megabytes, ' +
    'more packages to patch.',
  fix: 'Use `uv sync --locked --no-dev` (or `ENV UV_NO_DEV=1`).',
  cases: {
    bad: [
      'FROM python:3.12-slim\nRUN uv sync --locked\n',
      'FROM python:3.12-slim\nRUN uv sync --locked --no-dev --all-groups\n',
    ],
    good: [
      'FROM python:3.12-slim\nRUN uv sync --locked --no-dev\n',
      'FROM python:3.12-slim\nRUN uv sync --locked --only-group web\n',
      'FROM python:3.12-slim\nENV UV_NO_DEV=1\nRUN uv sync --locked\n',
      'FROM python:3.12-slim AS test\nRUN uv sync --locked\nFROM python:3.12-slim\n',
    ],
  },
  check({ model, report }) {
    for (const inst of model.instructions) {
      if (inst.keyword !== 'RUN' || !inst.stage?.used) continue;
      for (const c of toolCalls(inst, 'uv', ['sync'])) {
        const group = flagValue(c.rest, '--group');
        const addsDev =
          hasFlag(c.rest, '--dev', '--all-groups') ||
          (group !== null && /^(dev|test|lint)$/.test(group.value));
        const noDev =
          hasFlag(c.rest, '--no-dev', '--only-group', '--no-default-groups', '--only-dev') ||
          isTruthy(envValue(c, 'UV_NO_DEV'));
        if (noDev && !addsDev) continue;
        report({
          start: c.argv[0]!.start,
          end: c.argv[c.sub]!.end,
          message: 'uv sync installs the dev dependencies into the image',
        });
      }
    }
  },
};

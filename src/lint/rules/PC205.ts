import { hasFlag, toolCalls } from '../helpers.js';
import type { Rule } from '../types.js';

export const PC205: Rule = {
  id: 'PC205',
  name: 'pipenv-no-deploy',
  severity: 'warning',
  summary: '`pipenv install` without `--deploy` can ignore or rewrite Pipfile.lock',
  rationale:
    'Without `--deploy`, `pipenv install` re-locks when Pipfile.lock is out of date and installs the new resolution, ' +
    'so the image does not contain what was tested. `--deploy` aborts on a stale lock; `pipenv sync` installs the ' +
    'lock as is. `--dev` adds the development packages.',
  fix: 'Use `pipenv install --deploy` (with `--system` or into a virtualenv), or `pipenv sync`; never `--dev` in the image.',
  cases: {
    bad: [
      'FROM python:3.12-slim\nRUN pipenv install --system\n',
      'FROM python:3.12-slim\nRUN pipenv install --deploy --dev\n',
    ],
    good: [
      'FROM python:3.12-slim\nRUN pipenv install --deploy --system\n',
      'FROM python:3.12-slim\nRUN pipenv sync\n',
    ],
  },
  check({ model, report }) {
    for (const inst of model.instructions) {
      if (inst.keyword !== 'RUN') continue;
      for (const c of toolCalls(inst, 'pipenv', ['install', 'sync'])) {
        const dev = hasFlag(c.rest, '--dev', '-d');
        const sub = c.argv[c.sub]!.value;
        if (!dev && (sub === 'sync' || hasFlag(c.rest, '--deploy', '--ignore-pipfile'))) continue;
        report({
          start: c.argv[0]!.start,
          end: c.argv[c.sub]!.end,
          message: dev
            ? 'pipenv installs the development packages into the image'
            : 'pipenv install without --deploy may re-lock at build time',
        });
      }
    }
  },
};

import type { Rule } from '../types.js';

export const PC309: Rule = {
  id: 'PC309',
  name: 'multiple-cmd',
  severity: 'warning',
  summary: 'Only the last CMD, ENTRYPOINT or HEALTHCHECK of a stage takes effect',
  rationale:
    'A second CMD (or ENTRYPOINT, or HEALTHCHECK) silently replaces the first. The earlier one is dead code that ' +
    'readers take for the real start command, usually a leftover from a copy and paste.',
  fix: 'Keep one CMD, one ENTRYPOINT and one HEALTHCHECK per stage.',
  cases: {
    bad: ['FROM python:3.12-slim\nCMD ["python", "app.py"]\nCMD ["gunicorn", "app:app"]\n'],
    good: [
      'FROM python:3.12-slim\nENTRYPOINT ["gunicorn"]\nCMD ["app:app"]\n',
      'FROM python:3.12-slim AS a\nCMD ["a"]\nFROM python:3.12-slim\nCMD ["b"]\n',
    ],
  },
  check({ model, report }) {
    for (const s of model.stages) {
      for (const k of ['CMD', 'ENTRYPOINT', 'HEALTHCHECK']) {
        const list = s.instructions.filter((i) => i.keyword === k);
        for (const inst of list.slice(0, -1)) {
          report({
            start: inst.start,
            end: inst.keywordEnd,
            message: `this ${k} is overridden by a later ${k} in the same stage`,
          });
        }
      }
    }
  },
};

import { copyFrom, copyParts, isWholeContext } from '../helpers.js';
import type { Rule } from '../types.js';

const TESTISH =
  /(^|\/)(tests?|testing)(\/|$)|(^|\/)(conftest\.py|pytest\.ini|tox\.ini|noxfile\.py)$|(^|\/)__pycache__(\/|$)|\.py[co]$/;

export const PC106: Rule = {
  id: 'PC106',
  name: 'pycache-or-tests-in-image',
  severity: 'warning',
  usesProject: true,
  summary: 'Do not copy tests, `__pycache__` or `.pyc` files into the final image',
  rationale:
    'Tests, fixtures and compiled bytecode from the developer machine make the image bigger, leak internal code, and ' +
    'stale `.pyc` files compiled for another interpreter can shadow the real sources. When the final stage copies ' +
    'the whole build context, the `.dockerignore` must exclude them (checked when the project is beside the Dockerfile).',
  fix: 'Copy only the application package, or add `__pycache__/`, `*.py[cod]` and `tests/` to `.dockerignore`.',
  cases: {
    bad: [
      'FROM python:3.12-slim\nCOPY app/ /app/app/\nCOPY tests/ /app/tests/\n',
      'FROM python:3.12-slim\nCOPY conftest.py /app/\n',
    ],
    good: [
      'FROM python:3.12-slim AS test\nCOPY tests/ /app/tests/\nFROM python:3.12-slim\nCOPY app/ /app/app/\n',
      'FROM python:3.12-slim\nCOPY app/ /app/app/\n',
    ],
  },
  check({ model, project, report }) {
    for (const s of model.finalChain) {
      for (const inst of s.instructions) {
        if ((inst.keyword !== 'COPY' && inst.keyword !== 'ADD') || copyFrom(inst) || inst.heredocs.length > 0)
          continue;
        for (const src of copyParts(inst).sources) {
          const p = src.value.replace(/^\.\//, '');
          if (TESTISH.test(p)) {
            report({
              start: src.start,
              end: src.end,
              message: `'${src.value}' puts tests or bytecode into the final image`,
            });
          } else if (isWholeContext(src.value) && project) {
            const leaked: string[] = [];
            for (const [rel, dir] of [
              ['tests', true],
              ['test', true],
              ['__pycache__', true],
            ] as const) {
              if (!project.exists(rel)) continue;
              if (project.dockerignore?.excluded(rel, dir)) continue;
              leaked.push(rel);
            }
            if (leaked.length > 0)
              report({
                start: src.start,
                end: src.end,
                message: `copies the whole context into the final image, including ${leaked.join(', ')} (${project.dockerignore ? 'not excluded by .dockerignore' : 'no .dockerignore'})`,
              });
          }
        }
      }
    }
  },
};

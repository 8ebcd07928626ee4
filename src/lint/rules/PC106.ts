import { copyFrom, copyParts, isWholeContext } from '../helpers.js';
import { chainInstructions, stageByRef } from '../model.js';
import type { Rule } from '../types.js';

/** A COPY destination made absolute against the WORKDIR in effect. */
function absDest(dest: string | null, workdir: string | null): string {
  const d = dest ?? '.';
  if (d.startsWith('/')) return d.replace(/\/+$/, '') || '/';
  const base = (workdir ?? '/').replace(/\/+$/, '');
  const rel = d.replace(/^\.\/?/, '').replace(/\/+$/, '');
  return rel ? `${base}/${rel}` : base || '/';
}

/** `inner` is `outer` or below it. */
function within(inner: string, outer: string): boolean {
  return outer === '/' || inner === outer || inner.startsWith(`${outer}/`);
}

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
  caseProject: {
    files: {
      'app/main.py': 'print(1)\n',
      'tests/test_main.py': 'def test(): pass\n',
      '.dockerignore': '.git\n',
    },
  },
  cases: {
    bad: [
      'FROM python:3.12-slim\nCOPY app/ /app/app/\nCOPY tests/ /app/tests/\n',
      'FROM python:3.12-slim AS build\nWORKDIR /app\nCOPY . .\nFROM python:3.12-slim\nCOPY --from=build /app /app\n',
      'FROM python:3.12-slim\nCOPY . /app\n',
      'FROM python:3.12-slim\nCOPY conftest.py /app/\n',
    ],
    good: [
      'FROM python:3.12-slim AS test\nCOPY tests/ /app/tests/\nFROM python:3.12-slim\nCOPY app/ /app/app/\n',
      'FROM python:3.12-slim AS build\nWORKDIR /app\nCOPY . .\nRUN python -m venv /opt/venv\nFROM python:3.12-slim\nCOPY --from=build /opt/venv /opt/venv\n',
      'FROM python:3.12-slim\nCOPY app/ /app/app/\n',
    ],
  },
  check({ model, project, report }) {
    for (const s of model.finalChain) {
      for (const inst of s.instructions) {
        if ((inst.keyword !== 'COPY' && inst.keyword !== 'ADD') || inst.heredocs.length > 0) continue;
        const from = copyFrom(inst);
        if (from) {
          // `COPY --from=builder /app /app` brings whatever the builder copied from the context there.
          const stage = stageByRef(model, from);
          if (!stage || !project) continue;
          for (const src of copyParts(inst).sources) {
            const path = src.value.replace(/\/+$/, '') || '/';
            const wholeInto = chainInstructions(stage).some(
              (i) =>
                (i.keyword === 'COPY' || i.keyword === 'ADD') &&
                !copyFrom(i) &&
                copyParts(i).sources.some((x) => isWholeContext(x.value)) &&
                within(absDest(copyParts(i).dest, i.workdir), path),
            );
            if (wholeInto)
              reportLeaks(src, `'${src.value}' from stage '${from}' holds the whole build context`);
          }
          continue;
        }
        for (const src of copyParts(inst).sources) {
          const p = src.value.replace(/^\.\//, '');
          if (TESTISH.test(p)) {
            report({
              start: src.start,
              end: src.end,
              message: `'${src.value}' puts tests or bytecode into the final image`,
            });
          } else if (isWholeContext(src.value))
            reportLeaks(src, 'copies the whole context into the final image');
        }
      }
    }

    function reportLeaks(src: { start: number; end: number }, what: string): void {
      if (!project) return;
      const leaked: string[] = [];
      for (const rel of ['tests', 'test', '__pycache__']) {
        if (!project.exists(rel)) continue;
        if (project.dockerignore?.excluded(rel, true)) continue;
        leaked.push(rel);
      }
      if (leaked.length > 0)
        report({
          start: src.start,
          end: src.end,
          message: `${what}, including ${leaked.join(', ')} (${project.dockerignore ? 'not excluded by .dockerignore' : 'no .dockerignore'})`,
        });
    }
  },
};

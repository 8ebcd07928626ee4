import { copyFrom, copyParts, hasFlag, isWholeContext, toolCalls } from '../helpers.js';
import { chainInstructions } from '../model.js';
import type { Rule } from '../types.js';

export const PC202: Rule = {
  id: 'PC202',
  name: 'poetry-no-root',
  severity: 'warning',
  usesProject: true,
  summary: '`poetry install` in the dependency layer needs `--no-root`',
  rationale:
    'The dependency layer runs before the application code is copied, so the layer stays cached while only code ' +
    'changes. Without `--no-root`, Poetry also tries to install the project itself: it fails because the package ' +
    'directory is not there yet, or installs it in editable mode pointing at files that change later.',
  fix: 'Install dependencies with `poetry install --only main --no-root`, copy the code, then install the project (e.g. `pip install --no-deps .`).',
  cases: {
    bad: [
      'FROM python:3.12-slim\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --only main\nCOPY . .\n',
    ],
    good: [
      'FROM python:3.12-slim\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --only main --no-root\nCOPY . .\n',
      'FROM python:3.12-slim\nCOPY . .\nRUN poetry install --only main\n',
    ],
  },
  check({ model, project, report }) {
    if (project?.read('pyproject.toml')?.match(/^\s*package-mode\s*=\s*false/m)) return;
    for (const inst of model.instructions) {
      if (inst.keyword !== 'RUN' || !inst.stage) continue;
      const calls = toolCalls(inst, 'poetry', ['install', 'sync']);
      if (calls.length === 0) continue;
      // Has the code been copied before this instruction (this stage or its parents)?
      const before = chainInstructions(inst.stage).filter((i) => i.index < inst.index);
      const codeCopied = before.some(
        (i) =>
          (i.keyword === 'COPY' || i.keyword === 'ADD') &&
          !copyFrom(i) &&
          copyParts(i).sources.some((s) => isWholeContext(s.value) || /^(\.\/)?(src|app)\/?$/.test(s.value)),
      );
      if (codeCopied) continue;
      for (const c of calls) {
        if (hasFlag(c.rest, '--no-root', '--only-root', '--no-directory')) continue;
        report({
          start: c.argv[0]!.start,
          end: c.argv[c.sub]!.end,
          message: 'poetry install runs before the code is copied: add --no-root',
        });
      }
    }
  },
};

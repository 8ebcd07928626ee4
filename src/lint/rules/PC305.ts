import { copyFrom, copyParts, isDependencyInstall, isWholeContext } from '../helpers.js';
import { chainInstructions } from '../model.js';
import type { Rule } from '../types.js';

export const PC305: Rule = {
  id: 'PC305',
  name: 'copy-all-before-deps',
  severity: 'warning',
  summary: '`COPY . .` before the dependency install busts the cache on every code change',
  rationale:
    'Docker reuses a layer only when everything before it is unchanged. Copying the whole context first means any ' +
    'edit to any file reinstalls all dependencies: minutes per build instead of seconds. Copy the manifests ' +
    '(pyproject.toml, lock file, requirements.txt) first, install, then copy the code.',
  fix: 'Copy `pyproject.toml` and the lock (or `requirements.txt`) first, install the dependencies, then `COPY . .`.',
  cases: {
    bad: [
      'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir -r requirements.txt\n',
      'FROM python:3.12-slim\nWORKDIR /app\nCOPY . /app\nRUN poetry install --only main\n',
    ],
    good: [
      'FROM python:3.12-slim\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n',
      'FROM python:3.12-slim\nWORKDIR /app\nCOPY pyproject.toml poetry.lock ./\nRUN poetry install --only main --no-root\nCOPY . .\nRUN poetry install --only main\n',
    ],
  },
  check({ model, report }) {
    for (const stage of model.stages) {
      const chain = chainInstructions(stage);
      let copyAll = null as null | { start: number; end: number };
      let installedBefore = false;
      for (const inst of chain) {
        if (inst.keyword === 'RUN' && isDependencyInstall(inst)) {
          if (copyAll && !installedBefore && inst.stage === stage) {
            report({
              start: copyAll.start,
              end: copyAll.end,
              message:
                'the whole context is copied before the dependencies are installed: every code change reinstalls them',
            });
            break;
          }
          installedBefore = true;
        }
        if ((inst.keyword === 'COPY' || inst.keyword === 'ADD') && !copyFrom(inst) && !copyAll) {
          if (copyParts(inst).sources.some((s) => isWholeContext(s.value)))
            copyAll = { start: inst.start, end: inst.end };
        }
      }
    }
  },
};

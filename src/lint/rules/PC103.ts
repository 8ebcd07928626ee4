import { envValue, hasCacheMount, hasFlag, isTruthy, pipInstalls } from '../helpers.js';
import type { Rule } from '../types.js';

export const PC103: Rule = {
  id: 'PC103',
  name: 'pip-cache-kept',
  severity: 'warning',
  summary:
    '`pip install` keeps its download cache in the layer: use `--no-cache-dir` or a BuildKit cache mount',
  rationale:
    'pip stores every downloaded wheel under `~/.cache/pip`. In an image layer that cache is dead weight (often tens ' +
    'to hundreds of MB) that is shipped and pulled with every deployment. A BuildKit cache mount keeps the cache ' +
    'outside the image and makes rebuilds faster, which is better still.',
  fix: 'Add `--no-cache-dir`, set `ENV PIP_NO_CACHE_DIR=1`, or use `RUN --mount=type=cache,target=/root/.cache/pip pip install ...`.',
  fixable: true,
  cases: {
    bad: [
      'FROM python:3.12-slim\nRUN pip install -r requirements.txt\n',
      'FROM python:3.12-slim\nRUN python -m pip install flask==3.0.0\n',
      'FROM python:3.12-slim\nRUN python3 -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt\n',
    ],
    good: [
      'FROM python:3.12-slim\nRUN pip install --no-cache-dir -r requirements.txt\n',
      'FROM python:3.12-slim\nRUN --mount=type=cache,target=/root/.cache/pip pip install -r requirements.txt\n',
      'FROM python:3.12-slim\nENV PIP_NO_CACHE_DIR=1\nRUN pip install -r requirements.txt\n',
      'FROM python:3.12-slim\nRUN PIP_NO_CACHE_DIR=1 pip install flask\n',
      'FROM python:3.12-slim\nRUN pipenv install --deploy --system\n',
    ],
  },
  check({ model, report }) {
    for (const inst of model.instructions) {
      if (inst.keyword !== 'RUN') continue;
      for (const call of pipInstalls(inst)) {
        if (hasFlag(call.argv, '--no-cache-dir')) continue;
        if (isTruthy(envValue(call, 'PIP_NO_CACHE_DIR'))) continue;
        const cacheDir = envValue(call, 'PIP_CACHE_DIR');
        if (
          hasCacheMount(
            inst,
            (t) => t.includes('.cache/pip') || t === '/root/.cache' || (!!cacheDir && t === cacheDir),
          )
        )
          continue;
        const sub = call.argv[call.sub]!;
        report({
          start: call.argv[0]!.start,
          end: sub.end,
          message: 'pip install without --no-cache-dir keeps the wheel cache in the image layer',
          fix: {
            description: 'add --no-cache-dir',
            edits: [{ start: sub.end, end: sub.end, text: ' --no-cache-dir' }],
          },
        });
      }
    }
  },
};

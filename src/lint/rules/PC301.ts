import { aptCalls } from '../helpers.js';
import type { Rule } from '../types.js';

export const PC301: Rule = {
  id: 'PC301',
  name: 'apt-update-install-split',
  severity: 'warning',
  summary: '`apt-get update` and `apt-get install` belong in the same RUN',
  rationale:
    'Each RUN is a cached layer. An `apt-get update` alone is cached forever, so a later `apt-get install` (perhaps ' +
    'with a new package) runs against stale package lists and fails with 404 errors or installs outdated versions. ' +
    'An install without an update in the same RUN fails on images that ship without package lists.',
  fix: 'Write `RUN apt-get update && apt-get install -y --no-install-recommends pkg && rm -rf /var/lib/apt/lists/*`.',
  cases: {
    bad: [
      'FROM python:3.12-slim\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends libpq5\n',
      'FROM python:3.12-slim\nRUN apt-get install -y --no-install-recommends libpq5\n',
    ],
    good: [
      'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*\n',
    ],
  },
  check({ model, report }) {
    for (const inst of model.instructions) {
      if (inst.keyword !== 'RUN') continue;
      const updates = aptCalls(inst, ['update']);
      const installs = aptCalls(inst, ['install']);
      if (updates.length > 0 && installs.length === 0) {
        const u = updates[0]!;
        report({
          start: u.argv[0]!.start,
          end: u.argv[u.sub]!.end,
          message: 'apt-get update without an install in the same RUN: its lists go stale in the cache',
        });
      } else if (installs.length > 0 && updates.length === 0) {
        const i = installs[0]!;
        report({
          start: i.argv[0]!.start,
          end: i.argv[i.sub]!.end,
          message: 'apt-get install without apt-get update in the same RUN',
        });
      }
    }
  },
};

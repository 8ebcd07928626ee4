import { commandsOf } from '../helpers.js';
import { baseName } from '../shell.js';
import type { Rule } from '../types.js';

export const PC311: Rule = {
  id: 'PC311',
  name: 'cd-in-run',
  severity: 'info',
  summary: 'Use WORKDIR instead of `cd` in RUN',
  rationale:
    '`cd` lasts only for its RUN, so later instructions run somewhere else than readers expect, and long ' +
    '`cd a && ... && cd ..` chains are easy to get wrong. WORKDIR states the directory once for what follows. ' +
    'A `cd` inside a subshell `( cd x && make )` is deliberate and not reported.',
  fix: 'Set `WORKDIR /path` before the RUN (or run the tool with its own directory option, e.g. `pip install ./pkg`).',
  cases: {
    bad: ['FROM python:3.12-slim\nRUN cd /app && pip install --no-cache-dir .\n'],
    good: [
      'FROM python:3.12-slim\nWORKDIR /app\nRUN pip install --no-cache-dir .\n',
      'FROM python:3.12-slim\nRUN (cd /src && make)\n',
    ],
  },
  check({ model, report }) {
    for (const inst of model.instructions) {
      if (inst.keyword !== 'RUN') continue;
      for (const { cmd, argv } of commandsOf(inst)) {
        if (baseName(argv[0]) !== 'cd' || cmd.subshell) continue;
        report({ start: argv[0]!.start, end: argv[argv.length - 1]!.end, message: 'cd in RUN: use WORKDIR' });
      }
    }
  },
};

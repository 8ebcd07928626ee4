import { baseName } from '../shell.js';
import type { Rule } from '../types.js';

export const PC312: Rule = {
  id: 'PC312',
  name: 'sudo',
  severity: 'warning',
  summary: 'Do not use sudo in a Dockerfile',
  rationale:
    'RUN already executes as the current USER; the usual images have no sudo, and installing it leaves a privilege ' +
    'escalation path in the image. Its TTY and signal handling also behave badly in builds.',
  fix: 'Switch with `USER root` for the privileged steps, then back to the application user.',
  cases: {
    bad: ['FROM python:3.12-slim\nUSER app\nRUN sudo apt-get update\n'],
    good: ['FROM python:3.12-slim\nUSER root\nRUN apt-get update\nUSER app\n'],
  },
  check({ model, report }) {
    for (const inst of model.instructions) {
      if (inst.keyword !== 'RUN') continue;
      for (const cmd of inst.commands) {
        const w = cmd.argv[0];
        if (w && baseName(w) === 'sudo')
          report({ start: w.start, end: w.end, message: 'sudo in RUN: use USER instead' });
      }
    }
  },
};

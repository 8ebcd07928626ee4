import { aptCalls, hasFlag } from '../helpers.js';
import type { Rule } from '../types.js';

export const PC303: Rule = {
  id: 'PC303',
  name: 'apt-missing-yes',
  severity: 'warning',
  summary: '`apt-get install` needs `-y` in a non-interactive build',
  rationale:
    'Without `-y` apt asks for confirmation; a build has no terminal to answer, so apt aborts and the build fails ' +
    'as soon as the install pulls in any extra package.',
  fix: 'Add `-y` (or `--yes`, or `-qq` which implies it).',
  fixable: true,
  cases: {
    bad: ['FROM python:3.12-slim\nRUN apt-get update && apt-get install --no-install-recommends libpq5\n'],
    good: [
      'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends libpq5\n',
      'FROM python:3.12-slim\nRUN apt-get update && apt-get -qq install --no-install-recommends libpq5\n',
      'FROM python:3.12-slim\nRUN apt-get update && apt-get install --assume-yes --no-install-recommends libpq5\n',
    ],
  },
  check({ model, report }) {
    for (const inst of model.instructions) {
      if (inst.keyword !== 'RUN') continue;
      for (const c of aptCalls(inst, ['install'])) {
        if (hasFlag(c.argv, '-y', '--yes', '--assume-yes')) continue;
        if (c.argv.some((w) => /^-[a-z]*q[a-z]*q/.test(w.value) || w.value === '--force-yes')) continue;
        if (c.cmd.before === '|') continue;
        if (/^(1|true|yes)$/i.test(c.inst.env.get('APT_GET_YES') ?? '')) continue;
        const sub = c.argv[c.sub]!;
        report({
          start: c.argv[0]!.start,
          end: sub.end,
          message: 'apt-get install without -y aborts at the confirmation prompt',
          fix: { description: 'add -y', edits: [{ start: sub.end, end: sub.end, text: ' -y' }] },
        });
      }
    }
  },
};

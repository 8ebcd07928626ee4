import { aptCalls, hasFlag } from '../helpers.js';
import type { Rule } from '../types.js';

export const PC302: Rule = {
  id: 'PC302',
  name: 'apt-no-install-recommends',
  severity: 'warning',
  summary: 'Use `apt-get install --no-install-recommends`',
  rationale:
    'Recommended packages are not needed to run the software that asks for them, and often double the size of an ' +
    'install (for example `libpq-dev` recommends a whole toolchain of docs and extras). They also add packages to ' +
    'patch.',
  fix: 'Add `--no-install-recommends` to `apt-get install`.',
  fixable: true,
  cases: {
    bad: [
      'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y libpq5 && rm -rf /var/lib/apt/lists/*\n',
    ],
    good: [
      'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*\n',
      'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y -o APT::Install-Recommends=false libpq5\n',
      'FROM python:3.12-slim\nRUN echo \'APT::Install-Recommends "false";\' > /etc/apt/apt.conf.d/99norecommends\nRUN apt-get update && apt-get install -y libpq5\n',
    ],
  },
  check({ model, report }) {
    // Index of the first RUN of each stage that writes an apt config turning recommends off.
    const configuredAt = new Map<unknown, number>();
    for (const inst of model.instructions) {
      if (inst.keyword !== 'RUN' || !inst.stage || configuredAt.has(inst.stage)) continue;
      if (/Install-Recommends\W+("?)(false|0)/i.test(model.text.slice(inst.start, inst.end)))
        configuredAt.set(inst.stage, inst.index);
    }
    for (const inst of model.instructions) {
      if (inst.keyword !== 'RUN' || !inst.stage) continue;
      const at = configuredAt.get(inst.stage);
      if (at !== undefined && at < inst.index) continue;
      for (const c of aptCalls(inst, ['install'])) {
        if (hasFlag(c.rest, '--no-install-recommends')) continue;
        if (c.rest.some((w) => /Install-Recommends=(false|0)/i.test(w.value))) continue;
        const sub = c.argv[c.sub]!;
        report({
          start: c.argv[0]!.start,
          end: sub.end,
          message: 'apt-get install without --no-install-recommends pulls in packages nobody asked for',
          fix: {
            description: 'add --no-install-recommends',
            edits: [{ start: sub.end, end: sub.end, text: ' --no-install-recommends' }],
          },
        });
      }
    }
  },
};

import { expand, rootImage } from '../model.js';
import type { Rule } from '../types.js';

/** Images whose default working directory is `/`. */
const ROOT_WORKDIR = /(^|\/)(python|debian|ubuntu|alpine|busybox)$/;

export const PC310: Rule = {
  id: 'PC310',
  name: 'relative-workdir',
  severity: 'warning',
  summary: 'Use an absolute WORKDIR',
  rationale:
    'A relative WORKDIR is resolved against the previous one, which may come from the base image and change when it ' +
    'does. An absolute path says where the application lives; COPY destinations and the CMD depend on it.',
  fix: 'Write `WORKDIR /app`.',
  fixable: true,
  cases: {
    bad: ['FROM python:3.12-slim\nWORKDIR app\n', 'FROM python:3.12-slim\nWORKDIR /srv\nWORKDIR app\n'],
    good: ['FROM python:3.12-slim\nWORKDIR /app\n', 'FROM python:3.12-slim\nENV APP=/app\nWORKDIR $APP\n'],
  },
  check({ model, report }) {
    for (const inst of model.instructions) {
      if (inst.keyword !== 'WORKDIR' || !inst.stage) continue;
      const arg = inst.args[0];
      if (!arg || inst.args.length !== 1) continue;
      const { value, unresolved } = expand(arg.value, inst.vars);
      if (unresolved || value.startsWith('/') || /^[A-Za-z]:[\\/]/.test(value)) continue;
      let base: string | null = inst.workdir;
      if (base === null && ROOT_WORKDIR.test(rootImage(inst.stage).name)) base = '/';
      const literal = !arg.value.includes('$');
      const abs = base?.startsWith('/') ? `${base.replace(/\/+$/, '')}/${value}` : null;
      report({
        start: arg.start,
        end: arg.end,
        message: `WORKDIR '${arg.value}' is relative${abs ? ` (resolves to ${abs})` : ''}`,
        fix:
          abs && literal
            ? {
                description: `make it absolute: ${abs}`,
                edits: [{ start: arg.start, end: arg.end, text: abs }],
              }
            : undefined,
      });
    }
  },
};

import { isDistroless, rootImage } from '../model.js';
import type { Rule } from '../types.js';

export const PC307: Rule = {
  id: 'PC307',
  name: 'shell-form-cmd',
  severity: 'warning',
  summary: 'Use the exec (JSON) form for CMD and ENTRYPOINT',
  rationale:
    'In shell form the container runs `/bin/sh -c "..."`: the shell is PID 1 and does not forward SIGTERM, so ' +
    '`docker stop` waits 10 seconds and kills gunicorn/uvicorn without a graceful shutdown; in-flight requests ' +
    'are dropped. The exec form runs the server as PID 1 and it receives the signal.',
  fix: 'Write `CMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]` (or `exec` the server from a script).',
  cases: {
    bad: [
      'FROM python:3.12-slim\nCMD gunicorn --bind 0.0.0.0:8000 app:app\n',
      'FROM python:3.12-slim\nENTRYPOINT python -m app\n',
    ],
    good: [
      'FROM python:3.12-slim\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n',
      'FROM python:3.12-slim\nCMD exec gunicorn app:app\n',
      'FROM python:3.12-slim AS build\nCMD make\nFROM python:3.12-slim\nCMD ["python", "-m", "app"]\n',
    ],
  },
  check({ model, report }) {
    for (const s of model.finalChain) {
      if (isDistroless(rootImage(s))) continue; // PC308 reports those as errors.
      for (const inst of s.instructions) {
        if (inst.keyword !== 'CMD' && inst.keyword !== 'ENTRYPOINT') continue;
        if (inst.exec || inst.commands.length === 0) continue;
        const first = inst.commands.find((c) => c.argv.length > 0);
        if (first?.argv[0]?.value === 'exec' && inst.commands.filter((c) => c.argv.length > 0).length === 1)
          continue;
        report({
          start: inst.start,
          end: inst.end,
          message: `${inst.keyword} in shell form: /bin/sh becomes PID 1 and the app never sees SIGTERM`,
        });
      }
    }
  },
};

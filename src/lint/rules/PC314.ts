// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the cases are Dockerfiles, whose ${VAR} is not JavaScript
import { expand } from '../model.js';
import type { Rule } from '../types.js';

export const PC314: Rule = {
  id: 'PC314',
  name: 'invalid-expose',
  severity: 'error',
  summary: 'EXPOSE takes ports 1-65535 with an optional /tcp, /udp or /sctp',
  rationale:
    'An invalid port fails the build, and `EXPOSE 8000:8000` reflects a misunderstanding: EXPOSE documents the ' +
    'port the application listens on; publishing to the host is `docker run -p`.',
  fix: 'Write `EXPOSE 8000` (or `EXPOSE 8000/tcp`); publish with `docker run -p 8000:8000`.',
  cases: {
    bad: [
      'FROM python:3.12-slim\nEXPOSE 80000\n',
      'FROM python:3.12-slim\nEXPOSE 8000:8000\n',
      'FROM python:3.12-slim\nEXPOSE 8000/http\n',
    ],
    good: [
      'FROM python:3.12-slim\nEXPOSE 8000\n',
      'FROM python:3.12-slim\nEXPOSE 8000/tcp 9000-9010/udp\n',
      'FROM python:3.12-slim\nARG PORT=8000\nEXPOSE ${PORT}\n',
    ],
  },
  check({ model, report }) {
    for (const inst of model.instructions) {
      if (inst.keyword !== 'EXPOSE') continue;
      for (const a of inst.args) {
        const { value, unresolved } = expand(a.value, inst.vars);
        if (unresolved) continue;
        const m = /^(\d+)(?:-(\d+))?(?:\/(\w+))?$/.exec(value);
        let problem: string | null = null;
        if (!m)
          problem = value.includes(':')
            ? 'EXPOSE does not publish ports (no host:container mapping)'
            : 'not a port';
        else {
          const lo = Number(m[1]);
          const hi = m[2] ? Number(m[2]) : lo;
          if (lo < 1 || hi > 65535 || lo > 65535) problem = 'port out of range 1-65535';
          else if (hi < lo) problem = 'empty port range';
          else if (m[3] && !/^(tcp|udp|sctp)$/i.test(m[3])) problem = `unknown protocol '${m[3]}'`;
        }
        if (problem) report({ start: a.start, end: a.end, message: `EXPOSE '${a.value}': ${problem}` });
      }
    }
  },
};

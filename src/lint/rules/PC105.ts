import { copyFrom, copyParts, flagValue, hasFlag, pipInstalls } from '../helpers.js';
import { stageByRef } from '../model.js';
import type { Rule } from '../types.js';

const SITE =
  /(^|\/)(site-packages|dist-packages)(\/|$)|^\/root\/\.local(\/|$)|^\/usr\/local\/lib\/python[\d.]*(\/|$)|^\/usr\/lib\/python3/;

export const PC105: Rule = {
  id: 'PC105',
  name: 'no-venv-in-multistage',
  severity: 'warning',
  summary:
    'Copy a virtualenv between stages, not site-packages, `~/.local` or a `--prefix`/`--target` directory',
  rationale:
    'Copying installed packages out of a system site-packages, `pip install --user` (`/root/.local`) or a ' +
    '`--prefix`/`--target` directory misses console scripts or puts them where PATH does not look, mixes ' +
    "the application's packages with the base image's own, and breaks silently when the two stages' Python " +
    'paths differ. A virtualenv at the same absolute path in both stages is one self-contained directory.',
  fix: 'In the builder: `python -m venv /opt/venv` and install into it; in the final stage: `COPY --from=builder /opt/venv /opt/venv` and `ENV PATH=/opt/venv/bin:$PATH`.',
  cases: {
    bad: [
      'FROM python:3.12-slim AS build\nRUN pip install --user -r requirements.txt\nFROM python:3.12-slim\nCOPY --from=build /root/.local /root/.local\n',
      'FROM python:3.12-slim AS build\nRUN pip install --prefix=/install -r requirements.txt\nFROM python:3.12-slim\nCOPY --from=build /install /usr/local\n',
      'FROM python:3.12 AS build\nRUN pip install -r requirements.txt\nFROM python:3.12-slim\nCOPY --from=build /usr/local/lib/python3.12/site-packages /usr/local/lib/python3.12/site-packages\n',
    ],
    good: [
      'FROM python:3.12-slim AS build\nRUN python -m venv /opt/venv && /opt/venv/bin/pip install -r requirements.txt\nFROM python:3.12-slim\nCOPY --from=build /opt/venv /opt/venv\n',
      'FROM python:3.12-slim AS build\nRUN pip wheel --wheel-dir /wheels -r requirements.txt\nFROM python:3.12-slim\nCOPY --from=build /wheels /wheels\n',
    ],
  },
  check({ model, report }) {
    const final = model.final;
    if (!final) return;
    for (const s of model.finalChain) {
      for (const inst of s.instructions) {
        if (inst.keyword !== 'COPY') continue;
        const from = copyFrom(inst);
        if (!from) continue;
        const src = stageByRef(model, from);
        if (!src) continue;
        // Directories the source stage installed into with --prefix / --target / --root.
        const dirs = new Set<string>();
        for (const i of src.instructions) {
          for (const call of pipInstalls(i)) {
            for (const opt of ['--prefix', '--target', '-t', '--root']) {
              const v = flagValue(call.rest, opt);
              if (v) dirs.add(v.value.replace(/\/+$/, ''));
            }
            if (hasFlag(call.rest, '--user')) dirs.add('/root/.local');
          }
        }
        for (const source of copyParts(inst).sources) {
          const p = source.value.replace(/\/+$/, '');
          if (SITE.test(p) || dirs.has(p)) {
            report({
              start: source.start,
              end: source.end,
              message: `copies installed packages ('${source.value}') from stage '${from}' instead of a virtualenv`,
            });
          }
        }
      }
    }
  },
};

// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the cases are Dockerfiles, whose ${VAR} is not JavaScript
import { commandsOf, copyFrom, copyParts, toolCalls } from '../helpers.js';
import { rootImage, stageByRef } from '../model.js';
import { baseName } from '../shell.js';
import { pythonMinorOf } from '../support/python-minor.js';
import type { Rule } from '../types.js';

export const PC112: Rule = {
  id: 'PC112',
  name: 'venv-python-mismatch',
  severity: 'error',
  summary: 'A virtualenv is copied from a stage whose Python minor version differs from the final stage',
  rationale:
    'A virtualenv belongs to the interpreter that created it: its `site-packages` is `lib/python3.X`, its compiled ' +
    'extensions are built for that ABI, and its `python` links to that interpreter. Copied into an image with ' +
    'another Python minor, nothing imports (`ModuleNotFoundError`) or the extensions fail to load.',
  fix: 'Use the same `python:X.Y` for the builder and the final stage (an `ARG PYTHON_VERSION` used by both FROMs keeps them in step).',
  cases: {
    bad: [
      'FROM python:3.12-slim AS build\nRUN python -m venv /opt/venv\nFROM python:3.11-slim\nCOPY --from=build /opt/venv /opt/venv\n',
      'FROM python:3.12-slim AS build\nRUN python -m venv /venv\nFROM gcr.io/distroless/python3-debian12\nCOPY --from=build /venv /venv\n',
    ],
    good: [
      'ARG PY=3.12\nFROM python:${PY}-slim AS build\nRUN python -m venv /opt/venv\nFROM python:${PY}-slim\nCOPY --from=build /opt/venv /opt/venv\n',
      'FROM python:3.11-slim AS build\nRUN python -m venv /venv\nFROM gcr.io/distroless/python3-debian12\nCOPY --from=build /venv /venv\n',
      'FROM python:3.12-slim AS build\nRUN pip wheel -w /wheels flask\nFROM python:3.11-slim\nCOPY --from=build /wheels /wheels\n',
    ],
  },
  check({ model, report }) {
    const final = model.final;
    if (!final) return;
    const target = pythonMinorOf(rootImage(final));
    if (!target) return;
    for (const s of model.finalChain) {
      for (const inst of s.instructions) {
        if (inst.keyword !== 'COPY') continue;
        const from = copyFrom(inst);
        const src = from ? stageByRef(model, from) : null;
        if (!src || model.finalChain.includes(src)) continue;
        const minor = pythonMinorOf(rootImage(src));
        if (!minor || minor === target) continue;
        // Directories the source stage made virtualenvs in, plus the usual names.
        const venvs = new Set<string>();
        for (const i of src.instructions) {
          for (const c of toolCalls(i, 'uv', ['venv'])) {
            const dir = c.rest.find((w) => !w.value.startsWith('-'));
            if (dir) venvs.add(dir.value);
          }
          for (const { argv } of commandsOf(i)) {
            if (baseName(argv[0]) !== 'virtualenv') continue;
            const dir = argv.slice(1).find((w) => !w.value.startsWith('-'));
            if (dir) venvs.add(dir.value);
          }
        }
        for (const i of src.instructions)
          if (i.keyword === 'RUN')
            for (const cmd of i.commands) {
              const m = cmd.argv.findIndex((w) => w.value === 'venv');
              if (m > 0 && cmd.argv[m - 1]?.value === '-m') {
                const dir = cmd.argv.slice(m + 1).find((w) => !w.value.startsWith('-'));
                if (dir) venvs.add(dir.value);
              }
            }
        for (const source of copyParts(inst).sources) {
          const p = source.value.replace(/\/+$/, '');
          if (!venvs.has(p) && !/(^|\/)\.?venv$|virtualenv|(^|\/)\.venv\//.test(p)) continue;
          report({
            start: source.start,
            end: source.end,
            message: `copies the virtualenv '${source.value}' built with Python ${minor} (stage '${from}') into a Python ${target} image`,
          });
        }
      }
    }
  },
};

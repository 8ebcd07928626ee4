import { isDistroless, rootImage } from '../model.js';
import type { Rule } from '../types.js';

export const PC308: Rule = {
  id: 'PC308',
  name: 'shell-in-distroless',
  severity: 'error',
  summary: 'A distroless stage has no shell: RUN and shell-form CMD/ENTRYPOINT/HEALTHCHECK cannot work',
  rationale:
    'Distroless images contain no `/bin/sh`. A shell-form instruction is run as `/bin/sh -c ...`, so a RUN fails ' +
    'the build and a shell-form CMD, ENTRYPOINT or HEALTHCHECK fails when the container starts or is probed ' +
    '(`exec: "/bin/sh": no such file`). The `:debug` variants, which add busybox, are exempt.',
  fix: 'Do the work in a builder stage and COPY the result; write CMD/ENTRYPOINT/HEALTHCHECK in exec form.',
  cases: {
    bad: [
      'FROM gcr.io/distroless/python3-debian12\nCMD python -m app\n',
      'FROM gcr.io/distroless/python3-debian12\nRUN mkdir /data\n',
      'FROM gcr.io/distroless/python3-debian12:nonroot\nHEALTHCHECK CMD python -c "print(1)"\n',
    ],
    good: [
      'FROM gcr.io/distroless/python3-debian12\nCMD ["-m", "app"]\n',
      'FROM gcr.io/distroless/python3-debian12:debug\nRUN mkdir /data\n',
      'FROM gcr.io/distroless/python3-debian12\nRUN ["/usr/bin/python3", "-c", "print(1)"]\n',
    ],
  },
  check({ model, report }) {
    for (const s of model.stages) {
      const img = rootImage(s);
      if (!isDistroless(img)) continue;
      for (const inst of s.instructions) {
        const k = inst.keyword;
        if (k !== 'RUN' && k !== 'CMD' && k !== 'ENTRYPOINT' && k !== 'HEALTHCHECK') continue;
        if (inst.exec) continue;
        if (k === 'HEALTHCHECK' && inst.commands.length === 0) continue;
        if (k !== 'RUN' && inst.commands.length === 0) continue;
        report({
          start: inst.start,
          end: inst.keywordEnd,
          message: `${k} in shell form needs /bin/sh, which '${img.resolved}' does not have`,
        });
      }
    }
  },
};

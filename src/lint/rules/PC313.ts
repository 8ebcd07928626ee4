import { baseName, setsPipefail } from '../shell.js';
import type { Rule } from '../types.js';

const HARMLESS_LEFT = new Set(['echo', 'printf', 'yes', 'true']);

export const PC313: Rule = {
  id: 'PC313',
  name: 'pipe-without-pipefail',
  severity: 'warning',
  summary: 'A RUN with a pipe hides failures unless the shell runs with `-o pipefail`',
  rationale:
    'A pipeline returns the status of its last command: `curl -fsSL https://x | sh` succeeds when the download fails, ' +
    "and the build goes on with a missing tool. Debian's `/bin/sh` (dash) has no pipefail, so set a bash SHELL.",
  fix: 'Add `SHELL ["/bin/bash", "-o", "pipefail", "-c"]` before the RUN, or start the script with `set -o pipefail` in bash.',
  cases: {
    bad: ['FROM python:3.12-slim\nRUN curl -fsSL https://example.com/install.sh | sh\n'],
    good: [
      'FROM python:3.12-slim\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nRUN curl -fsSL https://example.com/install.sh | sh\n',
      'FROM python:3.12-slim\nRUN <<EOF bash\nset -euo pipefail\ncurl -fsSL https://example.com/install.sh | sh\nEOF\n',
      'FROM python:3.12-slim\nRUN echo "deb http://deb.debian.org/debian bookworm main" | tee /etc/apt/sources.list\n',
      'FROM python:3.12-slim\nRUN ["/bin/bash", "-c", "curl x | sh"]\n',
    ],
  },
  check({ model, report }) {
    for (const inst of model.instructions) {
      if (inst.keyword !== 'RUN' || inst.exec) continue;
      const shell = inst.shell;
      if (shell?.some((w, k) => w === 'pipefail' && /^-[a-z]*o$/.test(shell[k - 1] ?? ''))) continue;
      let pipefail = false;
      for (const cmd of inst.commands) {
        if (setsPipefail(cmd)) pipefail = true;
        if (pipefail || !cmd.piped || cmd.before === '|') continue;
        if (HARMLESS_LEFT.has(baseName(cmd.argv[0]))) continue;
        const w = cmd.argv[0];
        if (!w) continue;
        report({
          start: w.start,
          end: cmd.argv[cmd.argv.length - 1]!.end,
          message: 'pipe without pipefail: a failure on the left is ignored',
        });
        break;
      }
    }
  },
};

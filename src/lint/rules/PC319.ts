import { aptReleases, debianReleaseOf } from '../../util/apt-releases.js';
import { aptCalls, positionals } from '../helpers.js';
import { rootImage } from '../model.js';
import type { Rule } from '../types.js';

/** apt-get options that take a value (`-o Foo=bar`, `-t trixie-backports`). */
const APT_OPTS_WITH_VALUE = new Set([
  '-o',
  '--option',
  '-t',
  '--target-release',
  '--default-release',
  '-c',
  '--config-file',
]);

export const PC319: Rule = {
  id: 'PC319',
  name: 'apt-package-not-in-release',
  severity: 'error',
  summary: "An apt package that the base image's Debian release does not have",
  rationale:
    'Package names change between Debian releases: the 64-bit time_t transition renamed libraries in Debian 13 ' +
    '(`libldap-2.5-0` became `libldap2`, `libgdal32` `libgdal36`), and Debian 12 has none of the new `t64` names. ' +
    'The official `python:3.12-slim` moved from bookworm to trixie in August 2025, so a Dockerfile that built ' +
    'yesterday fails with `E: Unable to locate package` (or `has no installation candidate`) after a rebuild. ' +
    "The base image's tag tells which release it is.",
  fix: 'Install the name the release has (the message names it), or pin the base image to the release the Dockerfile was written for (`python:3.12-slim-bookworm`).',
  cases: {
    bad: [
      'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends libgl1-mesa-glx && rm -rf /var/lib/apt/lists/*\n',
      'FROM python:3.12-slim-bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends libssl3t64 && rm -rf /var/lib/apt/lists/*\n',
      'FROM debian:trixie-slim AS build\nRUN apt-get update && apt-get install -y --no-install-recommends python3.11-venv libldap-2.5-0=2.5.13+dfsg-5 && rm -rf /var/lib/apt/lists/*\n',
    ],
    good: [
      'FROM python:3.12-slim\nRUN apt-get update && apt-get install -y --no-install-recommends libgl1 libssl3 && rm -rf /var/lib/apt/lists/*\n',
      'FROM python:3.12-slim-bookworm\nRUN apt-get update && apt-get install -y --no-install-recommends libldap-2.5-0 && rm -rf /var/lib/apt/lists/*\n',
      // An unknown release (a patch tag may predate trixie, a private image): nothing to say.
      'FROM python:3.12.4-slim\nRUN apt-get update && apt-get install -y --no-install-recommends libgl1-mesa-glx && rm -rf /var/lib/apt/lists/*\n',
      'FROM corp/base:1.0\nRUN apt-get update && apt-get install -y --no-install-recommends libssl3t64 && rm -rf /var/lib/apt/lists/*\n',
    ],
  },
  check({ model, report }) {
    for (const inst of model.instructions) {
      if (inst.keyword !== 'RUN' || !inst.stage) continue;
      const calls = aptCalls(inst, ['install']);
      if (calls.length === 0) continue;
      const img = rootImage(inst.stage);
      const release = debianReleaseOf(img);
      const missing = release ? aptReleases().missing[release] : undefined;
      if (!missing) continue;
      for (const c of calls)
        for (const w of positionals(c.rest, APT_OPTS_WITH_VALUE)) {
          if (w.value.includes('$')) continue;
          // pkg=version, pkg:arch, pkg/suite
          const name = w.value.split(/[=:/]/)[0]!;
          if (!(name in missing)) continue;
          const use = missing[name];
          const note = aptReleases().notes[name];
          report({
            start: w.start,
            end: w.end,
            message:
              `${name} is not in Debian ${release} (the release of ${img.resolved}): apt-get fails with "Unable to locate package"` +
              (use ? `; install ${use}` : '') +
              (note ? ` (${note})` : ''),
          });
        }
    }
  },
};

import { copyParts } from '../helpers.js';
import type { Rule } from '../types.js';

const REMOTE = /^(https?|git|ssh):\/\/|^git@|\.git(#.*)?$/i;
const ARCHIVE = /\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst|tzst|tar\.lz|tar\.lzma)$/i;
const ADD_ONLY_FLAGS = new Set(['checksum', 'keep-git-dir', 'unpack']);

export const PC306: Rule = {
  id: 'PC306',
  name: 'add-local-files',
  severity: 'warning',
  summary: 'Use COPY, not ADD, for local files',
  rationale:
    'ADD also downloads URLs and silently unpacks local tar archives. For plain files and directories COPY does the ' +
    'same thing without the surprises: a `.tar.gz` of test data is not unpacked by accident, and readers know no ' +
    'network is involved.',
  fix: 'Replace `ADD` with `COPY` (keep ADD for remote sources or archives you mean to unpack).',
  fixable: true,
  cases: {
    bad: [
      'FROM python:3.12-slim\nADD . /app\n',
      'FROM python:3.12-slim\nADD requirements.txt app.py /app/\n',
    ],
    good: [
      'FROM python:3.12-slim\nCOPY . /app\n',
      'FROM python:3.12-slim\nADD https://example.com/data.json /data/\n',
      'FROM python:3.12-slim\nADD vendor.tar.gz /opt/\n',
    ],
  },
  check({ model, report }) {
    for (const inst of model.instructions) {
      if (inst.keyword !== 'ADD') continue;
      const { sources } = copyParts(inst);
      if (sources.length === 0 && inst.heredocs.length === 0) continue;
      if (sources.some((s) => REMOTE.test(s.value) || ARCHIVE.test(s.value) || s.value.includes('$')))
        continue;
      const canFix = !inst.flags.some((f) => ADD_ONLY_FLAGS.has(f.name));
      const kw = model.text.slice(inst.start, inst.keywordEnd);
      report({
        start: inst.start,
        end: inst.keywordEnd,
        message: 'ADD used for local files: use COPY',
        fix: canFix
          ? {
              description: 'replace ADD with COPY',
              edits: [{ start: inst.start, end: inst.keywordEnd, text: kw === 'add' ? 'copy' : 'COPY' }],
            }
          : undefined,
      });
    }
  },
};

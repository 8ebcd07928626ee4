/**
 * Every finding `pycontain analyze` can report, declared like the lint rules: its id (stable: scripts
 * and `--fail-on` use it), the severity it is reported at, and a one-line doc. `--fail-on` accepts
 * these ids, analyze takes each finding's severity from here, and docs/findings.md is generated
 * from this table (`npm run docs:rules`).
 */

export type Severity = 'error' | 'warning' | 'info';

export interface FindingSpec {
  severity: Severity;
  /** What it means, in one line. */
  doc: string;
}

export const FINDINGS = {
  'missing-shared-library': {
    severity: 'error',
    doc: 'A Python extension needs a shared library that the image does not have: the import fails at run time.',
  },
  'foreign-binary': {
    severity: 'error',
    doc: 'A binary under a Python tree is for another OS or machine (usually a virtualenv copied from the host).',
  },
  'host-venv': {
    severity: 'error',
    doc: "A virtualenv copied from the host: its interpreter links point at the host's paths.",
  },
  'unknown-user': {
    severity: 'error',
    doc: "USER names a user that is not in the image's /etc/passwd: the container does not start.",
  },
  'root-user': { severity: 'warning', doc: 'The image runs as root (no USER, or USER 0).' },
  'non-numeric-user': {
    severity: 'warning',
    doc: 'USER is a name: Kubernetes runAsNonRoot cannot verify it is not root.',
  },
  'pip-cache': { severity: 'warning', doc: "pip's download cache ships in the image." },
  'uv-cache': { severity: 'warning', doc: "uv's cache ships in the image." },
  'poetry-cache': { severity: 'warning', doc: "Poetry's cache ships in the image." },
  'pipenv-cache': { severity: 'warning', doc: "pipenv's cache ships in the image." },
  'build-toolchain': {
    severity: 'warning',
    doc: 'Compilers or -dev headers in the final image: they belong in a builder stage.',
  },
  'pip-in-runtime-venv': {
    severity: 'warning',
    doc: 'pip, setuptools or a package manager inside the runtime virtualenv: something could install at run time.',
  },
  'duplicate-venv': { severity: 'warning', doc: 'Several virtualenvs in one image.' },
  'duplicate-distribution': {
    severity: 'warning',
    doc: 'One distribution installed at different versions in several environments.',
  },
  'git-directory': {
    severity: 'warning',
    doc: 'A .git directory in the image: repository history ships, and may hold secrets.',
  },
  'deleted-in-later-layer': {
    severity: 'warning',
    doc: 'Files deleted in a later layer still ship in the lower one.',
  },
  'attribute-only-copy': {
    severity: 'warning',
    doc: 'Files copied again only to change owner or mode (a later RUN chown/chmod).',
  },
  'opaque-hidden': { severity: 'warning', doc: 'A directory replaced as a whole hides the lower copy.' },
  'overwritten-in-later-layer': { severity: 'info', doc: 'Files overwritten by a later layer.' },
  pycache: { severity: 'info', doc: '__pycache__ directories: faster start-up for more bytes, a trade-off.' },
  'tests-in-site-packages': {
    severity: 'info',
    doc: 'Test directories that packages ship inside site-packages.',
  },
} as const satisfies Record<string, FindingSpec>;

export type FindingId = keyof typeof FINDINGS;

export const FINDING_IDS = Object.keys(FINDINGS) as FindingId[];

export function isFindingId(id: string): id is FindingId {
  return Object.hasOwn(FINDINGS, id);
}

/** The id and the severity a finding is reported at: spread into a finding (`{ ...findingOf(id), ... }`). */
export function findingOf(id: FindingId): { id: FindingId; severity: Severity } {
  return { id, severity: FINDINGS[id].severity };
}

/** docs/findings.md: the table of every finding. */
export function renderFindingDocs(): string {
  const rows = FINDING_IDS.map((id) => `| \`${id}\` | ${FINDINGS[id].severity} | ${FINDINGS[id].doc} |`);
  return [
    '# Findings of `pycontain analyze`',
    '',
    '<!-- Generated from src/image/findings.ts by `npm run docs:rules`; do not edit. -->',
    '',
    '`--fail-on` takes these ids (comma-separated or repeated), or a severity (`error`, `warning`, `info`:',
    'that severity or worse).',
    '',
    '| id | severity | meaning |',
    '| --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

import { PLAN_SCHEMA_VERSION, type Plan } from '../plan.js';

/** A Plan with neutral defaults; rules' caseProject.plan fills in what they need. */
export function testPlan(partial: Partial<Plan> = {}): Plan {
  return {
    schemaVersion: PLAN_SCHEMA_VERSION,
    root: '/project',
    appDir: '.',
    pythonVersion: '3.12',
    packageManager: 'pip',
    lockfile: null,
    manifests: [],
    installProject: false,
    extras: [],
    framework: 'unknown',
    entrypoint: null,
    command: [],
    port: null,
    healthcheckPath: null,
    importChecks: [],
    system: { build: [], runtime: [] },
    native: [],
    dependencies: [],
    index: { url: null, extraUrls: [], needsCredentials: false, secretId: 'pip-index' },
    django: null,
    image: {
      builder: 'python:3.12-slim-bookworm',
      runtime: 'python:3.12-slim-bookworm',
      debian: 'bookworm',
      distroless: false,
      pythonPath: '/usr/local/bin/python3.12',
    },
    user: { name: 'app', uid: 10001, gid: 10001 },
    tools: {},
    env: {},
    decisions: [],
    warnings: [],
    overrides: {},
    ...partial,
  };
}

/** What every candidate finder reads: the scanned files and their facts, the dependencies, the data. */
import type { Decision, Source, Warning } from '../../plan.js';
import type { FrameworksData } from '../framework-data.js';
import type { FileFacts } from './facts.js';
import type { HealthFor } from './health.js';
import type { PyFile } from './scan.js';
import type { Servers } from './servers.js';

export interface Ctx {
  data: FrameworksData;
  /** Absolute app directory. */
  base: string;
  files: PyFile[];
  facts: Map<PyFile, FileFacts>;
  /** Normalized names of the installed dependencies (and `name[extra]`). */
  have: Set<string>;
  src: (rel: string, line?: number) => Source;
  relToRoot: (rel: string) => string;
  servers: Servers;
  healthFor: HealthFor;
  /** A qualified name through the project's re-exports ('pkg.create_app' -> 'pkg.app.create_app'). */
  resolve: (q: string) => string;
  decisions: Decision[];
  warnings: Warning[];
}

export const nameBonus = (rel: string) =>
  /(^|\/)(main|app|wsgi|asgi|server|api|web|application)\.py$/.test(rel) ? 5 : 0;
export const depth = (rel: string) => rel.split('/').length - 1;

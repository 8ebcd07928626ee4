/** A way to start the app that the code shows; the highest score wins. */
import type { DjangoInfo, Framework, Source, Warning } from '../../plan.js';

export interface Candidate {
  framework: Framework;
  score: number;
  file: string;
  line: number;
  describe: string;
  build: (port: number | null) => { command: string[]; entrypoint: string | null; server: string | null };
  module: string | null;
  importRoot: string;
  port: number | null;
  portSource?: Source;
  health: string | null;
  healthSource?: Source;
  /** Why its command is what it is, when the framework's usual reason does not say it. */
  reason?: string;
  /** No server can import it by itself (a factory that needs arguments). */
  unservable?: boolean;
  /** Candidates this one stands for (an app and the program that starts it). */
  absorbs?: Candidate[];
  /** Said when this candidate is chosen. */
  warning?: Warning;
  env?: Record<string, string>;
  django?: DjangoInfo | null;
}

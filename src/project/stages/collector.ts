import type { Decision, Source, Warning, WarningCode } from '../../plan.js';

/**
 * The one place detect's stages record what they decided and what they warn about. The Plan lists
 * both in the order the stages ran, which is the order `pycontain detect` prints them in.
 */
export class DecisionCollector {
  readonly decisions: Decision[] = [];
  readonly warnings: Warning[] = [];

  decide(topic: string, value: string, reason: string, source?: Source): void {
    this.decisions.push({ topic, value, reason, ...(source ? { source } : {}) });
  }

  warn(code: WarningCode, message: string, source?: Source): void {
    this.warnings.push({ code, message, ...(source ? { source } : {}) });
  }

  /** Decisions and warnings a detector module (framework, images, python-version...) explained itself. */
  absorb(part: { decisions?: readonly Decision[]; warnings?: readonly Warning[] }): void {
    this.decisions.push(...(part.decisions ?? []));
    this.warnings.push(...(part.warnings ?? []));
  }
}

/**
 * Detect's warnings that affect the image, written as comments next to the instruction they affect:
 * a reader of the Dockerfile (or of a review diff) sees why a line may not do what it should without
 * running `pycontain detect`. Warnings about nothing in particular go to the header.
 */
import type { Warning, WarningCode } from '../plan.js';
import type { Instruction, Stage } from './model.js';

export type Place = 'from' | 'deps' | 'apt' | 'cmd' | 'header';

/** Which instruction each warning code is about. A code not listed goes to the header. */
export const WARNING_PLACE: Record<WarningCode, Place> = {
  'several-apps': 'header',
  'python-version-unreadable': 'from',
  'python-implementation': 'from',
  'python-mismatch': 'from',
  'python-eol': 'from',
  'python-conflict': 'from',
  'base-image-python-mismatch': 'from',
  'base-image-no-python': 'from',
  'debian-release-assumed': 'from',
  'python-too-new': 'from',
  'no-lock': 'deps',
  'stale-lock': 'deps',
  'lock-format': 'deps',
  'pm-conflict': 'deps',
  'requirements-unreadable': 'deps',
  'requirements-installs-project': 'deps',
  'readme-missing': 'deps',
  'extra-needed': 'deps',
  'index-url': 'deps',
  'index-credentials': 'deps',
  'apt-package-not-in-release': 'apt',
  'dev-server': 'cmd',
  'launcher-host': 'cmd',
  'attribute-app': 'cmd',
  'app-configured-in-main': 'cmd',
  'loopback-bind': 'cmd',
  'uwsgi-chdir': 'cmd',
  'django-static-uncollected': 'header',
  'procfile-bind': 'cmd',
  'procfile-shell': 'cmd',
  'procfile-migrate': 'cmd',
  'server-missing': 'cmd',
  'no-entrypoint': 'cmd',
  'factory-args': 'cmd',
  'several-scripts': 'cmd',
  'worker-not-run': 'cmd',
  'command-server-missing': 'cmd',
  'command-module-missing': 'cmd',
  'command-dev-server': 'cmd',
  'command-loopback': 'cmd',
};

// `pip --python /opt/venv/bin/python install`: options may stand between the tool and its verb.
const INSTALLS =
  /\b(uv (sync|pip install)|pip\b.*\binstall|poetry\b.*\binstall|pdm (sync|install)|pipenv (sync|install))\b/;

function find(stages: Stage[], place: Exclude<Place, 'header'>): { stage: Stage; index: number } | null {
  const last = stages[stages.length - 1];
  const builder = stages.find((s) => s.name === 'builder') ?? stages[0];
  const first = (stage: Stage | undefined, pred: (i: Instruction) => boolean) => {
    const index = stage ? stage.instructions.findIndex(pred) : -1;
    return stage && index >= 0 ? { stage, index } : null;
  };
  switch (place) {
    case 'from':
      return first(builder, (i) => i.kind === 'from');
    case 'deps':
      return first(builder, (i) => i.kind === 'run' && i.commands.some((c) => INSTALLS.test(c)));
    case 'apt': {
      const apt = (i: Instruction) =>
        i.kind === 'run' && i.commands.some((c) => c.includes('apt-get install'));
      return first(last, apt) ?? first(builder, apt);
    }
    case 'cmd':
      return first(last, (i) => i.kind === 'cmd' || i.kind === 'entrypoint');
  }
}

/** Insert `warning:` comments in place; returns the lines for the header (warnings placed nowhere else). */
export function annotateWarnings(stages: Stage[], warnings: Warning[]): string[] {
  const header: string[] = [];
  // Insert from the bottom of each stage up, so earlier indexes stay valid.
  const placed: { stage: Stage; index: number; text: string; order: number }[] = [];
  for (const [order, w] of warnings.entries()) {
    const where = WARNING_PLACE[w.code] ?? 'header';
    const text = `warning (${w.code}): ${w.message}`;
    const at = where === 'header' ? null : find(stages, where);
    if (at) placed.push({ ...at, text, order });
    else header.push(text);
  }
  placed.sort((a, b) => b.index - a.index || b.order - a.order);
  for (const p of placed) p.stage.instructions.splice(p.index, 0, { kind: 'comment', text: p.text });
  return header;
}

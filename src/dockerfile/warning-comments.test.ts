import { describe, expect, it } from 'vitest';
import { renderDockerfile } from './render.js';
import { testPlan } from './testing.js';
import { WARNING_PLACE } from './warning-comments.js';

const lines = (text: string) => text.split('\n');
const commentAbove = (text: string, warning: string, next: RegExp) => {
  const l = lines(text);
  const i = l.findIndex((x) => x.includes(warning));
  expect(i, `${warning} is written`).toBeGreaterThanOrEqual(0);
  const after = l.slice(i + 1).find((x) => !x.startsWith('#'));
  expect(after).toMatch(next);
};

describe('detect warnings as comments next to the line they affect', () => {
  it('the lock warning above the install, the command warning above CMD, the python one above FROM', () => {
    const plan = testPlan({
      warnings: [
        { code: 'no-lock', message: 'no lock file: versions float' },
        { code: 'command-server-missing', message: 'gunicorn is not installed' },
        { code: 'python-eol', message: 'Python 3.8 is end-of-life' },
        { code: 'several-apps', message: 'also found api/' },
      ],
    });
    const text = renderDockerfile(plan);
    commentAbove(text, 'warning (no-lock): no lock file', /^RUN --mount=type=cache/);
    commentAbove(text, 'warning (command-server-missing)', /^CMD /);
    commentAbove(text, 'warning (python-eol)', /^FROM .* AS builder/);
    const header = lines(text).slice(
      0,
      lines(text).findIndex((l) => l.startsWith('FROM')),
    );
    expect(header.join('\n')).toContain('warning (several-apps): also found api/');
  });

  it('two warnings on one line keep their order', () => {
    const plan = testPlan({
      warnings: [
        { code: 'dev-server', message: 'first' },
        { code: 'procfile-bind', message: 'second' },
      ],
    });
    const text = renderDockerfile(plan);
    expect(text.indexOf('first')).toBeLessThan(text.indexOf('second'));
  });

  it('every placed code is a known place', () => {
    for (const place of Object.values(WARNING_PLACE))
      expect(['from', 'deps', 'apt', 'cmd', 'header']).toContain(place);
  });
});

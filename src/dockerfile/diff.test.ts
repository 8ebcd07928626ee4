import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unifiedDiff } from './diff.js';

/** Apply a unified diff produced by unifiedDiff to the old text (a checker independent of the LCS). */
function applyPatch(oldText: string, patch: string): string {
  const a = oldText === '' ? [] : oldText.replace(/\n$/, '').split('\n');
  const out: string[] = [];
  let pos = 0;
  const lines = patch.replace(/\n$/, '').split('\n').slice(2);
  for (let k = 0; k < lines.length; k++) {
    const h = /^@@ -(\d+),(\d+) \+(\d+),(\d+) @@$/.exec(lines[k] as string);
    if (!h) continue;
    const aStart = Number(h[2]) === 0 ? Number(h[1]) : Number(h[1]) - 1;
    while (pos < aStart) out.push(a[pos++] as string);
    for (k++; k < lines.length && !(lines[k] as string).startsWith('@@'); k++) {
      const l = lines[k] as string;
      if (l.startsWith(' ')) {
        expect(a[pos]).toBe(l.slice(1));
        out.push(a[pos++] as string);
      } else if (l.startsWith('-')) {
        expect(a[pos]).toBe(l.slice(1));
        pos++;
      } else out.push(l.slice(1));
    }
    k--;
  }
  while (pos < a.length) out.push(a[pos++] as string);
  return out.length ? `${out.join('\n')}\n` : '';
}

describe('unifiedDiff', () => {
  it('is empty for equal texts', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', 'a/x', 'b/x')).toBe('');
  });

  it('prints headers, a hunk with context, deletions before insertions', () => {
    const d = unifiedDiff(
      '1\n2\n3\n4\n5\n6\n7\n8\n',
      '1\n2\n3\nfour\n5\n6\n7\n8\n',
      'a/Dockerfile',
      'b/Dockerfile',
    );
    expect(d).toBe(
      '--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,7 +1,7 @@\n 1\n 2\n 3\n-4\n+four\n 5\n 6\n 7\n',
    );
  });

  it('diffs a new file against /dev/null', () => {
    expect(unifiedDiff(null, 'x\ny\n', 'a/f', 'b/f')).toBe(
      '--- /dev/null\n+++ b/f\n@@ -0,0 +1,2 @@\n+x\n+y\n',
    );
  });

  it('splits far-apart changes into separate hunks', () => {
    const old = `${Array.from({ length: 30 }, (_, i) => `l${i}`).join('\n')}\n`;
    const neu = old.replace('l2\n', 'L2\n').replace('l25\n', 'L25\n');
    expect(unifiedDiff(old, neu, 'a', 'b').match(/^@@/gm)).toHaveLength(2);
  });

  it('applying the diff to the old text gives the new text (property)', () => {
    const text = fc
      .array(fc.constantFrom('a', 'b', 'c', 'FROM x', 'RUN y', ''), { maxLength: 25 })
      .map((l) => (l.length ? `${l.join('\n')}\n` : ''));
    fc.assert(
      fc.property(text, text, (a, b) => {
        const d = unifiedDiff(a, b, 'a', 'b');
        if (a === b) expect(d).toBe('');
        else expect(applyPatch(a, d)).toBe(b);
      }),
      { numRuns: 300 },
    );
  });
});

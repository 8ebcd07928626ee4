/**
 * A small unified diff (LCS over lines), for `pycontain init --diff`. Files here are a few hundred
 * lines at most, so the O(n*m) table is cheap and the output is the minimal edit script.
 */

type Op = { kind: ' ' | '-' | '+'; line: string; a: number; b: number };

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

function editScript(a: string[], b: string[]): Op[] {
  const n = a.length;
  const m = b.length;
  // lcs[i][j] = LCS length of a[i..] and b[j..]
  const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    const row = lcs[i] as Uint32Array;
    const next = lcs[i + 1] as Uint32Array;
    for (let j = m - 1; j >= 0; j--) {
      row[j] =
        a[i] === b[j] ? (next[j + 1] as number) + 1 : Math.max(next[j] as number, row[j + 1] as number);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ kind: ' ', line: a[i] as string, a: i, b: j });
      i++;
      j++;
    } else if (i < n && (j >= m || (lcs[i + 1] as Uint32Array)[j]! >= (lcs[i] as Uint32Array)[j + 1]!)) {
      // Deletions before insertions, as diff(1) prints them.
      ops.push({ kind: '-', line: a[i] as string, a: i, b: j });
      i++;
    } else {
      ops.push({ kind: '+', line: b[j] as string, a: i, b: j });
      j++;
    }
  }
  return ops;
}

/**
 * Unified diff of `oldText` -> `newText` with `context` lines around changes; '' when equal.
 * `oldText` null means the file does not exist yet (diff against /dev/null).
 */
export function unifiedDiff(
  oldText: string | null,
  newText: string,
  oldName: string,
  newName: string,
  context = 3,
): string {
  const a = splitLines(oldText ?? '');
  const b = splitLines(newText);
  const ops = editScript(a, b);
  if (!ops.some((o) => o.kind !== ' ')) return '';
  const out: string[] = [`--- ${oldText === null ? '/dev/null' : oldName}`, `+++ ${newName}`];
  let k = 0;
  while (k < ops.length) {
    while (k < ops.length && ops[k]?.kind === ' ') k++;
    if (k >= ops.length) break;
    const start = Math.max(0, k - context);
    let end = k;
    // Extend the hunk while the next change is within 2*context unchanged lines.
    for (;;) {
      while (end < ops.length && ops[end]?.kind !== ' ') end++;
      let gap = end;
      while (gap < ops.length && ops[gap]?.kind === ' ') gap++;
      if (gap < ops.length && gap - end <= 2 * context) {
        end = gap;
        continue;
      }
      end = Math.min(ops.length, end + context);
      break;
    }
    const hunk = ops.slice(start, end);
    const aCount = hunk.filter((o) => o.kind !== '+').length;
    const bCount = hunk.filter((o) => o.kind !== '-').length;
    const first = hunk[0] as Op;
    const aStart = aCount === 0 ? first.a : first.a + 1;
    const bStart = bCount === 0 ? first.b : first.b + 1;
    out.push(`@@ -${aStart},${aCount} +${bStart},${bCount} @@`);
    for (const o of hunk) out.push(`${o.kind}${o.line}`);
    k = end;
  }
  return `${out.join('\n')}\n`;
}

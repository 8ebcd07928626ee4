/**
 * One self-contained HTML page for `pycontain analyze --html`: inline CSS, inline SVG charts (layer
 * bars split into kept and wasted bytes, a squarified treemap of the final filesystem), no script,
 * no external resource, every text escaped.
 */
import { type AnalysisReport, fmt, type TreeNode } from '../image/analyze.js';
import type { Comparison } from '../image/compare.js';
import type { GateOutcome } from '../image/gates.js';

export function esc(s: unknown): string {
  return String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#59a14f',
  '#b07aa1',
  '#76b7b2',
  '#edc948',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
  '#e15759',
];

function layerChart(r: AnalysisReport): string {
  const rowH = 22;
  const labelW = 330;
  const barW = 520;
  const max = Math.max(1, ...r.layers.map((l) => l.size));
  const h = r.layers.length * rowH + 30;
  const rows = r.layers.map((l, i) => {
    const y = 20 + i * rowH;
    const kept = ((l.size - l.wasteAdded) / max) * barW;
    const wasted = (l.wasteAdded / max) * barW;
    const label = (l.createdBy ?? '(unknown)').replace(/\s+/g, ' ');
    const short = label.length > 48 ? `${label.slice(0, 47)}…` : label;
    return `<g><title>${esc(`layer ${l.index}: ${fmt(l.size)}, ${fmt(l.wasteAdded)} hidden later — ${label}`)}</title>
<text x="0" y="${y + 14}" class="lbl">${esc(`${l.index}  ${short}`)}</text>
<rect x="${labelW}" y="${y + 3}" width="${kept.toFixed(1)}" height="${rowH - 6}" fill="#4e79a7"/>
<rect x="${(labelW + kept).toFixed(1)}" y="${y + 3}" width="${wasted.toFixed(1)}" height="${rowH - 6}" fill="#e15759"/>
<text x="${(labelW + kept + wasted + 6).toFixed(1)}" y="${y + 14}" class="lbl">${esc(fmt(l.size))}</text></g>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${labelW + barW + 90}" height="${h}" role="img" aria-labelledby="lt">
<title id="lt">Layer sizes: kept bytes in blue, bytes hidden by a later layer in red</title>
<text x="0" y="12" class="lbl b">layer / instruction</text><text x="${labelW}" y="12" class="lbl b">content bytes (red: hidden by a later layer)</text>
${rows.join('\n')}</svg>`;
}

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Squarified treemap layout (Bruls, Huizing, van Wijk) of values into a rectangle. */
export function squarify(values: number[], rect: Rect): Rect[] {
  const out: Rect[] = new Array(values.length);
  const total = values.reduce((a, v) => a + v, 0);
  if (total <= 0 || rect.w <= 0 || rect.h <= 0)
    return values.map(() => ({ x: rect.x, y: rect.y, w: 0, h: 0 }));
  const idx = values.map((v, i) => [v, i] as const).sort((a, b) => b[0] - a[0]);
  const scale = (rect.w * rect.h) / total;
  let { x, y, w, h } = rect;
  let i = 0;
  while (i < idx.length) {
    const side = Math.min(w, h);
    const row: Array<readonly [number, number]> = [];
    let rowSum = 0;
    let worst = Number.POSITIVE_INFINITY;
    while (i < idx.length) {
      const a = idx[i]![0] * scale;
      const nextSum = rowSum + a;
      const maxA = Math.max(a, ...row.map((r) => r[0] * scale));
      const minA = Math.min(a, ...row.map((r) => r[0] * scale));
      const s2 = side * side;
      const nw =
        nextSum > 0
          ? Math.max((s2 * maxA) / (nextSum * nextSum), (nextSum * nextSum) / (s2 * Math.max(minA, 1e-9)))
          : 0;
      if (row.length && nw > worst) break;
      worst = nw;
      row.push(idx[i]!);
      rowSum = nextSum;
      i++;
    }
    const thick = rowSum / side;
    let off = 0;
    for (const [v, k] of row) {
      const len = (v * scale) / thick || 0;
      out[k] = w >= h ? { x, y: y + off, w: thick, h: len } : { x: x + off, y, w: len, h: thick };
      off += len;
    }
    if (w >= h) {
      x += thick;
      w -= thick;
    } else {
      y += thick;
      h -= thick;
    }
  }
  return out;
}

function treemap(tree: TreeNode, width: number, height: number): string {
  const parts: string[] = [];
  const draw = (n: TreeNode, r: Rect, depth: number, color: string, pathName: string) => {
    if (r.w < 1 || r.h < 1) return;
    const full = pathName === '' ? '/' : pathName;
    parts.push(
      `<g><title>${esc(`${full}  ${fmt(n.bytes)}`)}</title><rect x="${r.x.toFixed(1)}" y="${r.y.toFixed(1)}" width="${r.w.toFixed(1)}" height="${r.h.toFixed(1)}" fill="${color}" fill-opacity="${(0.25 + depth * 0.18).toFixed(2)}" stroke="#fff" stroke-width="${depth === 1 ? 2 : 0.6}"/></g>`,
    );
    const kids = n.children ?? [];
    const pad = depth === 0 ? 0 : 14;
    if (r.w > 60 && r.h > 16) {
      parts.push(
        `<text x="${(r.x + 3).toFixed(1)}" y="${(r.y + 11).toFixed(1)}" class="tm">${esc(`${n.name} ${fmt(n.bytes)}`.slice(0, Math.floor(r.w / 6)))}</text>`,
      );
    }
    if (!kids.length || r.h - pad < 10) return;
    const inner = { x: r.x + 1, y: r.y + pad, w: r.w - 2, h: r.h - pad - 1 };
    const rects = squarify(
      kids.map((k) => k.bytes),
      inner,
    );
    kids.forEach((k, i) => {
      const c = depth === 0 ? PALETTE[i % PALETTE.length]! : color;
      draw(k, rects[i]!, depth + 1, c, `${pathName}/${k.name}`);
    });
  };
  draw(tree, { x: 0, y: 0, w: width, h: height }, 0, '#cccccc', '');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-labelledby="tt"><title id="tt">Content of the final filesystem by directory (treemap)</title>${parts.join('')}</svg>`;
}

function table(head: string[], rows: Array<Array<string | number>>, numeric: number[] = []): string {
  return `<table><thead><tr>${head.map((x, i) => `<th${numeric.includes(i) ? ' class="n"' : ''}>${esc(x)}</th>`).join('')}</tr></thead><tbody>${rows
    .map(
      (r) =>
        `<tr>${r.map((x, i) => `<td${numeric.includes(i) ? ' class="n"' : ''}>${esc(x)}</td>`).join('')}</tr>`,
    )
    .join('')}</tbody></table>`;
}

export function renderAnalyzeHtml(r: AnalysisReport, cmp?: Comparison, gates?: GateOutcome): string {
  const s = r.size;
  const sections: string[] = [];
  sections.push(`<section class="cards">
<div><b>${esc(fmt(s.total))}</b><span>content in layers</span></div>
<div><b>${esc(fmt(s.visible))}</b><span>visible in the final filesystem</span></div>
<div><b>${esc(fmt(s.waste))}</b><span>waste (${esc(((s.waste / (s.total || 1)) * 100).toFixed(1))}%)</span></div>
<div><b>${esc(String(r.layers.length))}</b><span>layers</span></div>
<div><b>${esc(r.user.configured || 'root')}</b><span>user${r.user.root ? ' (root)' : ''}${r.user.numeric ? '' : ', non-numeric'}</span></div>
</section>`);
  sections.push(
    `<h2>Layers</h2>${layerChart(r)}${table(
      ['#', 'instruction', 'size', 'files', 'hidden later', 'hides', 'blob'],
      r.layers.map((l) => [
        l.index,
        l.createdBy ?? '(unknown)',
        fmt(l.size),
        l.files,
        fmt(l.wasteAdded),
        fmt(l.wasteHidden),
        `${fmt(l.blobSize)} ${l.compression}`,
      ]),
      [0, 2, 3, 4, 5, 6],
    )}`,
  );
  sections.push(`<h2>Where the bytes are</h2>${treemap(r.tree, 1000, 560)}`);
  sections.push(
    `<h2>Waste by cause</h2>${table(
      ['cause', 'bytes'],
      Object.entries(r.waste.byCause).map(([k, v]) => [k, fmt(v)]),
      [1],
    )}${table(
      ['path', 'cause', 'bytes', 'files', 'added by layer', 'hidden by layer'],
      r.waste.groups.slice(0, 30).map((g) => [g.root, g.cause, fmt(g.bytes), g.files, g.addedBy, g.hiddenBy]),
      [2, 3, 4, 5],
    )}`,
  );
  sections.push(
    `<h2>Findings</h2>${
      r.findings.length
        ? r.findings
            .map(
              (f) =>
                `<div class="f ${esc(f.severity)}"><b>${esc(f.severity)}</b> <code>${esc(f.id)}</code> ${esc(f.title)}<br><small>${esc(f.detail)}</small><br><i>fix: ${esc(f.fix)}</i></div>`,
            )
            .join('')
        : '<p>none</p>'
    }`,
  );
  sections.push(
    `<h2>Python distributions</h2>${table(
      ['distribution', 'version', 'size', 'files', 'site-packages', 'layer'],
      r.python.distributions.map((d) => [d.name, d.version, fmt(d.bytes), d.files, d.sitePackages, d.layer]),
      [2, 3, 5],
    )}`,
  );
  sections.push(
    `<h2>Native libraries</h2><p>${esc(r.native.checked)} ELF objects under Python trees checked.</p>${
      r.native.missing.length
        ? table(
            ['missing soname', 'Debian package', 'needed by'],
            r.native.missing.map((m) => [
              m.soname,
              m.debianPackage ?? '?',
              m.distributions.join(', ') || m.neededBy.join(', '),
            ]),
          )
        : '<p>Every DT_NEEDED resolves inside the image.</p>'
    }`,
  );
  if (cmp) {
    sections.push(
      `<h2>Compared with ${esc(cmp.before)}</h2>${table(
        ['', 'before', 'after', 'delta'],
        Object.entries(cmp.size).map(([k, v]) => [k, fmt(v.before), fmt(v.after), fmt(v.delta)]),
        [1, 2, 3],
      )}${table(
        ['change', 'distribution', 'version', 'bytes'],
        [
          ...cmp.distributions.added.map((d) => ['added', d.name, d.version, fmt(d.bytes)]),
          ...cmp.distributions.removed.map((d) => ['removed', d.name, d.version, fmt(d.bytes)]),
          ...cmp.distributions.changed.map((d) => [
            'changed',
            d.name,
            `${d.before} → ${d.after}`,
            fmt(d.delta),
          ]),
        ],
        [3],
      )}`,
    );
  }
  if (gates?.results.length) {
    sections.push(
      `<h2>Gates</h2>${table(
        ['gate', 'limit', 'actual', 'result'],
        gates.results.map((g) => [g.gate, g.limit, g.actual, g.passed ? 'pass' : 'FAIL']),
      )}`,
    );
  }
  if (r.warnings.length)
    sections.push(`<h2>Warnings</h2><ul>${r.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>`);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(`pycontain analyze: ${r.image.name}`)}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:24px auto;max-width:1100px;color:#222;padding:0 12px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #ddd}
.cards{display:flex;gap:12px;flex-wrap:wrap}.cards div{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:150px}
.cards b{display:block;font-size:20px}.cards span{color:#666;font-size:12px}
table{border-collapse:collapse;margin:8px 0;width:100%}td,th{border-bottom:1px solid #eee;padding:3px 6px;text-align:left;vertical-align:top;word-break:break-all}
td.n,th.n{text-align:right;white-space:nowrap;word-break:normal}
.lbl{font:12px ui-monospace,monospace;fill:#333}.b{font-weight:bold}.tm{font:10px system-ui,sans-serif;fill:#111;pointer-events:none}
.f{border-left:4px solid #bbb;padding:4px 10px;margin:6px 0}.f.error{border-color:#e15759}.f.warning{border-color:#f28e2b}.f.info{border-color:#4e79a7}
code{background:#f4f4f4;padding:0 3px}small{color:#555}svg{max-width:100%;height:auto}
</style></head><body>
<h1>${esc(r.image.name)}</h1>
<p>${esc(r.image.format)} · ${esc(`${r.image.os ?? '?'}/${r.image.architecture ?? '?'}`)}${r.image.configDigest ? ` · <code>${esc(r.image.configDigest.slice(0, 19))}</code>` : ''}</p>
${sections.join('\n')}
<p><small>Generated by pycontain analyze. Sizes are content bytes (file sizes and symlink lengths, hard links once), as docker history counts them.</small></p>
</body></html>
`;
}

import type { AnalysisReport } from './analyze.js';

export interface SizeDelta {
  before: number;
  after: number;
  delta: number;
}

export interface Comparison {
  before: string;
  after: string;
  size: { total: SizeDelta; visible: SizeDelta; waste: SizeDelta; blobs: SizeDelta };
  layers: {
    before: number;
    after: number;
    /** Layers present in both (matched by diff_id, then by instruction text; never by index). */
    shared: number;
    added: Array<{ index: number; createdBy: string | null; size: number }>;
    removed: Array<{ index: number; createdBy: string | null; size: number }>;
  };
  distributions: {
    added: Array<{ name: string; version: string; bytes: number }>;
    removed: Array<{ name: string; version: string; bytes: number }>;
    /** Same distribution in both; bytes or version changed. Biggest change first. */
    changed: Array<{
      name: string;
      before: string;
      after: string;
      bytesBefore: number;
      bytesAfter: number;
      delta: number;
    }>;
  };
  findings: { added: string[]; fixed: string[] };
}

const d = (before: number, after: number): SizeDelta => ({ before, after, delta: after - before });

/** Distributions keyed by name and environment role (venv or system), summed when repeated. */
function distMap(r: AnalysisReport): Map<string, { name: string; version: string; bytes: number }> {
  const m = new Map<string, { name: string; version: string; bytes: number }>();
  for (const x of r.python.distributions) {
    const cur = m.get(x.key);
    if (cur) {
      cur.bytes += x.bytes;
      if (!cur.version.split(', ').includes(x.version)) cur.version += `, ${x.version}`;
    } else m.set(x.key, { name: x.name, version: x.version, bytes: x.bytes });
  }
  return m;
}

export function compareReports(before: AnalysisReport, after: AnalysisReport): Comparison {
  // Layers: match by diff_id first, then by identical instruction text among the rest.
  const usedA = new Set<number>();
  const usedB = new Set<number>();
  const byDiff = new Map<string, number[]>();
  for (const l of before.layers)
    if (l.diffId) byDiff.set(l.diffId, [...(byDiff.get(l.diffId) ?? []), l.index]);
  for (const l of after.layers) {
    const cands = l.diffId ? (byDiff.get(l.diffId) ?? []) : [];
    const hit = cands.find((i) => !usedA.has(i));
    if (hit !== undefined) {
      usedA.add(hit);
      usedB.add(l.index);
    }
  }
  for (const l of after.layers) {
    if (usedB.has(l.index) || !l.createdBy) continue;
    const hit = before.layers.find((a) => !usedA.has(a.index) && a.createdBy === l.createdBy);
    if (hit) {
      usedA.add(hit.index);
      usedB.add(l.index);
    }
  }
  const da = distMap(before);
  const db = distMap(after);
  const added = [...db].filter(([k]) => !da.has(k)).map(([, v]) => v);
  const removed = [...da].filter(([k]) => !db.has(k)).map(([, v]) => v);
  const changed: Comparison['distributions']['changed'] = [];
  for (const [k, b] of db) {
    const a = da.get(k);
    if (!a) continue;
    if (a.bytes !== b.bytes || a.version !== b.version) {
      changed.push({
        name: b.name,
        before: a.version,
        after: b.version,
        bytesBefore: a.bytes,
        bytesAfter: b.bytes,
        delta: b.bytes - a.bytes,
      });
    }
  }
  added.sort((x, y) => y.bytes - x.bytes);
  removed.sort((x, y) => y.bytes - x.bytes);
  changed.sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta));
  const fa = new Set(before.findings.map((f) => f.id));
  const fb = new Set(after.findings.map((f) => f.id));
  return {
    before: before.image.name,
    after: after.image.name,
    size: {
      total: d(before.size.total, after.size.total),
      visible: d(before.size.visible, after.size.visible),
      waste: d(before.size.waste, after.size.waste),
      blobs: d(before.size.blobs, after.size.blobs),
    },
    layers: {
      before: before.layers.length,
      after: after.layers.length,
      shared: usedB.size,
      added: after.layers
        .filter((l) => !usedB.has(l.index))
        .map((l) => ({ index: l.index, createdBy: l.createdBy, size: l.size })),
      removed: before.layers
        .filter((l) => !usedA.has(l.index))
        .map((l) => ({ index: l.index, createdBy: l.createdBy, size: l.size })),
    },
    distributions: { added, removed, changed },
    findings: {
      added: [...fb].filter((x) => !fa.has(x)).sort(),
      fixed: [...fa].filter((x) => !fb.has(x)).sort(),
    },
  };
}

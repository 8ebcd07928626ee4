/**
 * Wheel tag priority for a target CPython on glibc Linux, in the order `packaging.tags.sys_tags()`
 * yields them (the order pip prefers): cpXY-cpXY, cpXY-abi3 (and older abi3), cpXY-none, then the
 * py-tags, each over the platforms from the newest manylinux glibc down to linux_<arch>; `-any` last.
 */
import { type Arch, parseWheelName } from '../project/locks/wheels.js';

export interface Target {
  /** '3.11' */
  python: string;
  /** glibc major.minor of the base, e.g. [2, 36]. */
  glibc: [number, number];
  arch: Arch;
}

const LEGACY: Record<number, string> = { 17: 'manylinux2014', 12: 'manylinux2010', 5: 'manylinux1' };

export function platforms(t: Target): string[] {
  const out: string[] = [];
  const [maj, min] = t.glibc;
  for (let m = min; m >= (t.arch === 'x86_64' ? 5 : 17); m--) {
    out.push(`manylinux_${maj}_${m}_${t.arch}`);
    const legacy = LEGACY[m];
    if (legacy) out.push(`${legacy}_${t.arch}`);
  }
  out.push(`linux_${t.arch}`);
  return out;
}

export function supportedTags(t: Target): string[] {
  const [pyMaj = '3', pyMinStr = '0'] = t.python.split('.');
  const pyMin = Number(pyMinStr);
  const cp = `cp${pyMaj}${pyMin}`;
  const plats = platforms(t);
  const tags: string[] = [];
  for (const p of plats) tags.push(`${cp}-${cp}-${p}`);
  for (const p of plats) tags.push(`${cp}-abi3-${p}`);
  for (const p of plats) tags.push(`${cp}-none-${p}`);
  for (let m = pyMin - 1; m >= 2; m--) for (const p of plats) tags.push(`cp${pyMaj}${m}-abi3-${p}`);
  const pyVersions = [`py${pyMaj}${pyMin}`, `py${pyMaj}`];
  for (let m = pyMin - 1; m >= 0; m--) pyVersions.push(`py${pyMaj}${m}`);
  for (const v of pyVersions) for (const p of plats) tags.push(`${v}-none-${p}`);
  tags.push(`${cp}-none-any`);
  for (const v of pyVersions) tags.push(`${v}-none-any`);
  return tags;
}

/** Lower is better; null when the wheel does not install on the target. */
export function wheelRank(file: string, ranks: Map<string, number>): number | null {
  const w = parseWheelName(file);
  if (!w) return null;
  let best: number | null = null;
  for (const py of w.python)
    for (const abi of w.abi)
      for (const plat of w.platform) {
        const r = ranks.get(`${py}-${abi}-${plat}`);
        if (r !== undefined && (best === null || r < best)) best = r;
      }
  return best;
}

export function tagRanks(t: Target): Map<string, number> {
  return new Map(supportedTags(t).map((tag, i) => [tag, i]));
}

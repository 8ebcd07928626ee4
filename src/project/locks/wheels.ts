/**
 * Wheel file names (PEP 427 / PEP 491): `{name}-{version}(-{build})?-{python}-{abi}-{platform}.whl`,
 * each tag field possibly a `.`-joined set. Used to tell whether a locked version has a wheel that
 * installs on the image (CPython X.Y, glibc Linux) or will be built from its sdist.
 */

export interface WheelTags {
  name: string;
  version: string;
  python: string[];
  abi: string[];
  platform: string[];
}

export function parseWheelName(file: string): WheelTags | null {
  const base = file.split(/[\\/]/).pop() ?? file;
  if (!base.endsWith('.whl')) return null;
  const parts = base.slice(0, -4).split('-');
  if (parts.length !== 5 && parts.length !== 6) return null;
  const [name, version] = parts;
  const [py, abi, plat] = parts.slice(-3);
  if (!name || !version || !py || !abi || !plat) return null;
  return { name, version, python: py.split('.'), abi: abi.split('.'), platform: plat.split('.') };
}

/** glibc of the Debian releases the images use (bookworm 2.36, trixie 2.41): manylinux_2_X with X above is refused. */
const GLIBC_MINOR = 36;

const LEGACY_MANYLINUX: Record<string, number> = { manylinux1: 5, manylinux2010: 12, manylinux2014: 17 };

export type Arch = 'x86_64' | 'aarch64';

function platformFits(tag: string, arch: Arch): boolean {
  if (tag === 'any') return true;
  // pip installs `linux_<arch>` wheels on Linux (they are what a local build or a private index holds).
  if (tag === `linux_${arch}`) return true;
  const m = /^(manylinux1|manylinux2010|manylinux2014|manylinux_(\d+)_(\d+))_(.+)$/.exec(tag);
  if (!m || m[4] !== arch) return false;
  const glibcMinor = m[2]
    ? Number(m[2]) === 2
      ? Number(m[3])
      : Number.POSITIVE_INFINITY
    : (LEGACY_MANYLINUX[m[1] ?? ''] ?? 99);
  return glibcMinor <= GLIBC_MINOR;
}

function pythonFits(pyTags: string[], abiTags: string[], minor: string): boolean {
  const [maj = '3', min = '0'] = minor.split('.');
  const cp = `cp${maj}${min}`;
  const minorNum = Number(min);
  for (const py of pyTags) {
    for (const abi of abiTags) {
      if (abi === 'none') {
        // Pure or ABI-free wheels: py3, py311, cp311, py2.py3.
        if (py === `py${maj}` || py === `py${maj}${min}` || py === cp) return true;
        const m = /^py(\d)(\d+)$/.exec(py);
        if (m && m[1] === maj && Number(m[2]) <= minorNum) return true;
        continue;
      }
      if (abi === 'abi3') {
        // cp38-abi3 works on every CPython >= 3.8.
        const m = /^cp(\d)(\d+)$/.exec(py);
        if (m && m[1] === maj && Number(m[2]) <= minorNum) return true;
        continue;
      }
      if (py === cp && (abi === cp || abi === `${cp}m`)) return true;
    }
  }
  return false;
}

/** Does this wheel install on CPython `minor` (e.g. '3.12') on glibc Linux for `arch`? */
export function wheelFits(file: string, minor: string, arch: Arch = 'x86_64'): boolean {
  const t = parseWheelName(file);
  if (!t) return false;
  return pythonFits(t.python, t.abi, minor) && t.platform.some((p) => platformFits(p, arch));
}

/** True when the wheel is pure Python (`none-any`). */
export function isPureWheel(file: string): boolean {
  const t = parseWheelName(file);
  return Boolean(t?.abi.includes('none') && t.platform.includes('any'));
}

/** File name out of a URL or path recorded by a lock (`.../numpy-1.26.4-cp312-...whl#sha256=...`). */
export function fileNameOf(urlOrPath: string): string {
  const noFrag = urlOrPath.split('#')[0]?.split('?')[0] ?? urlOrPath;
  const last = noFrag.split('/').pop() ?? noFrag;
  try {
    return decodeURIComponent(last);
  } catch {
    return last;
  }
}

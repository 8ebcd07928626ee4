/** A minimal ELF64 little-endian shared object with a dynamic section (test helper). */
export interface ElfSpec {
  needed?: string[];
  rpath?: string;
  runpath?: string;
  soname?: string;
  machine?: number;
  /** 32-bit ELF header only (no dynamic section): enough for class checks. */
  bits32?: boolean;
  /** Bytes of filler between the string table and the dynamic section (puts it past the first 64 KiB). */
  pad?: number;
}

export function makeElf(spec: ElfSpec = {}): Buffer {
  const machine = spec.machine ?? 62;
  if (spec.bits32) {
    const h = Buffer.alloc(52);
    h.write('\x7fELF', 0, 'latin1');
    h[4] = 1;
    h[5] = 1;
    h[6] = 1;
    h.writeUInt16LE(3, 16);
    h.writeUInt16LE(machine === 62 ? 3 : machine, 18);
    return h;
  }
  const strs: string[] = ['', ...(spec.needed ?? [])];
  if (spec.rpath) strs.push(spec.rpath);
  if (spec.runpath) strs.push(spec.runpath);
  if (spec.soname) strs.push(spec.soname);
  const offsets = new Map<string, number>();
  let strtab = Buffer.alloc(0);
  for (const s of strs) {
    if (offsets.has(s)) continue;
    offsets.set(s, strtab.length);
    strtab = Buffer.concat([strtab, Buffer.from(`${s}\0`)]);
  }
  const strOff = 0x100;
  const dynOff = Math.ceil((strOff + strtab.length + (spec.pad ?? 0)) / 8) * 8;
  const dyn: Array<[number, number]> = [];
  for (const n of spec.needed ?? []) dyn.push([1, offsets.get(n)!]);
  dyn.push([5, strOff]);
  if (spec.rpath) dyn.push([15, offsets.get(spec.rpath)!]);
  if (spec.runpath) dyn.push([29, offsets.get(spec.runpath)!]);
  if (spec.soname) dyn.push([14, offsets.get(spec.soname)!]);
  dyn.push([0, 0]);
  const total = dynOff + dyn.length * 16;
  const b = Buffer.alloc(total);
  b.write('\x7fELF', 0, 'latin1');
  b[4] = 2;
  b[5] = 1;
  b[6] = 1;
  b.writeUInt16LE(3, 16);
  b.writeUInt16LE(machine, 18);
  b.writeUInt32LE(1, 20);
  b.writeBigUInt64LE(64n, 32); // e_phoff
  b.writeUInt16LE(64, 52);
  b.writeUInt16LE(56, 54);
  b.writeUInt16LE(2, 56);
  // PT_LOAD covering the whole file at vaddr 0
  let o = 64;
  b.writeUInt32LE(1, o);
  b.writeBigUInt64LE(0n, o + 8);
  b.writeBigUInt64LE(0n, o + 16);
  b.writeBigUInt64LE(BigInt(total), o + 32);
  b.writeBigUInt64LE(BigInt(total), o + 40);
  // PT_DYNAMIC
  o += 56;
  b.writeUInt32LE(2, o);
  b.writeBigUInt64LE(BigInt(dynOff), o + 8);
  b.writeBigUInt64LE(BigInt(dynOff), o + 16);
  b.writeBigUInt64LE(BigInt(dyn.length * 16), o + 32);
  strtab.copy(b, strOff);
  dyn.forEach(([tag, val], i) => {
    b.writeBigUInt64LE(BigInt(tag), dynOff + i * 16);
    b.writeBigUInt64LE(BigInt(val), dynOff + i * 16 + 8);
  });
  return b;
}

/** The first bytes of a 64-bit Mach-O (what a macOS .so copied from a host looks like). */
export function makeMachO(): Buffer {
  const b = Buffer.alloc(256);
  b.writeUInt32LE(0xfeedfacf, 0);
  return b;
}

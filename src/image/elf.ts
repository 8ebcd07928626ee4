import type { EntrySink } from './tar.js';

/** What the dynamic loader needs to know about one binary. */
export interface ElfInfo {
  /** 'elf' for ELF; 'macho' / 'pe' for binaries that cannot load on Linux at all (copied from a host). */
  format: 'elf' | 'macho' | 'pe';
  /** 32 or 64 (ELF only). */
  bits?: 32 | 64;
  /** e_machine, e.g. 62 = x86-64, 183 = aarch64. */
  machine?: number;
  /** e_type: 2 executable, 3 shared object / PIE. */
  elfType?: number;
  interp?: string;
  needed: string[];
  rpath: string[];
  runpath: string[];
  soname?: string;
  /** Set when the dynamic section could not be read in full (odd layout or limits). */
  incomplete?: string;
}

export const EM_NAMES: Record<number, string> = {
  3: 'i386',
  8: 'mips',
  20: 'ppc',
  21: 'ppc64',
  22: 's390',
  40: 'arm',
  62: 'x86-64',
  183: 'aarch64',
  243: 'riscv',
};

const HEAD = 64 * 1024;
/** Most bytes kept of the first loadable segment (dynstr lives there); bounded memory per file. */
const MAX_SEGMENT = 16 * 1024 * 1024;

export function binaryFormat(head: Uint8Array): ElfInfo['format'] | null {
  if (head.length < 4) return null;
  if (head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) return 'elf';
  const m = ((head[0]! << 24) | (head[1]! << 16) | (head[2]! << 8) | head[3]!) >>> 0;
  if (m === 0xfeedface || m === 0xfeedfacf || m === 0xcefaedfe || m === 0xcffaedfe) return 'macho';
  if (m === 0xcafebabe && head.length >= 8 && head[7]! < 40) return 'macho';
  if (head[0] === 0x4d && head[1] === 0x5a) return 'pe';
  return null;
}

interface Range {
  start: number;
  end: number;
  buf: Buffer;
}

interface Phdr {
  type: number;
  offset: number;
  vaddr: number;
  filesz: number;
}

class Reader {
  constructor(
    readonly buf: Buffer,
    readonly le: boolean,
    readonly is64: boolean,
  ) {}
  u16(o: number): number {
    return this.le ? this.buf.readUInt16LE(o) : this.buf.readUInt16BE(o);
  }
  u32(o: number): number {
    return this.le ? this.buf.readUInt32LE(o) : this.buf.readUInt32BE(o);
  }
  addr(o: number): number {
    if (!this.is64) return this.u32(o);
    const v = this.le ? this.buf.readBigUInt64LE(o) : this.buf.readBigUInt64BE(o);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(v);
  }
}

/**
 * Streams one file's bytes and extracts the ELF header, program headers, PT_INTERP and the dynamic
 * section (DT_NEEDED / RPATH / RUNPATH / SONAME) while keeping only the ranges it needs.
 * With `dynamic: false` only the header is read (class and machine of candidate libraries).
 */
export class ElfCollector implements EntrySink {
  result: ElfInfo | null = null;
  private head: Buffer;
  private headFill = 0;
  private ranges: Range[] = [];
  private phdrs: Phdr[] = [];
  private reader: Reader | null = null;
  private done = false;

  constructor(
    private readonly size: number,
    private readonly dynamic: boolean,
  ) {
    this.head = Buffer.allocUnsafe(Math.min(size, dynamic ? HEAD : 64));
  }

  data(chunk: Buffer, offset: number): void {
    if (this.done) return;
    if (offset < this.head.length) {
      const take = Math.min(chunk.length, this.head.length - offset);
      chunk.copy(this.head, offset, 0, take);
      this.headFill = offset + take;
      if (this.headFill >= this.head.length) this.afterHead();
      if (this.done) return;
    }
    const end = offset + chunk.length;
    for (const r of this.ranges) {
      if (r.end <= offset || r.start >= end) continue;
      const from = Math.max(r.start, offset);
      const to = Math.min(r.end, end);
      chunk.copy(r.buf, from - r.start, from - offset, to - offset);
    }
  }

  end(): void {
    if (!this.reader && !this.done) this.afterHead();
    if (this.done && !this.reader) return;
    if (this.reader) this.finish();
    this.done = true;
  }

  private afterHead(): void {
    if (this.reader || this.done) return;
    const h = this.head.subarray(0, this.headFill);
    const fmt = binaryFormat(h);
    if (fmt !== 'elf') {
      this.done = true;
      if (fmt) this.result = { format: fmt, needed: [], rpath: [], runpath: [] };
      return;
    }
    if (h.length < 52) {
      this.done = true;
      return;
    }
    const cls = h[4];
    const data = h[5];
    if ((cls !== 1 && cls !== 2) || (data !== 1 && data !== 2)) {
      this.done = true;
      return;
    }
    const is64 = cls === 2;
    const r = new Reader(h, data === 1, is64);
    const info: ElfInfo = {
      format: 'elf',
      bits: is64 ? 64 : 32,
      elfType: r.u16(16),
      machine: r.u16(18),
      needed: [],
      rpath: [],
      runpath: [],
    };
    this.result = info;
    if (!this.dynamic) {
      this.done = true;
      return;
    }
    if (is64 && h.length < 64) {
      info.incomplete = 'short ELF header';
      this.done = true;
      return;
    }
    const phoff = is64 ? r.addr(32) : r.u32(28);
    const phentsize = r.u16(is64 ? 54 : 42);
    const phnum = r.u16(is64 ? 56 : 44);
    if (phnum === 0) {
      this.done = true;
      return;
    }
    if (phoff + phentsize * phnum > h.length || phentsize < (is64 ? 56 : 32)) {
      info.incomplete = 'program headers outside the first 64 KiB';
      this.done = true;
      return;
    }
    for (let i = 0; i < phnum; i++) {
      const o = phoff + i * phentsize;
      const type = r.u32(o);
      const p: Phdr = is64
        ? { type, offset: r.addr(o + 8), vaddr: r.addr(o + 16), filesz: r.addr(o + 32) }
        : { type, offset: r.u32(o + 4), vaddr: r.u32(o + 8), filesz: r.u32(o + 16) };
      this.phdrs.push(p);
    }
    this.reader = r;
    const want = (start: number, len: number) => {
      const end = Math.min(start + len, this.size);
      if (end <= start || start >= this.size) return;
      this.ranges.push({ start, end, buf: Buffer.alloc(end - start) });
    };
    const dyn = this.phdrs.find((p) => p.type === 2);
    const interp = this.phdrs.find((p) => p.type === 3);
    if (interp && interp.filesz < 4096) want(interp.offset, interp.filesz);
    if (dyn) {
      if (dyn.filesz > 1 << 20) {
        info.incomplete = 'dynamic section too large';
      } else want(dyn.offset, dyn.filesz);
      const first = this.phdrs.find((p) => p.type === 1);
      if (first) want(first.offset, Math.min(first.filesz, MAX_SEGMENT));
    }
    // Ranges inside the head were already seen: fill them now.
    for (const rg of this.ranges) {
      const to = Math.min(rg.end, this.headFill);
      if (rg.start < to) this.head.copy(rg.buf, 0, rg.start, to);
    }
  }

  private readAt(offset: number, len: number): Buffer | null {
    for (const r of this.ranges) {
      if (offset >= r.start && offset + len <= r.end)
        return r.buf.subarray(offset - r.start, offset - r.start + len);
    }
    return null;
  }

  private stringAt(offset: number): string | null {
    for (const r of this.ranges) {
      if (offset >= r.start && offset < r.end) {
        const b = r.buf;
        const s = offset - r.start;
        let e = s;
        while (e < b.length && b[e] !== 0) e++;
        if (e >= b.length) return null;
        return b.toString('utf8', s, e);
      }
    }
    return null;
  }

  private finish(): void {
    const info = this.result!;
    const r = this.reader!;
    const interp = this.phdrs.find((p) => p.type === 3);
    if (interp) {
      const b = this.readAt(interp.offset, interp.filesz);
      if (b) info.interp = b.toString('utf8').replace(/\0.*$/s, '');
    }
    const dyn = this.phdrs.find((p) => p.type === 2);
    if (!dyn || info.incomplete) return;
    const dbuf = this.readAt(dyn.offset, dyn.filesz);
    if (!dbuf) {
      info.incomplete = 'dynamic section not read';
      return;
    }
    const dr = new Reader(dbuf, r.le, r.is64);
    const ent = r.is64 ? 16 : 8;
    const needed: number[] = [];
    const rpath: number[] = [];
    const runpath: number[] = [];
    let soname = -1;
    let strtab = -1;
    for (let o = 0; o + ent <= dbuf.length; o += ent) {
      const tag = r.is64 ? dr.addr(o) : dr.u32(o);
      const val = r.is64 ? dr.addr(o + 8) : dr.u32(o + 4);
      if (tag === 0) break;
      if (tag === 1) needed.push(val);
      else if (tag === 5) strtab = val;
      else if (tag === 14) soname = val;
      else if (tag === 15) rpath.push(val);
      else if (tag === 29) runpath.push(val);
    }
    if (strtab < 0) return;
    // DT_STRTAB is a virtual address: map it to a file offset through the PT_LOAD that holds it.
    const load = this.phdrs.find((p) => p.type === 1 && strtab >= p.vaddr && strtab < p.vaddr + p.filesz);
    if (!load) {
      info.incomplete = 'string table outside loadable segments';
      return;
    }
    const base = strtab - load.vaddr + load.offset;
    const str = (v: number): string | null => this.stringAt(base + v);
    const all = (list: number[]) => list.map(str);
    const n = all(needed);
    const rp = all(rpath);
    const rn = all(runpath);
    if ([...n, ...rp, ...rn].some((s) => s === null)) {
      info.incomplete = 'string table beyond the bytes kept';
    }
    info.needed = n.filter((s): s is string => s !== null);
    info.rpath = rp.flatMap((s) => (s ? s.split(':').filter(Boolean) : []));
    info.runpath = rn.flatMap((s) => (s ? s.split(':').filter(Boolean) : []));
    if (soname >= 0) {
      const s = str(soname);
      if (s) info.soname = s;
    }
  }
}

/**
 * A minimal zip reader for wheels: central directory first (the local headers of some writers lie
 * about sizes), stored and deflated members only, no zip64 (a wheel over 4 GiB is refused by name).
 */
import { inflateRawSync } from 'node:zlib';

export interface ZipMember {
  name: string;
  /** Unix mode from the "made by Unix" external attributes, 0 when the writer recorded none. */
  unixMode: number;
  isDir: boolean;
  data: () => Buffer;
}

export class ZipError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'ZipError';
  }
}

export function readZip(buf: Buffer, file: string): ZipMember[] {
  const eocd = findEocd(buf);
  if (eocd < 0) throw new ZipError(file, 'not a zip archive (no end-of-central-directory record)');
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  let off = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || off === 0xffffffff || cdSize === 0xffffffff)
    throw new ZipError(file, 'zip64 archives are not supported');
  const out: ZipMember[] = [];
  for (let i = 0; i < count; i++) {
    if (off + 46 > buf.length || buf.readUInt32LE(off) !== 0x02014b50)
      throw new ZipError(file, `central directory entry ${i} is damaged`);
    const madeBy = buf.readUInt16LE(off + 4) >> 8;
    const method = buf.readUInt16LE(off + 10);
    const compSize = buf.readUInt32LE(off + 20);
    const size = buf.readUInt32LE(off + 24);
    const nameLen = buf.readUInt16LE(off + 28);
    const extraLen = buf.readUInt16LE(off + 30);
    const commentLen = buf.readUInt16LE(off + 32);
    const external = buf.readUInt32LE(off + 38);
    const local = buf.readUInt32LE(off + 42);
    const name = buf.toString('utf8', off + 46, off + 46 + nameLen);
    off += 46 + nameLen + extraLen + commentLen;
    if (compSize === 0xffffffff || size === 0xffffffff || local === 0xffffffff)
      throw new ZipError(file, `${name}: zip64 members are not supported`);
    if (method !== 0 && method !== 8)
      throw new ZipError(
        file,
        `${name}: compression method ${method} is not supported (only stored and deflate)`,
      );
    const unixMode = madeBy === 3 ? (external >>> 16) & 0o7777 : 0;
    out.push({
      name,
      unixMode,
      isDir: name.endsWith('/'),
      data: () => {
        if (buf.readUInt32LE(local) !== 0x04034b50)
          throw new ZipError(file, `${name}: local header is damaged`);
        const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
        const raw = buf.subarray(start, start + compSize);
        const data = method === 0 ? Buffer.from(raw) : inflateRawSync(raw);
        if (data.length !== size)
          throw new ZipError(file, `${name}: size ${data.length} differs from the recorded ${size}`);
        return data;
      },
    });
  }
  return out;
}

function findEocd(buf: Buffer): number {
  const stop = Math.max(0, buf.length - 22 - 0xffff);
  for (let i = buf.length - 22; i >= stop; i--) if (buf.readUInt32LE(i) === 0x06054b50) return i;
  return -1;
}

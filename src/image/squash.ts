/**
 * Apply layers in order (OCI image-spec layer.md) and account for every content byte exactly:
 *   Σ layer bytes = bytes visible in the final filesystem + Σ waste, waste split by cause.
 * Whiteouts and opaque markers apply to the lower layers only and before the layer's own entries,
 * whatever their position in the tar. A non-directory replacing a directory removes the lower
 * subtree. Content lives in inodes so that hard links keep bytes alive under another name.
 */
import type { ElfInfo } from './elf.js';
import type { LayerEntry } from './layer.js';
import type { EntryType } from './tar.js';

export type WasteCause = 'overwritten' | 'deleted' | 'opaque' | 'attributes';
export const WASTE_CAUSES: WasteCause[] = ['overwritten', 'deleted', 'opaque', 'attributes'];

export interface Inode {
  size: number;
  /** Layer whose tar holds these bytes. */
  layer: number;
  refs: number;
  fp: number | undefined;
}

export interface FsNode {
  name: string;
  parent: FsNode | null;
  children: Map<string, FsNode> | null;
  type: EntryType;
  mode: number;
  uid: number;
  gid: number;
  linkname: string;
  /** Layer that wrote this version of the path. */
  layer: number;
  /** First layer of the uninterrupted presence of this path (overwrites keep it, deletes reset it). */
  since: number;
  /** Regular files and hard links: the content. Symlinks: null (their target length is `linkSize`). */
  inode: Inode | null;
  linkSize: number;
  content?: Buffer;
  elf?: ElfInfo;
  xattrs?: string[];
}

export interface WasteRecord {
  path: string;
  size: number;
  cause: WasteCause;
  addedBy: number;
  hiddenBy: number;
  /** The path whose removal caused this (the deleted directory, the opaque directory, the overwritten file). */
  root: string;
}

export interface SquashResult {
  root: FsNode;
  waste: WasteRecord[];
  /** Σ of content bytes of every layer. */
  totalBytes: number;
  /** Content bytes visible in the final filesystem (hard-linked content once). */
  visibleBytes: number;
  warnings: string[];
}

function newNode(name: string, parent: FsNode | null, type: EntryType, layer: number): FsNode {
  return {
    name,
    parent,
    children: type === 'dir' ? new Map() : null,
    type,
    mode: type === 'dir' ? 0o755 : 0o644,
    uid: 0,
    gid: 0,
    linkname: '',
    layer,
    since: layer,
    inode: null,
    linkSize: 0,
  };
}

export function nodePath(n: FsNode): string {
  const parts: string[] = [];
  for (let c: FsNode | null = n; c?.parent; c = c.parent) parts.push(c.name);
  return parts.reverse().join('/');
}

/** Walks a normalized path without following symlinks. */
export function lookup(root: FsNode, path: string): FsNode | null {
  if (path === '') return root;
  let n: FsNode | null = root;
  let start = 0;
  while (n) {
    const slash = path.indexOf('/', start);
    const seg = slash < 0 ? path.slice(start) : path.slice(start, slash);
    const next: FsNode | undefined = n.children?.get(seg);
    if (!next) return null;
    if (slash < 0) return next;
    n = next;
    start = slash + 1;
  }
  return null;
}

/** Every node under `n` in pre-order with its path. Map.forEach: no iterator garbage on big trees. */
export function walk(n: FsNode, prefix = ''): Array<[string, FsNode]> {
  const out: Array<[string, FsNode]> = [];
  const rec = (dir: FsNode, base: string): void => {
    dir.children!.forEach((c) => {
      const p = base ? `${base}/${c.name}` : c.name;
      out.push([p, c]);
      if (c.children) rec(c, p);
    });
  };
  if (n.children) rec(n, prefix);
  return out;
}

export class Squasher {
  readonly root: FsNode = newNode('', null, 'dir', 0);
  readonly waste: WasteRecord[] = [];
  readonly warnings: string[] = [];
  totalBytes = 0;

  /** Apply one layer. `index` is its position (0 = bottom). */
  apply(entries: LayerEntry[], index: number): void {
    // Opaque markers first, then whiteouts: both only against what lower layers left.
    for (const e of entries) {
      if (e.whiteout !== 'opaque') continue;
      const dir = lookup(this.root, e.path);
      if (dir?.children) {
        for (const child of [...dir.children.values()]) {
          this.removeSubtree(child, 'opaque', index, e.path);
          dir.children.delete(child.name);
        }
      }
    }
    for (const e of entries) {
      if (e.whiteout !== 'file') continue;
      const n = lookup(this.root, e.path);
      if (n?.parent) {
        this.removeSubtree(n, 'deleted', index, e.path);
        n.parent.children!.delete(n.name);
      }
    }
    for (const e of entries) {
      if (e.whiteout) continue;
      this.add(e, index);
    }
  }

  // Entries come grouped by directory: remember the last parent looked up (invalidated on any removal).
  private lastDirPath: string | null = null;
  private lastDir: FsNode | null = null;

  private ensureDir(path: string, layer: number): FsNode {
    if (path === '') return this.root;
    if (path === this.lastDirPath && this.lastDir) return this.lastDir;
    const d = this.ensureDirSlow(path, layer);
    this.lastDirPath = path;
    this.lastDir = d;
    return d;
  }

  private ensureDirSlow(path: string, layer: number): FsNode {
    let n = this.root;
    let start = 0;
    for (;;) {
      const slash = path.indexOf('/', start);
      const seg = slash < 0 ? path.slice(start) : path.slice(start, slash);
      let next = n.children!.get(seg);
      if (!next?.children) {
        if (next) {
          // A lower non-directory where this layer has a directory: it is replaced.
          const p = slash < 0 ? path : path.slice(0, slash);
          this.removeSubtree(next, 'overwritten', layer, p);
        }
        next = newNode(seg, n, 'dir', layer);
        n.children!.set(seg, next);
      }
      if (slash < 0) return next;
      n = next;
      start = slash + 1;
    }
  }

  private add(e: LayerEntry, layer: number): void {
    this.totalBytes += e.type === 'hardlink' ? 0 : e.size;
    if (e.path === '') {
      // The root directory itself: attributes only.
      return;
    }
    const slash = e.path.lastIndexOf('/');
    const parent = this.ensureDir(slash < 0 ? '' : e.path.slice(0, slash), layer);
    const name = slash < 0 ? e.path : e.path.slice(slash + 1);
    const old = parent.children!.get(name);

    if (e.type === 'dir') {
      if (old?.children) {
        // Directories merge: attributes change, children stay.
        old.mode = e.mode;
        old.uid = e.uid;
        old.gid = e.gid;
        old.layer = layer;
        if (e.xattrs) old.xattrs = e.xattrs;
        return;
      }
      const n = newNode(name, parent, 'dir', layer);
      setAttrs(n, e);
      if (old) {
        n.since = old.since;
        this.removeSubtree(old, 'overwritten', layer, e.path);
      }
      parent.children!.set(name, n);
      return;
    }

    let inode: Inode | null = null;
    if (e.type === 'hardlink') {
      const target = lookup(this.root, e.linkname);
      if (target?.inode) {
        inode = target.inode;
        inode.refs++;
      } else {
        this.warnings.push(`hard link ${e.path} -> ${e.linkname}: target not found, counted as empty`);
        inode = { size: 0, layer, refs: 1, fp: 0 };
      }
    } else if (e.type === 'file') {
      inode = { size: e.size, layer, refs: 1, fp: e.fp };
    }

    const n = newNode(name, parent, e.type, layer);
    setAttrs(n, e);
    n.inode = inode;
    if (e.type === 'symlink') n.linkSize = e.size;
    if (e.content) n.content = e.content;
    if (e.elf) n.elf = e.elf;
    if (e.type === 'hardlink' && inode) {
      // A hard link shows the target's content: carry what we know about it.
      const target = lookup(this.root, e.linkname);
      if (target?.content) n.content = target.content;
      if (target?.elf) n.elf = target.elf;
    }

    if (old) {
      n.since = old.since;
      if (old.children) {
        // A non-directory replacing a directory removes the whole lower subtree.
        this.removeSubtree(old, 'deleted', layer, e.path);
      } else {
        const same =
          e.type === 'file' &&
          old.type === 'file' &&
          old.inode !== null &&
          old.inode.size === e.size &&
          old.inode.fp !== undefined &&
          old.inode.fp === e.fp;
        this.removeSubtree(old, same ? 'attributes' : 'overwritten', layer, e.path);
      }
    }
    parent.children!.set(name, n);
  }

  private removeSubtree(n: FsNode, cause: WasteCause, layer: number, root: string): void {
    this.lastDirPath = null;
    this.lastDir = null;
    const stack: Array<[FsNode, string]> = [[n, nodePath(n)]];
    while (stack.length) {
      const [c, p] = stack.pop()!;
      if (c.children) {
        for (const k of c.children.values()) stack.push([k, `${p}/${k.name}`]);
        continue;
      }
      if (c.inode) {
        const ino = c.inode;
        ino.refs--;
        if (ino.refs === 0 && ino.size > 0) {
          this.waste.push({ path: p, size: ino.size, cause, addedBy: ino.layer, hiddenBy: layer, root });
        }
      } else if (c.linkSize > 0) {
        this.waste.push({ path: p, size: c.linkSize, cause, addedBy: c.layer, hiddenBy: layer, root });
      }
    }
  }

  /** `all` is walk(root) when the caller already has it. */
  result(all?: Array<[string, FsNode]>): SquashResult {
    let visible = 0;
    const seen = new Set<Inode>();
    const list = all ?? walk(this.root);
    for (let i = 0; i < list.length; i++) {
      const n = list[i]![1];
      if (n.inode) {
        if (!seen.has(n.inode)) {
          seen.add(n.inode);
          visible += n.inode.size;
        }
      } else visible += n.linkSize;
    }
    return {
      root: this.root,
      waste: this.waste,
      totalBytes: this.totalBytes,
      visibleBytes: visible,
      warnings: this.warnings,
    };
  }
}

function setAttrs(n: FsNode, e: LayerEntry): void {
  n.mode = e.mode;
  n.uid = e.uid;
  n.gid = e.gid;
  n.linkname = e.linkname;
  if (e.xattrs) n.xattrs = e.xattrs;
}

export function squash(layers: LayerEntry[][]): SquashResult {
  const s = new Squasher();
  for (const [i, entries] of layers.entries()) s.apply(entries, i);
  return s.result();
}

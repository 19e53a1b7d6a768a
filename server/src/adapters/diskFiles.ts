// FileAccess over the disk for the CLI and the server: regular files only (no FIFOs, devices or
// sockets), capped in size, never outside `root` — also not through a symlink that points out.
//
// Cost matters: every analysis of a Dockerfile reads the start scripts it runs. A path is checked
// by resolving its folder once per FileAccess (realpath) and lstat()ing the last component; only a
// symlink there costs a realpath of its own. A file's text is kept between analyses while lstat()
// reports the same file (device, inode, size, mtime, ctime), so an unchanged script is not read
// again; a file changed less than RACY_MS ago is never kept (its timestamp may not tell the next
// change apart on file systems with coarse timestamps).
import * as fs from 'fs';
import * as path from 'path';
import type { FileAccess } from '../core/types';
import { registerCache, type CacheStats } from '../core/cache';

export const MAX_READ_BYTES = 1024 * 1024;
const RACY_MS = 2000;
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0) | (fs.constants.O_NONBLOCK ?? 0);

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/** File texts by real path, with the lstat() identity they were read under. Least recently used out first. */
class FileTextCache {
  private readonly map = new Map<string, { id: string; text: string | undefined }>();
  private chars = 0;
  hits = 0;
  misses = 0;

  constructor(private readonly maxEntries: number, private readonly maxChars: number) {}

  get(real: string, id: string): { text: string | undefined } | undefined {
    const e = this.map.get(real);
    if (!e || e.id !== id) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.map.delete(real);
    this.map.set(real, e);
    return e;
  }

  set(real: string, id: string, text: string | undefined): void {
    const old = this.map.get(real);
    if (old) {
      this.chars -= old.text?.length ?? 0;
      this.map.delete(real);
    }
    this.map.set(real, { id, text });
    this.chars += text?.length ?? 0;
    while (this.map.size > this.maxEntries || this.chars > this.maxChars) {
      const [k, v] = this.map.entries().next().value as [string, { text: string | undefined }];
      this.map.delete(k);
      this.chars -= v.text?.length ?? 0;
    }
  }

  clear(): void {
    this.map.clear();
    this.chars = 0;
  }

  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, entries: this.map.size };
  }
}

const fileTexts = new FileTextCache(4000, 32 * 1024 * 1024);
registerCache('file-text', fileTexts);

function identity(st: fs.Stats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
}

/** Read a regular file that `st` (its lstat) describes; undefined for anything else or binary content. */
function readRegular(real: string, st: fs.Stats): string | undefined {
  if (!st.isFile() || st.size > MAX_READ_BYTES) return undefined;
  const id = identity(st);
  const hit = fileTexts.get(real, id);
  if (hit) return hit.text;
  let text: string | undefined;
  let fd: number | undefined;
  try {
    // O_NOFOLLOW: a symlink swapped in since lstat() is refused; O_NONBLOCK: a FIFO swapped in does not block.
    fd = fs.openSync(real, OPEN_FLAGS);
    const now = fs.fstatSync(fd);
    if (!now.isFile() || now.size > MAX_READ_BYTES) return undefined;
    const buf = Buffer.allocUnsafe(now.size);
    let got = 0;
    while (got < now.size) {
      const n = fs.readSync(fd, buf, got, now.size - got, got);
      if (n === 0) break;
      got += n;
    }
    const bytes = buf.subarray(0, got);
    text = bytes.includes(0) ? undefined : bytes.toString('utf8').replace(/^\uFEFF/, '');
    const age = Date.now() - Math.max(now.mtimeMs, now.ctimeMs);
    if (identity(now) === id && age > RACY_MS) fileTexts.set(real, id, text);
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
  return text;
}

export function diskFiles(root: string, overlay?: (file: string) => string | undefined): FileAccess {
  // Real paths of folders, once per FileAccess (one analysis): folders are not expected to turn
  // into symlinks while one file is analysed.
  const absRoot = path.resolve(root);
  const realDirs = new Map<string, string | null>();
  const realDir = (dir: string): string | undefined => {
    let r = realDirs.get(dir);
    if (r !== undefined) return r ?? undefined;
    r = null;
    try {
      if (dir !== absRoot && inside(absRoot, dir)) {
        // Below the root: the parent's real path plus this name, unless the name is a symlink.
        const parent = realDir(path.dirname(dir));
        if (parent) {
          const p = path.join(parent, path.basename(dir));
          const st = fs.lstatSync(p, { throwIfNoEntry: false });
          if (st?.isDirectory()) r = p;
          else if (st?.isSymbolicLink()) r = fs.realpathSync.native(p);
        }
      } else {
        r = fs.realpathSync.native(dir);
      }
    } catch {
      r = null;
    }
    realDirs.set(dir, r);
    return r ?? undefined;
  };
  const realRoot = realDir(absRoot) ?? absRoot;
  /** Where `p` really is and its lstat, when it exists inside the root (also after symlinks). */
  const locate = (p: string): { real: string; st: fs.Stats } | undefined => {
    const abs = path.resolve(p);
    if (!inside(absRoot, abs)) return undefined;
    let real: string;
    if (abs === absRoot) {
      const r = realDir(absRoot);
      if (!r) return undefined;
      real = r;
    } else {
      const parent = realDir(path.dirname(abs));
      if (!parent || !inside(realRoot, parent)) return undefined;
      real = path.join(parent, path.basename(abs));
    }
    try {
      let st = fs.lstatSync(real, { throwIfNoEntry: false });
      if (!st) return undefined;
      if (st.isSymbolicLink()) {
        real = fs.realpathSync.native(real);
        if (!inside(realRoot, real)) return undefined;
        st = fs.lstatSync(real, { throwIfNoEntry: false });
        if (!st) return undefined;
      }
      return { real, st };
    } catch {
      return undefined;
    }
  };
  return {
    read(file) {
      const o = overlay?.(file);
      if (o !== undefined) return o;
      const loc = locate(file);
      return loc ? readRegular(loc.real, loc.st) : undefined;
    },
    exists(file) {
      if (overlay?.(file) !== undefined) return true;
      return locate(file) !== undefined;
    },
    isDirectory(file) {
      return locate(file)?.st.isDirectory() ?? false;
    },
    list(dir) {
      const loc = locate(dir);
      if (!loc?.st.isDirectory()) return undefined;
      try {
        return fs.readdirSync(loc.real);
      } catch {
        return undefined;
      }
    },
  };
}

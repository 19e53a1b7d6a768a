// FileAccess over the disk for the CLI and the server: regular files only (no FIFOs, devices or
// sockets), capped in size, never outside `root` — also not through a symlink that points out.
import * as fs from 'fs';
import * as path from 'path';
import type { FileAccess } from '../core/types';

export const MAX_READ_BYTES = 1024 * 1024;

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export function diskFiles(root: string, overlay?: (file: string) => string | undefined): FileAccess {
  let realRoot: string;
  try {
    realRoot = fs.realpathSync.native(root);
  } catch {
    realRoot = path.resolve(root);
  }
  const absRoot = path.resolve(root);
  const safe = (p: string): string | undefined => {
    const abs = path.resolve(p);
    if (!inside(absRoot, abs)) return undefined;
    try {
      // One realpath(3) call; the JS fallback lstat()s every component of the path.
      const real = fs.realpathSync.native(abs);
      return inside(realRoot, real) ? real : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    read(file) {
      const o = overlay?.(file);
      if (o !== undefined) return o;
      const real = safe(file);
      if (!real) return undefined;
      try {
        const st = fs.statSync(real);
        if (!st.isFile() || st.size > MAX_READ_BYTES) return undefined;
        const buf = fs.readFileSync(real);
        if (buf.includes(0)) return undefined;
        return buf.toString('utf8').replace(/^\uFEFF/, '');
      } catch {
        return undefined;
      }
    },
    exists(file) {
      if (overlay?.(file) !== undefined) return true;
      return safe(file) !== undefined;
    },
    isDirectory(file) {
      // Most paths asked about are files (COPY start.sh /): one stat answers those.
      try {
        if (!fs.statSync(file).isDirectory()) return false;
      } catch {
        return false;
      }
      const real = safe(file);
      if (!real) return false;
      try {
        return fs.statSync(real).isDirectory();
      } catch {
        return false;
      }
    },
    list(dir) {
      const real = safe(dir);
      if (!real) return undefined;
      try {
        return fs.readdirSync(real);
      } catch {
        return undefined;
      }
    },
  };
}

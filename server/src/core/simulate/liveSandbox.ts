// The sandbox a live stop simulation runs in: a root that mirrors this machine read-only (every
// top-level entry bound read-only into a fresh tmpfs root), with the image's files placed at their
// image paths, a fresh /proc for the new PID namespace, a private /dev and /tmp. The same list of
// mount operations drives bubblewrap (`bwrap`) and `unshare` (through a fixed setup script that
// reads the operations as arguments: nothing is ever interpolated into shell text).
import * as fs from 'fs';
import * as path from 'path';

export type MountOp =
  | { op: 'ro-bind'; from: string; to: string }
  | { op: 'symlink'; target: string; to: string }
  | { op: 'tmpfs'; to: string }
  | { op: 'dir'; to: string }
  | { op: 'proc'; to: string }
  | { op: 'dev'; to: string };

/** A host file or directory to show at `to` inside the sandbox (no `from`: an empty directory). */
export interface Placement {
  from?: string;
  to: string;
  kind: 'file' | 'dir';
}

const SPECIAL_TOP = new Set(['proc', 'dev', 'tmp']);
/** Re-binding the entries of a host directory to create a mount point in it: keep it small. */
const MAX_SHADOW_ENTRIES = 256;

function lstat(p: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(p);
  } catch {
    return undefined;
  }
}

function stat(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

type Where =
  /** Inside the fresh root (or /tmp, or a directory we shadowed): the mount point can be created. */
  | { kind: 'creatable'; real: string }
  /** Already there (a host path, through the read-only mirror). */
  | { kind: 'exists'; real: string; type: 'file' | 'dir' }
  /** Inside a directory we bound from the host: only what the host directory holds. */
  | { kind: 'in-bind'; real: string; host: string; bindTo: string }
  /** Missing under a read-only host directory: that directory must be shadowed first. */
  | { kind: 'missing'; real: string; parent: string }
  | { kind: 'error'; message: string };

export class SandboxLayout {
  readonly ops: MountOp[] = [];
  private readonly top: Map<string, fs.Stats>;
  private readonly shadowed = new Set<string>();
  private readonly placedDirs: Array<{ to: string; from: string }> = [];
  private readonly created = new Map<string, 'file' | 'dir'>();

  constructor() {
    this.top = new Map();
    let names: string[] = [];
    try {
      names = fs.readdirSync('/').sort();
    } catch {
      names = [];
    }
    for (const n of names) {
      const st = lstat('/' + n);
      if (st) this.top.set(n, st);
    }
  }

  /** Where `p` lands in the sandbox, following symlinks the way the mirror shows them. */
  where(p: string): Where {
    let parts = path.posix.normalize(p).split('/').filter(Boolean);
    let cur = '/';
    for (let hops = 0; hops < 40;) {
      if (parts.length === 0) {
        const created = this.created.get(cur);
        if (created) return { kind: 'exists', real: cur, type: created };
        const inBind = this.bindOf(cur);
        if (inBind) {
          const st = stat(inBind.host);
          return st ? { kind: 'exists', real: cur, type: st.isDirectory() ? 'dir' : 'file' } : { kind: 'in-bind', real: cur, host: inBind.host, bindTo: inBind.to };
        }
        if (cur === '/') return { kind: 'exists', real: '/', type: 'dir' };
        const st = stat(cur);
        return st ? { kind: 'exists', real: cur, type: st.isDirectory() ? 'dir' : 'file' } : { kind: 'error', message: `${p} cannot be resolved` };
      }
      const comp = parts[0];
      const next = cur === '/' ? '/' + comp : cur + '/' + comp;
      const rest = parts.slice(1);
      if (this.created.has(next)) {
        cur = next;
        parts = rest;
        continue;
      }
      const inBind = this.bindOf(next);
      if (inBind) {
        const real = [next, ...rest].join('/');
        const host = path.join(inBind.host, ...rest);
        const st = stat(host);
        if (st) return { kind: 'exists', real, type: st.isDirectory() ? 'dir' : 'file' };
        return { kind: 'in-bind', real, host, bindTo: inBind.to };
      }
      if (cur === '/' && (SPECIAL_TOP.has(comp) || !this.top.has(comp))) {
        if (comp === 'proc' || comp === 'dev') return { kind: 'error', message: `${p} is under /${comp}, which the sandbox provides itself` };
        return { kind: 'creatable', real: [next, ...rest].join('/') };
      }
      if (this.shadowed.has(cur) && !lstat(next)) return { kind: 'creatable', real: [next, ...rest].join('/') };
      const st = lstat(next);
      if (!st) return { kind: 'missing', real: [next, ...rest].join('/'), parent: cur };
      if (st.isSymbolicLink()) {
        hops++;
        let target: string;
        try {
          target = fs.readlinkSync(next);
        } catch {
          return { kind: 'error', message: `cannot read the link ${next}` };
        }
        const abs = path.posix.resolve(cur, target);
        parts = [...abs.split('/').filter(Boolean), ...rest];
        cur = '/';
        continue;
      }
      if (!st.isDirectory() && rest.length > 0) return { kind: 'error', message: `${next} is not a directory` };
      cur = next;
      parts = rest;
    }
    return { kind: 'error', message: `too many symbolic links resolving ${p}` };
  }

  private bindOf(p: string): { host: string; to: string } | undefined {
    for (let i = this.placedDirs.length - 1; i >= 0; i--) {
      const d = this.placedDirs[i];
      if (p === d.to) return { host: d.from, to: d.to };
      if (p.startsWith(d.to + '/')) return { host: path.join(d.from, p.slice(d.to.length + 1)), to: d.to };
    }
    return undefined;
  }

  /** The mirror of this machine's root, /dev, /proc and /tmp. */
  base(): void {
    for (const [n, st] of this.top) {
      if (SPECIAL_TOP.has(n)) continue;
      const p = '/' + n;
      if (st.isSymbolicLink()) {
        try {
          this.ops.push({ op: 'symlink', target: fs.readlinkSync(p), to: p });
        } catch {
          // unreadable link: leave it out
        }
      } else if (st.isDirectory() || st.isFile()) {
        this.ops.push({ op: 'ro-bind', from: p, to: p });
      }
    }
    this.ops.push({ op: 'dev', to: '/dev' }, { op: 'proc', to: '/proc' }, { op: 'tmpfs', to: '/tmp' });
  }

  /** Replace a read-only host directory by a tmpfs that shows the same entries, so new mount points can be made in it. */
  private shadow(dir: string): string | undefined {
    if (this.shadowed.has(dir)) return undefined;
    let names: string[];
    try {
      names = fs.readdirSync(dir).sort();
    } catch (e) {
      return `cannot read ${dir}: ${(e as Error).message}`;
    }
    if (names.length > MAX_SHADOW_ENTRIES) {
      return `placing a file in ${dir} needs a new mount point there, and ${dir} holds ${names.length} entries on this machine (more than ${MAX_SHADOW_ENTRIES} to mirror one by one)`;
    }
    this.ops.push({ op: 'tmpfs', to: dir });
    for (const n of names) {
      const p = path.posix.join(dir, n);
      const st = lstat(p);
      if (!st) continue;
      if (st.isSymbolicLink()) {
        try {
          this.ops.push({ op: 'symlink', target: fs.readlinkSync(p), to: p });
        } catch {
          // skip
        }
      } else if (st.isDirectory() || st.isFile()) this.ops.push({ op: 'ro-bind', from: p, to: p });
    }
    this.shadowed.add(dir);
    return undefined;
  }

  /** Add the placements (in order: later ones cover earlier ones, like later COPYs). */
  place(placements: Placement[]): string | undefined {
    // Pass 1: which host directories need a tmpfs to create mount points in.
    const needShadow = new Set<string>();
    for (const pl of placements) {
      const w = this.where(pl.to);
      if (w.kind === 'missing') needShadow.add(w.parent);
    }
    for (const d of [...needShadow].sort((a, b) => a.split('/').length - b.split('/').length)) {
      const err = this.shadow(d);
      if (err) return err;
    }
    // Pass 2: the placements themselves.
    for (const pl of placements) {
      const w = this.where(pl.to);
      switch (w.kind) {
        case 'error':
          return w.message;
        case 'missing':
          return `cannot create a mount point for ${pl.to} in ${w.parent}`;
        case 'in-bind':
          if (!pl.from) break;
          return `${pl.to} would have to be created inside ${w.bindTo}, a read-only view of a build-context directory that has no such entry`;
        case 'exists':
          if (!pl.from) continue;
          if (w.type !== pl.kind) return `${pl.to} is a ${w.type === 'dir' ? 'directory' : 'file'} on this machine, but the image has a ${pl.kind === 'dir' ? 'directory' : 'file'} there`;
          break;
        case 'creatable':
          break;
      }
      if (!pl.from) {
        this.ops.push({ op: 'dir', to: w.real });
        this.created.set(w.real, 'dir');
        continue;
      }
      this.ops.push({ op: 'ro-bind', from: pl.from, to: w.real });
      if (pl.kind === 'dir') this.placedDirs.push({ to: w.real, from: pl.from });
      else this.created.set(w.real, 'file');
    }
    return undefined;
  }
}

export function bwrapOpArgs(ops: MountOp[]): string[] {
  const out: string[] = [];
  for (const o of ops) {
    switch (o.op) {
      case 'ro-bind': out.push('--ro-bind', o.from, o.to); break;
      case 'symlink': out.push('--symlink', o.target, o.to); break;
      case 'tmpfs': out.push('--tmpfs', o.to); break;
      case 'dir': out.push('--dir', o.to); break;
      case 'proc': out.push('--proc', o.to); break;
      case 'dev': out.push('--dev', o.to); break;
    }
  }
  return out;
}

/**
 * Runs as PID 1 of the new PID and mount namespaces (unshare), builds the root from the operations
 * given as arguments, and execs the command there: the command keeps PID 1. Fixed text; every path
 * arrives as an argument.
 */
export const UNSHARE_SETUP = [
  'set -eu',
  'R=$1; shift',
  'mount -t tmpfs -o mode=0755 stopcheck-root "$R"',
  'ro() { for o in ro ro,nosuid ro,nodev ro,nosuid,nodev; do mount -o "remount,bind,$o" "$1" 2>/dev/null && return 0; done; echo "stopcheck-live: cannot make $1 read-only" >&2; exit 125; }',
  'while [ "$#" -gt 0 ]; do',
  '  case "$1" in',
  '    --) shift; break ;;',
  '    ro-bind) if [ -d "$2" ]; then mkdir -p "$R$3"; else mkdir -p "$R$(dirname -- "$3")"; [ -e "$R$3" ] || : > "$R$3"; fi',
  '      mount --rbind "$2" "$R$3"; ro "$R$3"; shift 3 ;;',
  '    symlink) ln -s -- "$2" "$R$3"; shift 3 ;;',
  '    tmpfs) mkdir -p "$R$2"; mount -t tmpfs stopcheck "$R$2"; shift 2 ;;',
  '    dir) mkdir -p "$R$2"; shift 2 ;;',
  '    proc) mkdir -p "$R$2"; mount -t proc proc "$R$2"; shift 2 ;;',
  '    dev) mkdir -p "$R$2"; mount --rbind /dev "$R$2"; shift 2 ;;',
  '    *) echo "stopcheck-live: unknown operation $1" >&2; exit 125 ;;',
  '  esac',
  'done',
  'exec chroot "$R" /usr/bin/env "$@"',
].join('\n');

export function unshareOpArgs(ops: MountOp[]): string[] {
  const out: string[] = [];
  for (const o of ops) {
    switch (o.op) {
      case 'ro-bind': out.push('ro-bind', o.from, o.to); break;
      case 'symlink': out.push('symlink', o.target, o.to); break;
      default: out.push(o.op, o.to); break;
    }
  }
  return out;
}

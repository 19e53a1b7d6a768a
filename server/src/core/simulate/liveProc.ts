// /proc readers for the live stop simulation (Linux only): the process tree below a launcher, the
// signal masks of each process, and whether a process is still the same one (pid + start time).
import * as fs from 'fs';

export interface ProcInfo {
  /** Host pid. */
  pid: number;
  /** Pid inside the innermost PID namespace (NSpid's last field); the host pid when not namespaced. */
  nsPid: number;
  ppid: number;
  nsPpid?: number;
  /** Clock ticks since boot; with the pid it names one process for its lifetime. */
  start: number;
  state: string;
  name: string;
  command: string;
  sigCgt: string;
  sigIgn: string;
  sigBlk: string;
  wchan: string;
}

export interface ProcStat {
  state: string;
  ppid: number;
  pgrp: number;
  start: number;
}

export function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name is in parentheses and may hold spaces or parentheses itself.
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  const f = text.slice(close + 2).split(' ');
  // f[0] is field 3 (state); field N is f[N - 3].
  return { state: f[0], ppid: Number(f[1]), pgrp: Number(f[2]), start: Number(f[19]) };
}

function readText(p: string): string | undefined {
  try {
    return fs.readFileSync(p, 'utf8');
  } catch {
    return undefined;
  }
}

export function readStatus(pid: number): Record<string, string> | undefined {
  const text = readText(`/proc/${pid}/status`);
  if (text === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1).trim();
  }
  return out;
}

export function readCmdline(pid: number): string[] {
  const t = readText(`/proc/${pid}/cmdline`);
  if (!t) return [];
  return t.split('\0').filter((x, i, a) => !(x === '' && i === a.length - 1));
}

export function procInfo(pid: number): ProcInfo | undefined {
  const st = readStat(pid);
  const status = readStatus(pid);
  if (!st || !status) return undefined;
  const nsPids = (status.NSpid ?? String(pid)).split(/\s+/).map(Number);
  const argv = readCmdline(pid);
  return {
    pid, nsPid: nsPids[nsPids.length - 1], ppid: st.ppid, start: st.start, state: st.state,
    name: status.Name ?? '', command: argv.length ? argv.join(' ') : `[${status.Name ?? '?'}]`,
    sigCgt: status.SigCgt ?? '', sigIgn: status.SigIgn ?? '', sigBlk: status.SigBlk ?? '',
    wchan: (readText(`/proc/${pid}/wchan`) ?? '').trim(),
  };
}

/** Direct children (all threads), through /proc/PID/task/TID/children. */
export function childrenOf(pid: number): number[] | undefined {
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const tid of tids) {
    const t = readText(`/proc/${pid}/task/${tid}/children`);
    if (t === undefined) return undefined; // kernel without CONFIG_PROC_CHILDREN
    for (const w of t.trim().split(/\s+/)) if (w) out.push(Number(w));
  }
  return out;
}

/** Children by a full scan of /proc (fallback). */
function childrenByScan(): Map<number, number[]> {
  const m = new Map<number, number[]>();
  let names: string[] = [];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return m;
  }
  for (const n of names) {
    if (!/^\d+$/.test(n)) continue;
    const st = readStat(Number(n));
    if (!st) continue;
    const list = m.get(st.ppid) ?? [];
    list.push(Number(n));
    m.set(st.ppid, list);
  }
  return m;
}

/** All descendants of `root` (not root itself), parents before children. */
export function descendants(root: number): number[] {
  const out: number[] = [];
  let scan: Map<number, number[]> | undefined;
  const queue = [root];
  const seen = new Set<number>([root]);
  while (queue.length) {
    const p = queue.shift()!;
    let kids = childrenOf(p);
    if (kids === undefined) {
      scan ??= childrenByScan();
      kids = scan.get(p) ?? [];
    }
    for (const k of kids) {
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(k);
      queue.push(k);
    }
  }
  return out;
}

/** Whether the process that had this pid and start time is still running (a zombie counts as gone). */
export function stillRunning(pid: number, start: number): boolean {
  const st = readStat(pid);
  return !!st && st.start === start && st.state !== 'Z' && st.state !== 'X';
}

/** Bit for signal n in a /proc status mask. */
export function maskHas(hex: string, signo: number): boolean {
  if (!hex || signo < 1 || signo > 64) return false;
  try {
    return ((BigInt('0x' + hex) >> BigInt(signo - 1)) & 1n) === 1n;
  } catch {
    return false;
  }
}

/** Pids whose command line or environment contains `needle` (for tests and leak checks). */
export function pidsMentioning(needle: string): number[] {
  const out: number[] = [];
  let names: string[] = [];
  try {
    names = fs.readdirSync('/proc');
  } catch {
    return out;
  }
  for (const n of names) {
    if (!/^\d+$/.test(n) || Number(n) === process.pid) continue;
    const cmd = readText(`/proc/${n}/cmdline`) ?? '';
    let env = '';
    try {
      env = fs.readFileSync(`/proc/${n}/environ`, 'utf8');
    } catch {
      // not ours to read
    }
    if (cmd.includes(needle) || env.includes(needle)) {
      const st = readStat(Number(n));
      if (st && st.state !== 'Z') out.push(Number(n));
    }
  }
  return out;
}

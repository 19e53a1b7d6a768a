// What the adapters show of a live stop simulation: the plan in words (the exact command and the
// files it places, for the confirmation), a digest of the plan (so what runs is what was confirmed),
// the observed result as JSON, and the plain-text log (CLI output, VS Code output channel).
import * as crypto from 'crypto';
import * as fs from 'fs';
import type { LivePlan, LiveResult } from './live';

export interface ObservedJson {
  verdict: string;
  events: Array<{ atSeconds: number; what: string }>;
  exitCode: number | null;
  isolation: string;
  agreesWithStatic: boolean;
  note: string;
  processes: Array<{ pid: number; ppid: number; command: string; sigCgt: string; sigIgn: string; sigBlk: string; wchan: string }>;
  aborted?: boolean;
}

export interface PlanSummary {
  /** PID 1's argv as it will run (image paths). */
  argv: string[];
  /** The argv quoted for display (never run through a shell). */
  command: string;
  cwd: string;
  signal: string;
  graceSeconds: number;
  /** Build-context files and host programs placed at image paths (host path → image path). */
  binds: Array<{ from: string; to: string }>;
  /** Files written for the run (COPY heredocs, scripts made executable). */
  files: Array<{ to: string; from?: string; inline: boolean }>;
  env: Record<string, string>;
  notes: string[];
  target?: string;
  /** Changes when the plan or a file it places changes. */
  digest: string;
}

/** Quote one word for display, the way a POSIX shell would read it back. */
export function quoteWord(w: string): string {
  if (w !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(w)) return w;
  return `'${w.replace(/'/g, `'\\''`)}'`;
}

export function displayCommand(argv: string[]): string {
  return argv.map(quoteWord).join(' ');
}

function fileStamp(p: string | undefined): string {
  if (!p) return '';
  try {
    const st = fs.statSync(p);
    return st.isFile() ? `${st.size}:${st.mtimeMs}` : 'dir';
  } catch {
    return 'missing';
  }
}

/** A digest of everything that decides what the run does, including the placed files' size and time. */
export function planDigest(plan: LivePlan): string {
  const h = crypto.createHash('sha256');
  h.update(JSON.stringify({
    argv: plan.argv, cwd: plan.cwd, env: plan.env, signal: plan.signal, grace: plan.graceSeconds, shell: plan.shellFamily,
    binds: plan.binds.map((b) => [b.from, b.to, fileStamp(b.from)]),
    files: (plan.files ?? []).map((f) => [f.to, f.from ?? '', f.content ?? '', f.mode, fileStamp(f.from)]),
  }));
  return h.digest('hex').slice(0, 32);
}

export function planSummary(plan: LivePlan): PlanSummary {
  return {
    argv: plan.argv, command: displayCommand(plan.argv), cwd: plan.cwd, signal: plan.signal, graceSeconds: plan.graceSeconds,
    binds: plan.binds.map((b) => ({ from: b.from, to: b.to })),
    files: (plan.files ?? []).map((f) => ({ to: f.to, from: f.from, inline: f.content !== undefined })),
    env: { ...plan.env }, notes: [...plan.notes], target: plan.target, digest: planDigest(plan),
  };
}

export function observedJson(res: LiveResult): ObservedJson {
  return {
    verdict: res.verdict, events: res.events, exitCode: res.exitCode, isolation: res.isolation, agreesWithStatic: res.agreesWithStatic, note: res.note,
    processes: res.processes.map((p) => ({ pid: p.pid, ppid: p.ppid, command: p.command, sigCgt: p.sigCgt, sigIgn: p.sigIgn, sigBlk: p.sigBlk, wchan: p.wchan })),
    ...(res.aborted ? { aborted: true } : {}),
  };
}

/**
 * The plain-text log of a live run, in the shape of the static timeline (`t=  0.0s …`, `verdict:`),
 * so the same TextMate grammar colours both. `color` wraps a disagreement in ANSI red (terminals).
 */
export function describeLive(observed: ObservedJson, predicted: string, color = false): string[] {
  const red = (s: string) => (color ? `\x1b[1;31m${s}\x1b[0m` : s);
  const out: string[] = [];
  out.push(`  live: ${observed.isolation === 'process-group' ? 'process group (no PID namespace; PID 1 behaviour predicted)' : `${observed.isolation}, PID 1 of a fresh PID namespace`}${observed.aborted ? ' — aborted' : ''}`);
  for (const e of observed.events) out.push(`  t=${e.atSeconds.toFixed(2).padStart(6)}s  ${e.what.replace(/\s*\n\s*/g, ' ')}`);
  out.push(`  exit code: ${observed.exitCode === null ? 'none' : observed.exitCode}`);
  if (observed.verdict === predicted) out.push(`  observed: ${observed.verdict} — agrees with the prediction (${predicted})`);
  else out.push(red(`  observed: ${observed.verdict} — DIFFERS from the prediction (${predicted})`));
  out.push(`  note: ${observed.note}`);
  return out;
}

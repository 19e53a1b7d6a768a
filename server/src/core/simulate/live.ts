// Live stop simulation (Linux only, Node only): run the container's start command for real as PID 1
// of a fresh PID namespace, with the image's start scripts placed at their image paths and the
// image's /bin/sh family emulated, send the stop signal to PID 1, watch who exits when, SIGKILL at the
// (scaled) end of the grace period, and compare what happened with the static verdict.
// SEMANTICS.md §4 is the method; DESIGN.md: bounded in time, and no process is left behind.
//
// Nothing here is ever run through a shell with interpolated text: argv and env go to the kernel as
// they are (the unshare path uses one fixed setup script that reads everything as arguments).
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { execFile, spawn, type ChildProcess } from 'child_process';
import { randomUUID } from 'crypto';
import type { Env } from 'dockerfile-ast';
import type { ChainProcess, LaunchChain, Word } from '../chain';
import type { ChainExtras, DockerfileModel, Stage } from '../dockerfile';
import { combineCommand, effectiveCommand, parseDockerfile } from '../dockerfile';
import { globToRe, stageFiles } from '../context';
import { parseSignal } from '../signals';
import { composeSplit, type DockerfileSource } from '../platforms';
import type { ComposeService, KubeContainer } from '../yamlModel';
import { descendants, maskHas, pidsMentioning, procInfo, readStat, stillRunning, type ProcInfo } from './liveProc';
import { SandboxLayout, UNSHARE_SETUP, bwrapOpArgs, unshareOpArgs, type Placement } from './liveSandbox';

export type LiveIsolation = 'bwrap' | 'unshare' | 'process-group';
export type LiveVerdict = 'graceful' | 'killed' | 'cut-short' | 'fails-to-start' | 'unknown';

export interface LivePlan {
  /** PID 1's argv, with image paths (as the container would run it). */
  argv: string[];
  /** Host file or directory → image path, in mount order (later covers earlier). */
  binds: Array<{ from: string; to: string }>;
  /** Working directory inside the sandbox (the stage's WORKDIR). */
  cwd: string;
  shellFamily: 'dash' | 'busybox' | 'bash' | 'unknown';
  signal: string;
  graceSeconds: number;
  env: Record<string, string>;
  notes: string[];
  /** Files written for the run and placed after the binds: COPY heredocs, and context files the Dockerfile makes executable. */
  files?: Array<{ to: string; content?: string; from?: string; mode: number }>;
  /** The app at the end of the chain, to recognise it in the live process tree. */
  app?: { argv0: string; label: string };
  /** What the plan is for (stage, service or container). */
  target?: string;
}

export interface LiveProcess {
  /** Pid inside the sandbox's PID namespace (the host pid for a process-group run). */
  pid: number;
  command: string;
  sigCgt: string;
  sigIgn: string;
  sigBlk: string;
  /** Parent's pid inside the namespace (0: outside). */
  ppid: number;
  hostPid: number;
  /** Kernel function the process sleeps in (e.g. do_sigtimedwait for tini, whose SigBlk then reads 0). */
  wchan: string;
}

export interface LiveResult {
  verdict: LiveVerdict;
  /** Seconds relative to the stop signal (negative: before it). Real time, not scaled back. */
  events: Array<{ atSeconds: number; what: string }>;
  /** PID 1's exit status (128 + n when a signal ended it), or null when it never ran. */
  exitCode: number | null;
  output: string;
  /** The process tree after settling, PID 1 first. */
  processes: LiveProcess[];
  isolation: LiveIsolation;
  agreesWithStatic: boolean;
  note: string;
  aborted?: boolean;
}

export interface LiveRunOptions {
  /** Grace period multiplier (default 0.2; never below 2 s). */
  timeScale?: number;
  /** How long the command runs before the stop signal (default 1500 ms). */
  settleMs?: number;
  signal?: AbortSignal;
  staticVerdict?: string;
  log?: (s: string) => void;
  /** Force an isolation (tests); default: the best one available. */
  isolation?: LiveIsolation;
  /**
   * Output the app prints when it receives the stop signal and when it has finished cleaning up.
   * With `finished`, an exit of PID 1 after the signal is graceful only if the app printed it.
   */
  markers?: { received?: string; finished?: string };
}

const DOCKER_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const INIT_NAMES = new Set(['tini', 'tini-static', 'docker-init', 'dumb-init']);
const MAX_OUTPUT = 256 * 1024;
/**
 * Every process of a run (the launcher, the sandbox setup, the command and all it starts) carries
 * this variable with the run's own id, so whatever the process-tree tracking missed (a child
 * orphaned between clone and exec when a run is aborted early) is still found and killed.
 */
export const RUN_MARK_VAR = 'STOPCHECK_LIVE_RUN';

// ---------------------------------------------------------------------------------------------
// Host helpers

function which(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':'), ...DOCKER_PATH.split(':')].filter(Boolean);
  for (const d of dirs) {
    const p = path.join(d, name);
    try {
      fs.accessSync(p, fs.constants.X_OK);
      if (fs.statSync(p).isFile()) return p;
    } catch {
      // next
    }
  }
  return undefined;
}

function realpath(p: string): string | undefined {
  try {
    return fs.realpathSync(p);
  } catch {
    return undefined;
  }
}

function statOf(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

function run(file: string, args: string[], timeoutMs = 5000): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: timeoutMs, killSignal: 'SIGKILL', env: { PATH: process.env.PATH ?? DOCKER_PATH } }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : null) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Availability

/** The best isolation this machine offers, probed for real (not cached: tests may install bwrap). */
export async function liveAvailable(): Promise<{ isolation: LiveIsolation; detail: string }> {
  if (process.platform !== 'linux') return { isolation: 'process-group', detail: `live runs need Linux (this is ${process.platform}); not available` };
  const reasons: string[] = [];
  const bwrap = which('bwrap');
  if (bwrap) {
    const help = await run(bwrap, ['--help']);
    if (!help.out.includes('--as-pid-1')) reasons.push(`${bwrap} has no --as-pid-1 (bubblewrap 0.3 or later needed)`);
    else {
      const probe = await run(bwrap, ['--unshare-pid', '--as-pid-1', '--die-with-parent', '--ro-bind', '/', '/', '--proc', '/proc', '--dev', '/dev', '--', 'true']);
      const version = (await run(bwrap, ['--version'])).out.trim();
      if (probe.code === 0) return { isolation: 'bwrap', detail: `${version || 'bubblewrap'} (${bwrap}): PID namespace, the command as PID 1` };
      reasons.push(`bwrap cannot create a PID namespace here: ${probe.out.trim().split('\n')[0] ?? probe.code}`);
    }
  } else reasons.push('bubblewrap (bwrap) is not installed');
  const unshare = which('unshare');
  if (unshare) {
    const root = process.getuid?.() === 0;
    const probe = await run(unshare, [...(root ? [] : ['--user', '--map-root-user']), '--pid', '--fork', '--kill-child', '--mount', '--propagation', 'private', '--', '/bin/sh', '-c', 'test "$$" -eq 1 && mount -t tmpfs stopcheck-probe /tmp']);
    if (probe.code === 0) return { isolation: 'unshare', detail: `unshare ${root ? '(root)' : '--user --map-root-user'}: PID and mount namespaces, the command as PID 1` };
    reasons.push(`unshare cannot create PID and mount namespaces here${root ? '' : ' (unprivileged user namespaces may be disabled)'}: ${probe.out.trim().split('\n')[0] ?? probe.code}`);
  } else reasons.push('unshare is not installed');
  return { isolation: 'process-group', detail: `${reasons.join('; ')}. Falling back to a process group: the command is not PID 1, so what PID 1 would do with the stop signal is predicted from /proc/PID/status` };
}

// ---------------------------------------------------------------------------------------------
// Planning

type AnyChain = LaunchChain & Partial<ChainExtras> & { stage?: Stage; container?: KubeContainer; service?: ComposeService; dockerfile?: DockerfileSource };

function chainWords(chain: AnyChain, stage: Stage | undefined): Word[] | { error: string } {
  const shell = stage?.shell?.argv ?? ['/bin/sh', '-c'];
  if (chain.container) {
    const c = chain.container;
    const cmdPart = c.command ? { form: 'exec' as const, words: c.command.words } : undefined;
    const argsPart = c.args ? { form: 'exec' as const, words: c.args.words } : undefined;
    if (cmdPart) return combineCommand(cmdPart, argsPart, shell).words;
    if (argsPart) return combineCommand(stage?.entrypoint, argsPart, shell).words;
    if (!stage) return { error: 'the image\'s Dockerfile is not in the workspace, so its command is unknown' };
    return combineCommand(stage.entrypoint, stage.cmd, shell).words;
  }
  if (chain.service) {
    const s = chain.service;
    const part = (spec: ComposeService['command']) => {
      if (!spec) return undefined;
      if (spec.form === 'list') return { form: 'exec' as const, words: spec.words };
      return { form: 'exec' as const, words: composeSplit(spec.raw ?? '').words.map((w) => ({ value: w, literal: true })) };
    };
    const ep = part(s.entrypoint);
    const cmd = part(s.command);
    if (!ep && !cmd && !stage) return { error: 'the image\'s Dockerfile is not in the workspace, so its command is unknown' };
    return combineCommand(ep ?? stage?.entrypoint, cmd ?? (ep ? undefined : stage?.cmd), shell).words;
  }
  if (!stage) return { error: 'live runs need the Dockerfile stage the chain comes from' };
  return effectiveCommand(stage).words;
}

function stageChain(stage: Stage): Stage[] {
  const out: Stage[] = [];
  const seen = new Set<Stage>();
  for (let s: Stage | undefined = stage; s && !seen.has(s); s = s.parent) {
    seen.add(s);
    out.unshift(s);
  }
  return out;
}

function expandVars(v: string, env: Record<string, string>): string {
  return v.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_m, a: string | undefined, b: string | undefined) => env[(a ?? b)!] ?? '');
}

/** ENV of the stage and the stages it builds on (the base image's own ENV is unknown). */
function stageEnv(stage: Stage | undefined, env: Record<string, string>): void {
  if (!stage) return;
  for (const s of stageChain(stage)) {
    for (const ins of s.instructions) {
      if (ins.getKeyword() !== 'ENV') continue;
      try {
        for (const p of (ins as Env).getProperties()) {
          const name = p.getName();
          const value = p.getValue();
          if (name && value !== null) env[name] = expandVars(value, env);
        }
      } catch {
        // unparsable ENV: skip
      }
    }
  }
}

/** Whether the Dockerfile makes `imagePath` executable (COPY --chmod, or a RUN chmod naming it). */
function madeExecutable(stage: Stage | undefined, imagePath: string, copyText: string): boolean {
  const m = /--chmod=([0-7]{3,4})/.exec(copyText);
  if (m) return (parseInt(m[1], 8) & 0o111) !== 0;
  if (!stage) return false;
  const name = path.posix.basename(imagePath);
  for (const s of stageChain(stage)) {
    for (const ins of s.instructions) {
      if (ins.getKeyword() !== 'RUN') continue;
      const t = ins.getArgumentsContent() ?? '';
      if (/\bchmod\b/.test(t) && (t.includes(name) || t.includes(path.posix.dirname(imagePath) + '/'))) return true;
    }
  }
  return false;
}

interface Placed { to: string; from?: string; content?: string; mode?: number; kind: 'file' | 'dir' }

/**
 * What to run and which files to place, for a chain whose start command exists in the workspace.
 * Returns { error } when something the chain runs is neither in the build context nor installed on
 * this machine: nothing is substituted, so the user sees the static simulation only.
 */
export function planLive(chain: LaunchChain, opts: { contextDir: string; model?: DockerfileModel; stage?: Stage }): LivePlan | { error: string } {
  if (process.platform !== 'linux') return { error: `live runs need Linux (PID namespaces); this is ${process.platform}` };
  const ch = chain as AnyChain;
  const notes: string[] = [];
  if (ch.failsToStart && ch.failsToStartKind === 'no-shell') {
    return { error: `${ch.failsToStart}; this machine has a shell, so a run here would not show that` };
  }
  if (chain.processes.length === 0) return { error: 'no command is set here, so there is nothing to run' };
  if (chain.policy.notPid1) return { error: 'with shareProcessNamespace the pause process is PID 1; live runs do not emulate that' };

  // The Dockerfile stage: given, or from the chain.
  let model = opts.model;
  let stage = opts.stage;
  if (!stage && ch.stage) {
    if (model && model.stages.includes(ch.stage)) stage = ch.stage;
    else {
      let text: string | undefined;
      try {
        text = fs.readFileSync(chain.file, 'utf8');
      } catch {
        text = undefined;
      }
      if (text !== undefined) {
        model = parseDockerfile(chain.file, text);
        stage = model.stages[ch.stage.index];
      }
    }
  }
  if (!stage && ch.dockerfile) {
    model = parseDockerfile(ch.dockerfile.file, ch.dockerfile.text);
    const t = ch.dockerfile.target?.toLowerCase();
    stage = t ? model.stages.find((s) => s.name?.toLowerCase() === t) : model.stages[model.stages.length - 1];
  }
  if (stage && !model) return { error: 'the Dockerfile model of the stage is needed (opts.model)' };
  const contextDir = path.resolve(ch.dockerfile?.contextDir ?? opts.contextDir);
  const realContext = realpath(contextDir) ?? contextDir;

  const words = chainWords(ch, stage);
  if (!Array.isArray(words)) return words;
  if (words.length === 0) return { error: 'no command is set here, so there is nothing to run' };
  let argv = words.map((w) => w.value);
  if (argv.some((a) => a.includes('\0'))) return { error: 'the command holds a NUL character' };
  if (argv[0].includes('=')) return { error: `the program name "${argv[0]}" holds "=", which the sandbox's env(1) would take for a variable` };

  const env: Record<string, string> = { PATH: DOCKER_PATH, HOME: '/root' };
  stageEnv(stage, env);
  const cwd = stage && model ? stageFiles(model, stage).workdir : '/';

  if (chain.policy.platformInit) {
    const tini = which('tini');
    if (!tini) return { error: 'the platform\'s init (docker-init, which is tini) is not installed here (Debian package tini)' };
    argv = [tini, '--', ...argv];
    notes.push(`docker-init (tini) is played by this machine's ${tini}`);
  }

  // The image's /bin/sh.
  const placed: Placed[] = [];
  const binds: Array<{ from: string; to: string }> = [];
  const fam = chain.shellFamily;
  const shellFamily: LivePlan['shellFamily'] = fam === 'dash' || fam === 'busybox' || fam === 'bash' ? fam : 'unknown';
  if (fam === 'none') notes.push('the image has no shell; the sandbox has this machine\'s /bin/sh, which nothing in the chain should use');
  else {
    const binName = shellFamily === 'unknown' ? 'dash' : shellFamily;
    if (shellFamily === 'unknown') notes.push('the image\'s /bin/sh is unknown; dash (the case where the shell stays in front of the app) plays it');
    const bin = which(binName);
    if (!bin) return { error: `${binName} is not installed on this machine (Debian package ${binName}), so the image's /bin/sh cannot be emulated` };
    const hostSh = realpath('/bin/sh');
    const want = realpath(bin);
    if (hostSh && want && hostSh !== want) {
      if (path.basename(hostSh) !== 'dash') {
        return { error: `this machine's /bin/sh is ${hostSh}; placing ${binName} there would also replace ${hostSh} inside the sandbox (it is what /bin/sh links to), which other programs need` };
      }
      binds.push({ from: bin, to: '/bin/sh' });
      notes.push(`/bin/sh is ${binName} in the sandbox (so is ${hostSh}, which /bin/sh links to on this machine)`);
    }
  }

  // Files the image gets from the build context.
  const add = (p: Placed) => {
    for (let i = placed.length - 1; i >= 0; i--) if (placed[i].to === p.to) placed.splice(i, 1);
    placed.push(p);
  };
  const skipped = new Set<string>();
  if (stage && model) {
    const sf = stageFiles(model, stage);
    for (const c of sf.copies) {
      const text = c.instruction.getTextContent?.() ?? c.instruction.getArgumentsContent() ?? '';
      if (c.fromStage || c.fromExternal) {
        skipped.add(`COPY --from=${c.fromStage?.name ?? c.fromExternal ?? '?'} is not placed (only build-context files are)`);
        continue;
      }
      if (c.heredocs.length > 0) {
        for (const h of c.heredocs) {
          const to = c.dest.endsWith('/') ? path.posix.join(c.dest, h.name) : c.dest;
          add({ to, content: h.content, mode: madeExecutable(stage, to, text) ? 0o755 : 0o644, kind: 'file' });
        }
      }
      for (const src of c.sources) {
        if (/^[a-z]+:\/\//i.test(src)) {
          skipped.add(`${c.instruction.getKeyword()} ${src} is not downloaded`);
          continue;
        }
        const s = src.replace(/\/+$/, '') || '.';
        let hostPaths: string[];
        if (/[*?[]/.test(path.posix.basename(s))) {
          const dir = path.resolve(contextDir, path.posix.dirname(s));
          const re = globToRe(path.posix.basename(s));
          let names: string[] = [];
          try {
            names = fs.readdirSync(dir).filter((n) => re.test(n)).sort();
          } catch {
            names = [];
          }
          hostPaths = names.map((n) => path.join(dir, n));
        } else hostPaths = [path.resolve(contextDir, s)];
        for (const hp of hostPaths) {
          const real = realpath(hp);
          if (!real || !inside(realContext, real)) continue;
          const st = statOf(real);
          if (!st) continue;
          if (st.isDirectory()) {
            const to = c.dest.replace(/\/+$/, '') || '/';
            const onHost = statOf(to);
            if (to === '/' || onHost?.isDirectory()) {
              skipped.add(`${c.instruction.getKeyword()} ${src} ${c.dest}: ${to} already exists on this machine, so only the files the chain runs are placed there`);
              continue;
            }
            add({ to, from: real, kind: 'dir' });
          } else if (st.isFile()) {
            if (c.instruction.getKeyword() === 'ADD' && /\.(tar|tgz|tar\.(gz|bz2|xz|zst))$/i.test(hp)) {
              skipped.add(`ADD ${src}: archives are not unpacked`);
              continue;
            }
            const to = c.dest.endsWith('/') ? path.posix.join(c.dest, path.basename(hp)) : c.dest;
            const wantExec = madeExecutable(stage, to, text) && (st.mode & 0o111) === 0;
            add(wantExec ? { to, from: real, mode: (st.mode & 0o777) | 0o755, kind: 'file' } : { to, from: real, kind: 'file' });
          }
        }
      }
    }
  }
  notes.push(...skipped);

  // Start scripts the chain passes through must be there.
  const covered = (to: string): boolean => {
    for (const p of placed) {
      if (p.to === to) return true;
      if (p.kind === 'dir' && p.from && to.startsWith(p.to + '/') && statOf(path.join(p.from, to.slice(p.to.length + 1)))) return true;
    }
    return false;
  };
  const searchDirs = (env.PATH || DOCKER_PATH).split(':').filter(Boolean);
  for (const h of ch.scripts ?? []) {
    // `CMD ["start.sh"]` is looked up in PATH; a path is taken from the working directory.
    const cands = h.imagePath.includes('/') ? [path.posix.resolve(cwd, h.imagePath)] : searchDirs.map((d) => path.posix.join(d, h.imagePath));
    if (cands.some(covered)) continue;
    if (!h.imagePath.includes('/')) continue; // not placed by a COPY we follow: the program check below reports it
    const to = cands[0];
    if (model && h.source.file === model.file) add({ to, content: h.source.text, mode: 0o755, kind: 'file' });
    else add({ to, from: h.source.file, kind: 'file' });
  }

  // Every program the chain runs must exist: in the build context or on this machine.
  const pathDirs = (env.PATH || DOCKER_PATH).split(':').filter(Boolean);
  const visible = (p: string): boolean => {
    if (binds.some((b) => b.to === p)) return true;
    if (covered(p)) return true;
    if (p === '/tmp' || p.startsWith('/tmp/') || p.startsWith('/proc/')) return false;
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return statOf(p)?.isFile() ?? false;
    } catch {
      return false;
    }
  };
  const find = (name: string): string | undefined => {
    const cands = name.includes('/') ? [path.posix.resolve(cwd, name)] : pathDirs.map((d) => path.posix.join(d, name));
    return cands.find(visible);
  };
  const need = (prog: string, who: string): string | undefined => {
    if (!prog || prog.startsWith('<')) return undefined;
    if (/[$`]/.test(prog)) {
      // Expanded at run time: the run shows whether it exists (a missing one fails to start, as in the image).
      notes.push(`${prog} (run by ${who}) is expanded at run time and not checked beforehand`);
      return undefined;
    }
    if (find(prog)) return undefined;
    const base = path.posix.basename(prog);
    const host = INIT_NAMES.has(base) ? which(base === 'docker-init' ? 'tini' : base) : undefined;
    if (host && prog.includes('/')) {
      add({ to: path.posix.resolve(cwd, prog), from: host, kind: 'file' });
      notes.push(`${prog} (the image's ${base}) is played by this machine's ${host}`);
      return undefined;
    }
    return `${prog} (run by ${who}) is neither in the build context nor installed on this machine; a live run uses the real program and substitutes nothing, so only the static simulation is available`;
  };
  let missingProgram = need(argv[0], 'PID 1');
  if (missingProgram) return { error: missingProgram };
  chain.processes.forEach((p, i) => {
    if (i === 0 && p.role === 'init' && chain.policy.platformInit) p = { ...p, argv: [] }; // played by the host's tini (above)
    missingProgram ??= checkProcess(p);
  });
  if (missingProgram) return { error: missingProgram };
  function checkProcess(p: ChainProcess): string | undefined {
    if (p.role === 'shell' && p.kind === 'shell' && p.via === 'shell-form') return undefined;
    if (p.argv.length === 0) return undefined;
    return need(p.argv[0], p.label);
  }
  for (const h of ch.scripts ?? []) {
    const sb = h.analysis.shebang;
    if (!sb) continue;
    const interp = sb.interpreter.replace(/\r$/, '');
    if (!visible(interp)) {
      if (h.analysis.crlf) continue; // fails to start, as in the image: worth running
      return { error: `the interpreter of ${h.imagePath}, ${interp}, is not on this machine` };
    }
    if (path.posix.basename(interp) === 'env') {
      const prog = sb.args.find((a) => !a.startsWith('-'));
      if (prog) {
        const err = need(prog.replace(/\r$/, ''), `the #! line of ${h.imagePath}`);
        if (err) return { error: err };
      }
    }
  }

  if (chain.policy.preStop) notes.push(`the preStop hook (${chain.policy.preStop.label}) is not run; the stop signal is sent at once`);
  const userSet = stage && stageChain(stage).some((s) => s.instructions.some((i) => i.getKeyword() === 'USER'));
  if (userSet) notes.push('USER is not applied: the command runs as the user stopcheck runs as');
  notes.push('the build context is mounted read-only; files written by RUN steps (installed packages, node_modules …) are not there, this machine\'s are');

  const last: ChainProcess = chain.processes[chain.processes.length - 1];
  return {
    argv,
    binds: [...binds, ...placed.filter((p) => p.from && p.mode === undefined && p.content === undefined).map((p) => ({ from: p.from!, to: p.to }))],
    files: placed.filter((p) => p.mode !== undefined || p.content !== undefined).map((p) => ({ to: p.to, from: p.from, content: p.content, mode: p.mode ?? 0o644 })),
    cwd,
    shellFamily,
    signal: chain.policy.signal,
    graceSeconds: chain.policy.gracePeriodSeconds,
    env,
    notes,
    app: last.argv[0] && !last.argv[0].startsWith('<') ? { argv0: last.argv[0], label: last.label } : undefined,
    target: chain.target,
  };
}

// ---------------------------------------------------------------------------------------------
// Running

const cleanups = new Set<() => void>();
let exitHook = false;

function onExitKill(fn: () => void): () => void {
  if (!exitHook) {
    exitHook = true;
    process.on('exit', () => {
      for (const f of cleanups) {
        try {
          f();
        } catch {
          // keep going
        }
      }
    });
  }
  cleanups.add(fn);
  return () => cleanups.delete(fn);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function signalName(n: number): string {
  return parseSignal(String(n)).name;
}

function tryKill(pid: number, sig: NodeJS.Signals | number): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

interface Tracked {
  info: ProcInfo;
  /** Seen in the snapshot, or started after it. */
  reported: boolean;
  goneAt?: number;
}

/** Run the plan for real and watch what the stop signal does. Never leaves a process behind. */
export async function runLive(plan: LivePlan, opts: LiveRunOptions = {}): Promise<LiveResult> {
  const log = opts.log ?? (() => undefined);
  const timeScale = opts.timeScale ?? 0.2;
  const settleMs = opts.settleMs ?? 1500;
  const graceMs = Math.max(2000, Math.round(plan.graceSeconds * 1000 * timeScale));
  const events: Array<{ at: number; what: string }> = [];
  const ev = (at: number, what: string) => {
    events.push({ at, what });
    log(what);
  };
  const outChunks: string[] = [];
  let outLen = 0;
  const lines: Array<{ at: number; text: string }> = [];
  let iso: LiveIsolation = opts.isolation ?? 'process-group';
  const result = (verdict: LiveVerdict, note: string, extra: Partial<LiveResult> = {}): LiveResult => ({
    verdict, events: [], exitCode: null, output: '', processes: [], isolation: iso,
    agreesWithStatic: opts.staticVerdict !== undefined && verdict === opts.staticVerdict, note, ...extra,
  });
  const sig = parseSignal(plan.signal);
  if (!sig.ok) return result('unknown', `the stop signal ${plan.signal} is not one Linux knows`);
  if (process.platform !== 'linux') return result('unknown', 'live runs need Linux');
  if (!opts.isolation) {
    const a = await liveAvailable();
    iso = a.isolation;
    log(`isolation: ${a.detail}`);
  }
  if (opts.signal?.aborted) return result('unknown', 'aborted before it started', { aborted: true });

  // Files for the run, and the sandbox layout.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'stopcheck-live-'));
  const removeTmp = () => {
    try {
      fs.rmSync(tmp, { recursive: true, force: true });
    } catch {
      // a mount may still be busy; nothing else to do
    }
  };
  const placements: Placement[] = [];
  for (const b of plan.binds) {
    const st = statOf(b.from);
    if (!st) {
      removeTmp();
      return result('unknown', `${b.from} (for ${b.to}) does not exist`);
    }
    placements.push({ from: b.from, to: b.to, kind: st.isDirectory() ? 'dir' : 'file' });
  }
  (plan.files ?? []).forEach((f, i) => {
    const p = path.join(tmp, `file${i}`);
    if (f.content !== undefined) fs.writeFileSync(p, f.content);
    else if (f.from) fs.copyFileSync(f.from, p);
    else fs.writeFileSync(p, '');
    fs.chmodSync(p, f.mode);
    placements.push({ from: p, to: f.to, kind: 'file' });
  });

  let file: string;
  let args: string[];
  const runMark = randomUUID();
  let spawnEnv: Record<string, string> = { PATH: process.env.PATH ?? DOCKER_PATH, [RUN_MARK_VAR]: runMark };
  let cwd: string | undefined;
  const hostPath = process.env.PATH ?? DOCKER_PATH;
  if (iso === 'bwrap' || iso === 'unshare') {
    const layout = new SandboxLayout();
    layout.base();
    const err = layout.place([...placements, { to: plan.cwd, kind: 'dir' }]);
    if (err) {
      removeTmp();
      return result('unknown', `the sandbox cannot be built: ${err}`);
    }
    if (iso === 'bwrap') {
      file = which('bwrap') ?? 'bwrap';
      args = [
        '--unshare-pid', '--as-pid-1', '--die-with-parent', '--new-session', '--info-fd', '3', '--clearenv',
        ...Object.entries(plan.env).flatMap(([k, v]) => ['--setenv', k, v]), '--setenv', RUN_MARK_VAR, runMark,
        ...bwrapOpArgs(layout.ops), '--chdir', plan.cwd, '--', ...plan.argv,
      ];
    } else {
      const root = process.getuid?.() === 0;
      const newRoot = path.join(tmp, 'root');
      fs.mkdirSync(newRoot);
      const inner = [
        which('unshare') ?? 'unshare', ...(root ? [] : ['--user', '--map-root-user']), '--pid', '--fork', '--kill-child', '--mount', '--propagation', 'private',
        '--', '/bin/sh', '-c', UNSHARE_SETUP, 'stopcheck-live-setup', newRoot, ...unshareOpArgs(layout.ops), '--',
        '-i', `--chdir=${plan.cwd}`, ...Object.entries(plan.env).map(([k, v]) => `${k}=${v}`), `${RUN_MARK_VAR}=${runMark}`, ...plan.argv,
      ];
      const setpriv = which('setpriv');
      // setpriv: if this process dies, unshare gets SIGKILL, and --kill-child takes PID 1 with it.
      [file, ...args] = setpriv ? [setpriv, '--pdeathsig', 'KILL', '--', ...inner] : inner;
    }
  } else {
    // No namespace: only runs that need no file placed at an image path.
    const hostSh = realpath('/bin/sh');
    const foreign = placements.filter((p) => !(p.from && (realpath(p.from) === realpath(p.to) || (p.to === '/bin/sh' && realpath(p.from) === hostSh))));
    if (foreign.length > 0) {
      removeTmp();
      return result('unknown', `without a mount namespace the image's files cannot be placed at their image paths (${foreign.map((p) => p.to).join(', ')}); install bubblewrap to run this live`);
    }
    if (!statOf(plan.cwd)?.isDirectory()) {
      removeTmp();
      return result('unknown', `the working directory ${plan.cwd} does not exist on this machine`);
    }
    file = plan.argv[0];
    args = plan.argv.slice(1);
    spawnEnv = { ...plan.env, [RUN_MARK_VAR]: runMark };
    if (!spawnEnv.PATH) spawnEnv.PATH = hostPath;
    cwd = plan.cwd;
  }

  // Start.
  const clock0 = performance.now();
  const now = () => performance.now() - clock0;
  log(`run: ${[file, ...args].length} arguments, isolation ${iso}`);
  let child: ChildProcess;
  try {
    child = spawn(file, args, {
      cwd, env: spawnEnv, detached: true,
      stdio: iso === 'bwrap' ? ['ignore', 'pipe', 'pipe', 'pipe'] : ['ignore', 'pipe', 'pipe'],
    });
  } catch (e) {
    removeTmp();
    return result('unknown', `could not start: ${(e as Error).message}`);
  }
  const launcherPid = child.pid;
  let spawnError: Error | undefined;
  let exited: { at: number; code: number | null; signal: NodeJS.Signals | null } | undefined;
  let closed = false;
  child.on('error', (e) => {
    spawnError = e;
  });
  child.on('exit', (code, signal) => {
    exited = { at: now(), code, signal };
  });
  child.on('close', () => {
    closed = true;
  });
  const partial: Record<string, string> = { out: '', err: '' };
  const onData = (stream: 'out' | 'err') => (buf: Buffer) => {
    const t = now();
    const s = buf.toString('utf8');
    if (outLen < MAX_OUTPUT) {
      outChunks.push(s.slice(0, MAX_OUTPUT - outLen));
      outLen += s.length;
    }
    const all = partial[stream] + s;
    const parts = all.split('\n');
    partial[stream] = parts.pop() ?? '';
    for (const l of parts) {
      lines.push({ at: t, text: l.replace(/\r$/, '') });
      log(`output: ${l}`);
    }
  };
  child.stdout?.on('data', onData('out'));
  child.stderr?.on('data', onData('err'));
  let info = '';
  const infoStream = iso === 'bwrap' ? (child.stdio[3] as NodeJS.ReadableStream | null) : null;
  infoStream?.on('data', (b: Buffer) => {
    info += b.toString('utf8');
  });
  infoStream?.on('error', () => undefined);

  // Everything we may have to kill.
  let pid1: number | undefined;
  let pid1Start: number | undefined;
  const tracked = new Map<number, Tracked>();
  /** Kills every process carrying this run's mark; returns how many there were. */
  const sweep = (): number => {
    const found = pidsMentioning(`${RUN_MARK_VAR}=${runMark}`);
    for (const p of found) tryKill(p, 'SIGKILL');
    return found.length;
  };
  const killAll = () => {
    if (pid1 !== undefined && pid1Start !== undefined && readStat(pid1)?.start === pid1Start) tryKill(pid1, 'SIGKILL');
    if (launcherPid !== undefined) tryKill(-launcherPid, 'SIGKILL');
    for (const t of tracked.values()) if (readStat(t.info.pid)?.start === t.info.start) tryKill(t.info.pid, 'SIGKILL');
    sweep();
  };
  const unregister = onExitKill(() => {
    killAll();
    removeTmp();
  });
  let aborted = false;
  const onAbort = () => {
    aborted = true;
    ev(now(), 'aborted: everything is killed');
    killAll();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  const hardStop = setTimeout(() => {
    ev(now(), 'time limit reached: everything is killed');
    aborted = true;
    killAll();
  }, settleMs + graceMs + 15_000);

  const finish = async (): Promise<void> => {
    clearTimeout(hardStop);
    // Let the launcher go, then make sure nothing we saw is still running.
    const until = now() + 3000;
    while ((!closed && !spawnError) && now() < until) await sleep(10);
    if (!closed) {
      killAll();
      const until2 = now() + 2000;
      while (!closed && !spawnError && now() < until2) await sleep(10);
    }
    for (let i = 0; i < 100; i++) {
      const alive = [...tracked.values()].filter((t) => stillRunning(t.info.pid, t.info.start));
      if (alive.length === 0) break;
      for (const t of alive) tryKill(t.info.pid, 'SIGKILL');
      await sleep(10);
    }
    // Anything still carrying the run's mark (never seen in the tree): gone once three looks in a row find nothing.
    for (let quiet = 0, i = 0; quiet < 3 && i < 100; i++) {
      const n = sweep();
      quiet = n ? 0 : quiet + 1;
      await sleep(n ? 10 : 20);
    }
    opts.signal?.removeEventListener('abort', onAbort);
    unregister();
    removeTmp();
  };

  const pid1Alive = () => {
    if (pid1 === undefined || pid1Start === undefined) return !exited;
    if (iso !== 'process-group' && exited) return false;
    return stillRunning(pid1, pid1Start);
  };
  let snapshotTaken = false;
  const startedCommands = new Set<string>();
  const scan = () => {
    if (launcherPid === undefined) return;
    const ids = iso === 'process-group' ? (pid1 !== undefined ? [pid1, ...descendants(pid1)] : []) : descendants(launcherPid);
    for (const id of ids) {
      if (tracked.has(id)) {
        const t = tracked.get(id)!;
        const st = readStat(id);
        if (st && st.start === t.info.start) continue;
      }
      const pi = procInfo(id);
      if (!pi || pi.state === 'Z') continue;
      // After the snapshot, new processes are worth a line the first time a command shows up (not every `sleep 0.1` of a loop).
      const fresh = snapshotTaken && id !== pid1 && !startedCommands.has(pi.command);
      tracked.set(id, { info: pi, reported: fresh });
      if (fresh) {
        startedCommands.add(pi.command);
        ev(now(), `started: ${pi.command} (pid ${pi.nsPid})`);
      }
    }
  };
  const checkGone = () => {
    const t = now();
    for (const tr of tracked.values()) {
      if (tr.goneAt !== undefined) continue;
      if (!stillRunning(tr.info.pid, tr.info.start)) {
        tr.goneAt = t;
        if (tr.reported && tr.info.pid !== pid1) ev(t, `${tr.info.command} (pid ${tr.info.nsPid}) exited`);
      }
    }
  };

  // 1. Find PID 1.
  while (pid1 === undefined && !exited && !spawnError && !aborted && now() < 5000) {
    if (iso === 'bwrap') {
      const m = /"child-pid"\s*:\s*(\d+)/.exec(info);
      if (m) pid1 = Number(m[1]);
    } else if (iso === 'unshare') {
      const kids = launcherPid !== undefined ? descendants(launcherPid) : [];
      const direct = kids.find((k) => readStat(k)?.ppid === launcherPid);
      if (direct !== undefined) pid1 = direct;
    } else pid1 = launcherPid;
    if (pid1 !== undefined) pid1Start = readStat(pid1)?.start;
    if (pid1 === undefined) await sleep(5);
  }
  const tStart = now();
  if (pid1 === undefined || pid1Start === undefined) {
    killAll();
    await finish();
    const out = outChunks.join('');
    return result('unknown', `the sandbox did not start${spawnError ? `: ${spawnError.message}` : ''}${out ? `: ${out.trim().split('\n').slice(-3).join(' | ')}` : ''}`, { output: out, aborted });
  }
  ev(tStart, `started: ${plan.argv.join(' ')}`);
  log(`PID 1 is host pid ${pid1}`);

  // 2. Settle.
  while (now() < tStart + settleMs && !aborted && pid1Alive()) {
    scan();
    checkGone();
    await sleep(50);
  }
  // 3. Snapshot.
  scan();
  checkGone();
  snapshotTaken = true;
  const hostToNs = new Map<number, number>();
  for (const t of tracked.values()) if (t.goneAt === undefined) hostToNs.set(t.info.pid, t.info.nsPid);
  const snapshot = [...tracked.values()].filter((t) => t.goneAt === undefined && stillRunning(t.info.pid, t.info.start));
  for (const t of snapshot) startedCommands.add(t.info.command);
  for (const t of snapshot) {
    // Re-read: a process seen before it exec'd (bwrap's child before the command) shows its new self now.
    const fresh = procInfo(t.info.pid);
    if (fresh && fresh.start === t.info.start) t.info = fresh;
    t.reported = true;
  }
  const processes: LiveProcess[] = snapshot
    .map((t) => ({
      pid: t.info.nsPid, command: t.info.command, sigCgt: t.info.sigCgt, sigIgn: t.info.sigIgn, sigBlk: t.info.sigBlk,
      ppid: hostToNs.get(t.info.ppid) ?? 0, hostPid: t.info.pid, wchan: t.info.wchan,
    }))
    .sort((a, b) => (a.hostPid === pid1 ? -1 : b.hostPid === pid1 ? 1 : a.pid - b.pid));
  const pid1Info = snapshot.find((t) => t.info.pid === pid1)?.info;
  const tree = processes.map((p) => `${p.pid}:${p.command}`).join(', ');
  if (processes.length) ev(now(), `process tree: ${tree}`);

  let verdict: LiveVerdict = 'unknown';
  let why = '';
  let pid1GoneAt: number | undefined;
  let killedAtGrace = false;
  let tSig: number | undefined;
  let lastAlive: Tracked[] = [];

  if (aborted) {
    why = 'aborted';
  } else if (!pid1Alive() || !pid1Info) {
    pid1GoneAt = exited?.at ?? now();
    verdict = 'fails-to-start';
    why = `PID 1 exited ${((pid1GoneAt - tStart) / 1000).toFixed(2)} s after starting, before the stop signal`;
  } else {
    // 4. The stop signal.
    tSig = now();
    let send = true;
    if (iso === 'process-group') {
      const handles = maskHas(pid1Info.sigCgt, sig.number) || maskHas(pid1Info.sigBlk, sig.number) || /sigtimedwait|sigwait|signalfd/.test(pid1Info.wchan);
      const ignored = maskHas(pid1Info.sigIgn, sig.number);
      if (!handles || ignored) {
        send = false;
        ev(tSig, `${sig.name} not sent: ${pid1Info.name} ${ignored ? 'ignores it' : 'has no handler for it'} (/proc/PID/status), so as PID 1 it would ignore it (predicted)`);
      } else {
        ev(tSig, `${sig.name} sent to ${pid1Info.name}: it ${maskHas(pid1Info.sigCgt, sig.number) ? 'catches it (SigCgt)' : 'waits for it (blocked, sigtimedwait)'}, so as PID 1 it would receive it too (predicted)`);
      }
    } else ev(tSig, `${sig.name} sent to PID 1 (${pid1Info.command})`);
    if (send) tryKill(pid1, sig.number);

    // 5. Watch.
    const deadline = tSig + graceMs;
    let prevAlive = [...tracked.values()].filter((t) => t.goneAt === undefined);
    while (!aborted && now() < deadline) {
      scan();
      checkGone();
      if (!pid1Alive()) {
        pid1GoneAt = exited && iso !== 'process-group' ? Math.min(exited.at, now()) : now();
        lastAlive = prevAlive.filter((t) => t.info.pid !== pid1);
        break;
      }
      prevAlive = [...tracked.values()].filter((t) => t.goneAt === undefined);
      await sleep(10);
    }
    if (pid1GoneAt === undefined && !aborted) {
      killedAtGrace = true;
      ev(now(), `grace period ends (${plan.graceSeconds} s, run as ${(graceMs / 1000).toFixed(1)} s): SIGKILL`);
      killAll();
      const until = now() + 2000;
      while (pid1Alive() && now() < until) await sleep(10);
      checkGone();
    } else if (pid1GoneAt !== undefined && iso === 'process-group') {
      // In a container the rest dies with PID 1; here it has to be killed.
      const rest = [...tracked.values()].filter((t) => t.info.pid !== pid1 && stillRunning(t.info.pid, t.info.start));
      if (rest.length) ev(now(), `as in a container whose PID 1 exits, the rest is killed: ${rest.map((t) => t.info.command).join(', ')}`);
      killAll();
    }
  }
  await finish();
  checkGone();
  for (const k of Object.keys(partial)) if (partial[k]) lines.push({ at: now(), text: partial[k] });

  // PID 1's exit status.
  let exitCode: number | null = null;
  if (iso === 'process-group') {
    if (exited) exitCode = exited.code ?? (exited.signal ? 128 + (parseSignal(exited.signal).number || 0) : null);
  } else if (exited) {
    exitCode = exited.code ?? (exited.signal ? 128 + (parseSignal(exited.signal).number || 0) : null);
  }
  const output = outChunks.join('');
  const setupFailed = /stopcheck-live: |^bwrap: /m.test(output) && verdict === 'fails-to-start';
  if (pid1GoneAt !== undefined && !killedAtGrace) {
    const status = exitCode === null ? 'an unknown status' : exitCode > 128 ? `status ${exitCode} (${signalName(exitCode - 128)})` : `status ${exitCode}`;
    ev(pid1GoneAt, `PID 1 (${pid1Info?.command ?? plan.argv[0]}) exited with ${status}`);
    if (iso !== 'process-group' && lastAlive.length && tSig !== undefined) {
      ev(pid1GoneAt, `the PID namespace is torn down with it; still running ≤10 ms before: ${lastAlive.map((t) => `${t.info.command} (pid ${t.info.nsPid})`).join(', ')}`);
    }
  }
  for (const l of lines) if (l.text.trim()) events.push({ at: l.at, what: `output: ${l.text}` });

  // 6. The observed verdict.
  const markers = opts.markers;
  const afterSig = (needle: string | undefined) => !!needle && tSig !== undefined && lines.some((l) => l.at >= tSig! && l.text.includes(needle));
  const received = afterSig(markers?.received);
  const finished = afterSig(markers?.finished);
  if (aborted) {
    verdict = 'unknown';
    why = 'the run was aborted';
  } else if (setupFailed) {
    verdict = 'unknown';
    why = `the sandbox could not be set up: ${output.trim().split('\n').filter((l) => /stopcheck-live: |bwrap: /.test(l)).join(' | ')}`;
  } else if (verdict === 'fails-to-start') {
    // why set above
  } else if (killedAtGrace) {
    verdict = 'killed';
    why = `PID 1 was still running when the grace period ended${markers?.received ? (received ? ', although the app logged that it got the signal' : '; the app never logged that it got the signal') : ''}`;
  } else if (pid1GoneAt !== undefined && tSig !== undefined) {
    const dt = ((pid1GoneAt - tSig) / 1000).toFixed(2);
    if (markers?.finished) {
      verdict = finished ? 'graceful' : 'cut-short';
      why = finished
        ? `PID 1 exited by itself ${dt} s after the signal, and the app logged "${markers.finished}" first`
        : `PID 1 exited ${dt} s after the signal, before the app logged "${markers.finished}"${markers.received ? (received ? ' (it had logged that it got the signal)' : ` (the app never logged "${markers.received}")`) : ''}`;
    } else {
      const app = findApp(snapshot, plan.app?.argv0);
      const pid1IsInit = !!pid1Info && INIT_NAMES.has(pid1Info.name);
      if (!app) {
        verdict = 'unknown';
        why = `PID 1 exited by itself ${dt} s after the signal; the app was not found in the process tree`;
      } else if (app.info.pid === pid1) {
        verdict = 'graceful';
        why = `the app is PID 1 and exited by itself ${dt} s after the signal`;
      } else if (pid1IsInit && app.info.ppid !== pid1 && exitCode === 128 + sig.number) {
        // tini and dumb-init exit with their child's status: 128+S means their direct child (something
        // between them and the app) died from the signal, and the app went down with the namespace.
        // Checked before the order of exits, which 10 ms polling cannot tell apart in a teardown.
        verdict = 'cut-short';
        why = `${pid1Info!.name} exited ${dt} s after the signal with status ${exitCode}: its direct child died from ${sig.name}, so the container ended without waiting for the app further down (inferred; markers the app prints would make it certain)`;
      } else if (app.goneAt !== undefined && app.goneAt < pid1GoneAt - 1) {
        verdict = 'graceful';
        why = `the app exited ${((app.goneAt - tSig) / 1000).toFixed(2)} s after the signal, then PID 1 (${dt} s)`;
      } else if (pid1IsInit && app.info.ppid === pid1) {
        verdict = 'graceful';
        why = `the app is the direct child of ${pid1Info!.name}, which exits only after its child has; PID 1 exited ${dt} s after the signal`;
      } else {
        verdict = 'unknown';
        why = `PID 1 exited ${dt} s after the signal, within 10 ms of the app: whether the app had finished cannot be seen from outside (give markers the app prints)`;
      }
    }
  }
  const agrees = opts.staticVerdict !== undefined && verdict === opts.staticVerdict;
  const scaleNote = `grace period ${plan.graceSeconds} s run as ${(graceMs / 1000).toFixed(1)} s (time scale ${timeScale})`;
  const isoNote = iso === 'process-group'
    ? 'no PID namespace: the command was not PID 1; what PID 1 would do with the signal was predicted from /proc/PID/status (a caught signal is not proof: Node.js catches SIGTERM without a handler of its own)'
    : `isolation ${iso}: PID 1 of a fresh PID namespace`;
  const emulation = plan.notes.length ? ` Emulation: ${plan.notes.join('; ')}.` : '';
  const note = `Observed ${verdict}: ${why}.${opts.staticVerdict !== undefined ? ` Static: ${opts.staticVerdict}${agrees ? ' (agrees)' : ' (differs)'}.` : ''} ${isoNote}; ${scaleNote}.${emulation}`;
  const rel = (t: number) => Math.round((t - (tSig ?? tStart)) / 10) / 100 || 0;
  events.sort((a, b) => a.at - b.at);
  return {
    verdict, events: events.map((e) => ({ atSeconds: rel(e.at), what: e.what })), exitCode, output, processes, isolation: iso,
    agreesWithStatic: agrees, note, aborted: aborted || undefined,
  };
}

function findApp(snapshot: Tracked[], argv0: string | undefined): Tracked | undefined {
  if (!argv0) return undefined;
  const base = path.posix.basename(argv0);
  const byPid = new Map(snapshot.map((t) => [t.info.pid, t]));
  const depth = (t: Tracked): number => {
    let d = 0;
    for (let p = byPid.get(t.info.ppid); p && d < 64; p = byPid.get(p.info.ppid)) d++;
    return d;
  };
  // Deepest match: `sh -c /app.sh` mentions the app too, but the app runs below it.
  let found: Tracked | undefined;
  for (const t of snapshot) {
    const words = t.info.command.split(' ');
    const hit = words.includes(argv0) || t.info.name === base.slice(0, 15) || words.some((w) => path.posix.basename(w) === base);
    if (hit && (!found || depth(t) > depth(found))) found = t;
  }
  return found;
}

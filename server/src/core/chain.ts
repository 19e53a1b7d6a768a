// The launch chain: the processes from PID 1 down to the app, each with what it does with the stop
// signal, plus the platform's stop policy; and its evaluation into a verdict with a timeline.
// Every rule, hover, fix and simulation reads this model (DESIGN.md "The one idea").
import type { Location } from './types';
import type { ImageInfo, ShellFamily } from './images';
import { parseSignal } from './signals';
import { familyLabel, familyOfShellPath, isShellName } from './images';
import { commandStringFacts, decideExec, type CommandStringFacts, type ExecDecision } from './shell';
import { rethrowGrammar } from './grammar';
import { analyzeScriptCached, type ScriptAnalysis, type Terminal, type TrapInfo } from './script';

/** A start script found in the build context (or written inline in the Dockerfile). */
export interface ScriptSource {
  /** File that holds the text (the Dockerfile itself for `COPY <<EOF`). */
  file: string;
  text: string;
  /** Line of the file where the script's first line is (0 for a real file). */
  lineOffset: number;
  /** The COPY/ADD that puts it into the image. */
  copy?: Location;
}

/** A script the chain passes through, whether it execs away or stays. */
export interface ScriptHop {
  imagePath: string;
  source: ScriptSource;
  analysis: ScriptAnalysis;
  /** The terminal the chain follows. */
  terminal?: Terminal;
  /** Every terminal that does not replace the script. */
  staying: Terminal[];
  execs: boolean;
  family: ShellFamily;
  /** Where the script is started (Dockerfile word). */
  runBy?: Location;
  /** Run directly (exec form / path), not as `sh script`. */
  direct: boolean;
  /** Process index in the chain when the script stays. */
  processIndex?: number;
}

export type ScriptResolver = (imagePath: string) => ScriptSource | { error: string; copy?: Location } | undefined;

/** A command-line word with where it was written. */
export interface Word {
  value: string;
  /** False when the word depends on expansions we cannot resolve. */
  literal: boolean;
  origin?: Location;
  /** The implicit `/bin/sh -c` (or SHELL) that Docker adds for shell form. */
  implicitShell?: boolean;
}

export type Role = 'init' | 'shell' | 'runner' | 'wrapper' | 'app';
export type ProcKind =
  | 'tini' | 'dumb-init' | 's6-overlay'
  | 'shell' | 'script'
  | 'npm' | 'yarn' | 'pnpm'
  | 'su' | 'runuser' | 'relay'
  | 'app';

export type Handler = 'none' | 'unknown' | 'yes';

export interface ChainProcess {
  role: Role;
  kind: ProcKind;
  argv: string[];
  /** Short label for hovers and timelines, e.g. "/bin/sh -c (dash)". */
  label: string;
  origin?: Location;
  /** Where this process came from (shell form adds the implicit /bin/sh -c). */
  via?: 'shell-form' | 'exec-form' | 'command-string';
  /** init: signals the whole process group (tini -g, dumb-init default). */
  group?: boolean;
  /** shell: family and the exec decision that keeps it alive. */
  family?: ShellFamily;
  exec?: ExecDecision;
  facts?: CommandStringFacts;
  /** wrapper that SIGKILLs its child this many seconds after forwarding (su, runuser). */
  killAfterSeconds?: number;
  /** app: whether it handles the stop signal. */
  handler?: Handler;
  handlerNote?: string;
  /** Signal this program treats as "graceful stop" when it differs from SIGTERM. */
  gracefulSignal?: string;
  /** app: what its runtime and code do with signals (set when the program was recognised). */
  runtime?: AppRuntime;
  /** app: where the handler for the stop signal is registered, when it was seen in the code. */
  handlerEvidence?: Location;
  /** app: signals the runtime itself stops on gracefully without any code (Python SIGINT, JVM SIGTERM). */
  gracefulSignals?: string[];
  /** app: per signal, what it does with it (the stop signal, and a signal a trap forwards to it). */
  signalHandling?: Record<string, AppHandling>;
  /** Facts a reader needs, in plain words. */
  notes: string[];
  /** shell with -c: where the command string is written. */
  stringOrigin?: Location;
  /** kind 'script': the script and how it handles the stop signal. */
  script?: ScriptHop;
  /** A trap in this shell that forwards the stop signal. */
  trap?: TrapInfo;
  /** Started in the background by a shell (SIGINT/SIGQUIT start ignored). */
  background?: boolean;
}

export type AppRuntime = 'node' | 'python' | 'go' | 'jvm' | 'ruby' | 'shell' | 'server' | 'unknown';

/** What the program at the end of the chain does with one signal (from its runtime and its code). */
export interface AppHandling {
  runtime: AppRuntime;
  handler: Handler;
  /** 'yes' only because the runtime handles it by default (no code of the app's own was seen doing it). */
  byDefault: boolean;
  /** With byDefault: the app's code was read completely, so it installs no handler of its own for the signal. */
  codeRead?: boolean;
  /** The runtime exits at once on this signal even as PID 1, without running cleanup code (Go without signal.Notify). */
  exitsAtOnce?: boolean;
  /** With handler 'none': it ignores the signal or handles it without stopping, also when it is not PID 1. */
  keepsRunning?: boolean;
  /** One sentence for messages and hovers. */
  note: string;
  evidence?: Location;
  /** Signals the runtime stops on gracefully by itself. */
  defaultGraceful: string[];
}

/** Asks what the program `argv` does with `signal` (undefined when it is not recognised at all). */
export type AppFacts = (argv: string[], signal: string) => AppHandling | undefined;

export type Verdict = 'graceful' | 'killed' | 'cut-short' | 'fails-to-start' | 'unknown';

export interface ChainEvent {
  atSeconds: number;
  /** 1-based index into the chain's processes. */
  process: number;
  what: string;
}

export interface Outcome {
  verdict: Verdict;
  appReceivesSignal: boolean | 'unknown';
  /** Index (0-based) of the process where the signal stops travelling, if it does. */
  stopsAt?: number;
  events: ChainEvent[];
  /** One sentence. */
  summary: string;
  /** When SIGKILL comes at the latest (grace period, or the 2 s after a preStop overrun). */
  killAtSeconds?: number;
}

export type Platform = 'docker' | 'compose' | 'kubernetes';

export interface StopPolicy {
  platform: Platform;
  signal: string;
  signalOrigin?: Location;
  signalFromImage?: boolean;
  gracePeriodSeconds: number;
  /** An init injected by the platform (docker run --init, compose init: true). */
  platformInit?: boolean;
  /** Kubernetes preStop hook: runs before the stop signal, inside the grace period. */
  preStop?: { seconds?: number; label: string; origin?: Location };
  /** shareProcessNamespace: the pause process is PID 1, so the container's first process is not. */
  notPid1?: boolean;
}

export interface LaunchChain {
  file: string;
  /** Stage, service or container the chain belongs to. */
  target: string;
  image: ImageInfo;
  /** /bin/sh family for the image (or the SHELL instruction's). */
  shellFamily: ShellFamily;
  processes: ChainProcess[];
  policy: StopPolicy;
  outcome: Outcome;
  assumptions: string[];
  failsToStart?: string;
}

export interface InterpretContext {
  imageFamily: ShellFamily;
  image: ImageInfo;
  assumptions: string[];
  depth: number;
  resolveScript?: ScriptResolver;
  hops?: ScriptHop[];
  /** Filled when something in the chain cannot start (shared by nested contexts). */
  startFailures?: Array<{ message: string; at?: Location }>;
  /** Problems resolving files (outside the build context, missing). */
  fileProblems?: Array<{ message: string; at?: Location }>;
  /** The stop signal the platform sends (for what the app does with it). */
  stopSignal?: string;
  /** Reads the app's code in the build context (runtime.ts through the Dockerfile's COPY/ADD). */
  appFacts?: AppFacts;
}

const INIT_NAMES = new Set(['tini', 'tini-static', 'docker-init']);
/** Wrappers that exec their command (no process of their own remains). */
const EXEC_WRAPPERS: Record<string, (args: Word[]) => Word[] | undefined> = {
  gosu: (a) => a.slice(1),
  'su-exec': (a) => a.slice(1),
  's6-setuidgid': (a) => a.slice(1),
  chpst: (a) => skipOptions(a, new Set(['-u', '-U', '-b', '-e', '-/', '-n', '-l', '-L', '-m', '-d', '-o', '-p', '-f', '-c', '-r', '-t'])),
  setpriv: (a) => skipOptions(a, new Set()),
  env: (a) => {
    let i = 0;
    while (i < a.length && (a[i].value.startsWith('-') || /^[A-Za-z_][A-Za-z0-9_]*=/.test(a[i].value))) {
      if (['-u', '--unset', '-C', '--chdir', '-S', '--split-string'].includes(a[i].value)) i++;
      i++;
    }
    return a.slice(i);
  },
  nice: (a) => skipOptions(a, new Set(['-n', '--adjustment'])),
  ionice: (a) => skipOptions(a, new Set(['-c', '-n', '-p', '-P', '-u'])),
  chroot: (a) => {
    const rest = skipOptions(a, new Set(['--userspec', '--groups']));
    return rest ? rest.slice(1) : rest;
  },
  stdbuf: (a) => skipOptions(a, new Set(['-i', '-o', '-e'])),
  taskset: (a) => {
    const rest = skipOptions(a, new Set());
    return rest ? rest.slice(1) : rest;
  },
  numactl: (a) => skipOptions(a, new Set()),
  exec: (a) => a,
  command: (a) => skipOptions(a, new Set()),
};

/** Programs that stay as the parent, relay the stop signal to their command and wait for it (measured). */
const RELAYS: Record<string, { skip: (a: Word[]) => Word[] | undefined; note: string }> = {
  sudo: {
    skip: (a) => skipOptions(a, new Set(['-u', '--user', '-g', '--group', '-C', '--close-from', '-D', '--chdir', '-h', '--host', '-p', '--prompt', '-r', '--role', '-t', '--type', '-T', '--command-timeout', '-U', '--other-user'])),
    note: 'relays the stop signal to its command and waits for it (sudo 1.9, measured)',
  },
  timeout: {
    skip: (a) => {
      const rest = skipOptions(a, new Set(['-k', '--kill-after', '-s', '--signal']));
      return rest ? rest.slice(1) : rest;
    },
    note: 'relays the stop signal to its command\'s process group and waits for it (coreutils timeout, measured)',
  },
};

function skipOptions(a: Word[], withValue: Set<string>): Word[] | undefined {
  let i = 0;
  while (i < a.length && a[i].value.startsWith('-')) {
    if (a[i].value === '--') return a.slice(i + 1);
    if (withValue.has(a[i].value)) i++;
    i++;
  }
  return a.slice(i);
}

const NO_HANDLER: Array<{ test: (argv: string[]) => boolean; why: string }> = [
  { test: (a) => base(a[0]) === 'sleep', why: '`sleep` installs no SIGTERM handler' },
  { test: (a) => base(a[0]) === 'tail' && a.some((x) => /^-[a-zA-Z]*[fF]/.test(x) || x === '--follow' || x.startsWith('--follow=')), why: '`tail -f` installs no SIGTERM handler' },
  { test: (a) => base(a[0]) === 'cat' && a.length === 1, why: '`cat` installs no SIGTERM handler' },
  { test: (a) => base(a[0]) === 'yes', why: '`yes` installs no SIGTERM handler' },
];

const GRACEFUL_SIGNAL: Array<{ test: (argv: string[]) => boolean; signal: string; program: string; termMeans: string }> = [
  { test: (a) => base(a[0]) === 'nginx', signal: 'SIGQUIT', program: 'nginx', termMeans: 'a fast shutdown that drops open connections' },
  { test: (a) => /^php-fpm/.test(base(a[0])), signal: 'SIGQUIT', program: 'php-fpm', termMeans: 'an immediate stop that aborts running requests' },
  { test: (a) => ['httpd', 'apache2', 'httpd-foreground', 'apache2-foreground'].includes(base(a[0])), signal: 'SIGWINCH', program: 'Apache httpd', termMeans: 'an immediate stop that aborts running requests' },
  { test: (a) => ['postgres', 'postmaster'].includes(base(a[0])) || (base(a[0]) === 'docker-entrypoint.sh' && a[1] === 'postgres'), signal: 'SIGINT', program: 'PostgreSQL', termMeans: 'a "smart" shutdown that waits for every client to disconnect, which usually outlasts the grace period' },
];

export function gracefulSignalOf(argv: string[]): { signal: string; program: string; termMeans: string } | undefined {
  if (argv.length === 0) return undefined;
  const g = GRACEFUL_SIGNAL.find((x) => x.test(argv));
  return g ? { signal: g.signal, program: g.program, termMeans: g.termMeans } : undefined;
}

export function base(p: string | undefined): string {
  if (!p) return '';
  const parts = p.split('/');
  return parts[parts.length - 1];
}

function originOf(words: Word[]): Location | undefined {
  return words.find((w) => w.origin)?.origin;
}

function display(words: Word[]): string {
  return words.map((w) => (w.literal && /[\s"'$]/.test(w.value) ? JSON.stringify(w.value) : w.value)).join(' ');
}

/** Words of `sh -c STRING`'s final command, located at the STRING's origin. */
function wordsFromFacts(facts: CommandStringFacts, origin: Location | undefined): Word[] {
  if (!facts.final) return [];
  return facts.final.words.map((w) => ({ value: w.value ?? w.text, literal: w.value !== undefined, origin }));
}

/**
 * Turn a command line (the effective argv of a container) into processes, PID 1 first.
 * `via` says how the first word is reached (shell form adds the implicit /bin/sh -c).
 */
export function interpret(words: Word[], ctx: InterpretContext, out: ChainProcess[], via: ChainProcess['via'] = 'exec-form'): void {
  if (words.length === 0 || ctx.depth > 12) return;
  const ctxDeeper = { ...ctx, depth: ctx.depth + 1 };
  const argv = words.map((w) => w.value);
  const name = base(argv[0]);
  const origin = originOf(words);

  if (!words[0].literal) {
    out.push({ role: 'app', kind: 'app', argv, label: display(words), origin, via, handler: 'unknown', notes: ['the program name comes from a variable, so stopcheck cannot tell what runs'] });
    ctx.assumptions.push(`"${argv[0]}" is expanded at run time; what it runs is unknown`);
    return;
  }

  // Inits.
  if (INIT_NAMES.has(name)) {
    let i = 1;
    let group = false;
    while (i < words.length && argv[i].startsWith('-')) {
      const a = argv[i];
      if (a === '--') { i++; break; }
      if (a === '-g') group = true;
      if (['-p', '-e', '-l'].includes(a)) i++;
      i++;
    }
    out.push({ role: 'init', kind: 'tini', argv: argv.slice(0, i), label: `${argv[0]}${group ? ' -g' : ''}`, origin, via, group, notes: [group ? 'forwards the stop signal to its child\'s whole process group, and exits as soon as its direct child exits' : 'forwards the stop signal to its direct child only, and exits as soon as that child exits'] });
    interpret(words.slice(i), ctxDeeper, out);
    return;
  }
  if (name === 'dumb-init') {
    let i = 1;
    let single = false;
    while (i < words.length && argv[i].startsWith('-')) {
      const a = argv[i];
      if (a === '--') { i++; break; }
      if (a === '-c' || a === '--single-child') single = true;
      if (a === '-r' || a === '--rewrite') i++;
      i++;
    }
    out.push({ role: 'init', kind: 'dumb-init', argv: argv.slice(0, i), label: `dumb-init${single ? ' --single-child' : ''}`, origin, via, group: !single, notes: [single ? 'forwards the stop signal to its direct child only, and exits when that child exits' : 'forwards the stop signal to the whole process group, and exits when its direct child exits'] });
    interpret(words.slice(i), ctxDeeper, out);
    return;
  }
  if (argv[0] === '/init') {
    out.push({ role: 'init', kind: 's6-overlay', argv: ['/init'], label: '/init (s6-overlay)', origin, via, group: false, notes: ['s6-overlay: on the stop signal it stops the services and sends SIGTERM to the command'] });
    interpret(words.slice(1), ctxDeeper, out);
    return;
  }

  // Shells.
  if (isShellName(argv[0]) || (name === 'busybox' && argv[1] && ['sh', 'ash'].includes(argv[1]))) {
    const shellWords = name === 'busybox' ? words.slice(1) : words;
    const family = name === 'busybox' ? 'busybox' : familyOfShellPath(argv[0], ctx.imageFamily);
    let i = 1;
    let cIndex = -1;
    while (i < shellWords.length && shellWords[i].value.startsWith('-') && shellWords[i].value !== '-' && shellWords[i].value !== '--') {
      const flag = shellWords[i].value;
      if (/^-[a-zA-Z]*c[a-zA-Z]*$/.test(flag)) cIndex = i + 1;
      if (flag === '-o' || flag === '+o') i++;
      i++;
    }
    if (cIndex > 0 && cIndex < shellWords.length) {
      const strWord = shellWords[cIndex];
      const label = `${shellWords[0].value} -c (${familyLabel(family)})`;
      if (shellWords[0].implicitShell) via = 'shell-form';
      if (!strWord.literal) {
        out.push({ role: 'shell', kind: 'shell', argv: argv.slice(0, cIndex + 1), label, origin, via, family, notes: ['the command string is built at run time'] });
        return;
      }
      const facts = commandStringFacts(strWord.value);
      const decision = decideExec(facts, family, ctx.image.oldBash && family === 'bash');
      const finalWords = wordsFromFacts(facts, strWord.origin ?? origin);
      if (decision.verdict === 'exec' && finalWords.length > 0) {
        interpret(finalWords, ctxDeeper, out, 'command-string');
        return;
      }
      out.push({ role: 'shell', kind: 'shell', argv: argv.slice(0, cIndex + 1), label, origin, via, family, exec: decision, facts, notes: [decision.why], stringOrigin: strWord.origin });
      interpret(finalWords, ctxDeeper, out, 'command-string');
      return;
    }
    if (i < shellWords.length) {
      // `sh script.sh [args]`: the shell reads a script file.
      const script = shellWords[i].value;
      const src = shellWords[i].literal ? lookupScript(script, ctx) : undefined;
      if (src) {
        followScript(src, script, shellWords.slice(i + 1), shellWords[i], ctx, out, via, false, family);
        return;
      }
      out.push({ role: 'shell', kind: 'script', argv: argv.slice(0, i + 1), label: `${shellWords[0].value} ${script}`, origin, via, family, notes: [`runs the script ${script}`] });
      ctx.assumptions.push(`the script ${script} is not in the build context stopcheck can see, so it is not analysed`);
      return;
    }
    out.push({ role: 'shell', kind: 'shell', argv, label: shellWords[0].value, origin, via, family, notes: ['an interactive shell with no command'] });
    return;
  }

  // Package-manager runners.
  if (['npm', 'yarn', 'pnpm'].includes(name)) {
    const sub = argv[1];
    const runsScript = name === 'npm' ? ['start', 'run', 'run-script', 'test', 'restart', 'stop'].includes(sub ?? '')
      : sub !== undefined && !['install', 'add', 'remove', 'dlx', 'exec', 'dlx', 'global', 'init', 'create'].includes(sub);
    if (runsScript) {
      const kind = name as 'npm' | 'yarn' | 'pnpm';
      out.push({ role: 'runner', kind, argv, label: display(words), origin, via, notes: [
        kind === 'npm' ? 'runs the package.json script through `sh -c`; on the stop signal it signals that shell and exits (measured with npm 11)'
          : `runs the package.json script through a shell, like npm (${kind} was not measured; modelled like npm)`] });
      out.push({ role: 'shell', kind: 'shell', argv: ['sh', '-c', '<script>'], label: 'sh -c <package.json script>', via: 'command-string', family: 'dash', notes: ['the script from package.json'] });
      out.push({ role: 'app', kind: 'app', argv: ['<script>'], label: 'the package.json script', handler: 'unknown', notes: [] });
      return;
    }
  }

  // Relaying wrappers (sudo, timeout): graceful as long as what they run is.
  const relay = RELAYS[name];
  if (relay) {
    const rest = relay.skip(words.slice(1));
    if (rest && rest.length > 0) {
      out.push({ role: 'wrapper', kind: 'relay', argv: argv.slice(0, argv.length - rest.length), label: name, origin, via, notes: [relay.note] });
      interpret(rest, ctxDeeper, out);
      return;
    }
  }

  // su / runuser.
  if (name === 'su' && ctx.imageFamily === 'busybox') {
    // busybox su does not fork: it execs the user's login shell with -c (measured with busybox 1.35).
    let cmd: Word | undefined;
    for (let i = 1; i < words.length; i++) if (argv[i] === '-c' || argv[i] === '--command') cmd = words[i + 1];
    if (cmd) {
      ctx.assumptions.push('su is busybox su, which execs the login shell (busybox ash on Alpine) instead of staying as a parent');
      interpret([{ value: '/bin/sh', literal: true, origin: cmd.origin }, { value: '-c', literal: true, origin: cmd.origin }, cmd], { ...ctxDeeper, imageFamily: 'busybox' }, out, 'command-string');
      return;
    }
  }
  if (name === 'su' || name === 'runuser') {
    let user: string | undefined;
    let cmd: Word | undefined;
    let rest: Word[] | undefined;
    for (let i = 1; i < words.length; i++) {
      const a = argv[i];
      if (a === '-c' || a === '--command') { cmd = words[i + 1]; i++; continue; }
      if (a.startsWith('--command=')) { cmd = { ...words[i], value: a.slice(10) }; continue; }
      if (a === '-u' || a === '--user') { user = argv[i + 1]; i++; continue; }
      if (a === '--') { rest = words.slice(i + 1); break; }
      if (a === '-' || a === '-l' || a === '--login' || a === '-m' || a === '-p') continue;
      if (a === '-s' || a === '--shell' || a === '-g' || a === '-G' || a === '-w') { i++; continue; }
      if (!a.startsWith('-') && user === undefined) user = a;
    }
    const killAfterSeconds = 2;
    const label = display(words.slice(0, Math.min(words.length, 3)));
    out.push({ role: 'wrapper', kind: name, argv, label, origin, via, killAfterSeconds, notes: [
      `forwards the stop signal to its child, then SIGKILLs whatever is left ${killAfterSeconds} s later (util-linux ${name}, measured)`] });
    if (name === 'runuser' && rest && rest.length) {
      interpret(rest, ctxDeeper, out);
      return;
    }
    if (cmd) {
      // `su USER -c CMD` runs USER's login shell with -c.
      const family: ShellFamily = user === 'root' || user === undefined ? 'bash' : ctx.imageFamily === 'dash' ? 'dash' : ctx.imageFamily;
      const shellName = family === 'bash' ? '/bin/bash' : '/bin/sh';
      ctx.assumptions.push(user === 'root' || user === undefined
        ? 'root\'s login shell is bash'
        : `the login shell of "${user}" is /bin/sh (${familyLabel(family)}), as \`useradd\` gives by default`);
      const shellArgv: Word[] = [{ value: shellName, literal: true, origin: cmd.origin }, { value: '-c', literal: true, origin: cmd.origin }, cmd];
      const ctxFamily = { ...ctxDeeper, imageFamily: family };
      interpret(shellArgv, ctxFamily, out, 'command-string');
    }
    return;
  }

  // Wrappers that exec.
  const wrap = EXEC_WRAPPERS[name];
  if (wrap) {
    const rest = wrap(words.slice(1));
    if (rest && rest.length > 0) {
      interpret(rest, ctxDeeper, out, via);
      return;
    }
  }

  // A start script in the build context?
  const src = lookupScript(argv[0], ctx);
  if (src && looksLikeShellScript(src.text, argv[0])) {
    followScript(src, argv[0], words.slice(1), words[0], ctx, out, via, true);
    return;
  }

  // The app.
  const noHandler = NO_HANDLER.find((n) => n.test(argv));
  const graceful = gracefulSignalOf(argv);
  const proc: ChainProcess = {
    role: 'app', kind: 'app', argv, label: display(words), origin, via,
    handler: noHandler ? 'none' : 'unknown',
    handlerNote: noHandler?.why,
    notes: noHandler ? [noHandler.why] : [],
  };
  if (graceful) proc.gracefulSignal = graceful.signal;
  if (/\.(sh|bash)$/.test(argv[0])) {
    proc.role = 'shell';
    proc.kind = 'script';
    proc.handler = undefined;
    proc.notes = [`runs the script ${argv[0]}`];
    ctx.assumptions.push(`the script ${argv[0]} is not in the build context stopcheck can see, so it is not analysed`);
  } else if (!noHandler && ctx.stopSignal) {
    applyAppFacts(proc, ctx, ctx.stopSignal);
  }
  out.push(proc);
}

/** What the app's runtime and code do with `signal` (runtime.ts, through the build context). */
function applyAppFacts(proc: ChainProcess, ctx: InterpretContext, signal: string): void {
  if (!ctx.appFacts) return;
  let h: AppHandling | undefined;
  try {
    h = ctx.appFacts(proc.argv, signal);
  } catch (e) {
    rethrowGrammar(e); // the Python grammar is loaded and the analysis run again
    h = undefined;
  }
  if (!h) return;
  (proc.signalHandling ??= {})[signal] = h;
  if (signal !== ctx.stopSignal) return;
  proc.runtime = h.runtime;
  proc.handler = h.handler;
  proc.handlerNote = h.note;
  if (h.evidence) proc.handlerEvidence = h.evidence;
  if (h.defaultGraceful.length > 0) proc.gracefulSignals = h.defaultGraceful;
  proc.notes.push(h.note);
}

function lookupScript(p: string, ctx: InterpretContext): ScriptSource | undefined {
  if (!ctx.resolveScript) return undefined;
  const candidates = p.includes('/') ? [p] : ['/usr/local/bin/', '/usr/local/sbin/', '/usr/bin/', '/bin/', '/usr/sbin/', '/sbin/'].map((d) => d + p);
  for (const c of candidates) {
    const r = ctx.resolveScript(c);
    if (!r) continue;
    if ('error' in r) {
      (ctx.fileProblems ??= []).push({ message: r.error, at: r.copy });
      return undefined;
    }
    return r;
  }
  return undefined;
}

function looksLikeShellScript(text: string, name: string): boolean {
  const first = text.split(/\r?\n/, 1)[0];
  if (first.startsWith('#!')) return /\b(sh|bash|dash|ash|busybox)\b/.test(first);
  return /\.(sh|bash)$/.test(name) || !/[\u0000-\u0008]/.test(text.slice(0, 512));
}

function shebangFamily(a: ScriptAnalysis, imageFamily: ShellFamily): ShellFamily {
  const interp = a.shebang?.interpreter.replace(/\r$/, '');
  if (!interp) return imageFamily;
  if (a.shebang && /busybox/.test(interp) && a.shebang.args[0]) return 'busybox';
  return familyOfShellPath(interp, imageFamily);
}

const ARGS_WORD = /^("\$@"|\$@|"\$\{@\}"|\$\{@\}|"\$\*"|\$\*)$/;

function toWords(src: ScriptSource, ws: Terminal['words'], args: Word[]): Word[] {
  const out: Word[] = [];
  for (const w of ws) {
    if (ARGS_WORD.test(w.text)) {
      out.push(...args);
      continue;
    }
    const range = { start: { line: w.range.start.line + src.lineOffset, character: w.range.start.character }, end: { line: w.range.end.line + src.lineOffset, character: w.range.end.character } };
    out.push({ value: w.value ?? w.text, literal: w.value !== undefined, origin: { file: src.file, range } });
  }
  return out;
}

/** Continue the chain through a start script: it execs away, or it stays in front of what it runs. */
function followScript(src: ScriptSource, imagePath: string, args: Word[], runWord: Word, ctx: InterpretContext, out: ChainProcess[],
  via: ChainProcess['via'], direct: boolean, shellFamily?: ShellFamily): void {
  const analysis = analyzeScriptCached(src.text, `${src.file}:${src.lineOffset}`);
  const family = direct ? shebangFamily(analysis, ctx.imageFamily) : (shellFamily ?? ctx.imageFamily);
  const name = imagePath.split('/').pop() ?? imagePath;
  const failures = (ctx.startFailures ??= []);
  // A file without #! fails only when exec'd directly; a shell running it (`sh -c /start.sh`) reads it itself.
  if (direct && via !== 'command-string' && !analysis.shebang) {
    failures.push({ message: `${imagePath} has no #! line, so starting it directly fails with "exec format error"`, at: runWord.origin });
  } else if (analysis.crlf) {
    failures.push({
      message: direct && analysis.shebang
        ? `${imagePath} has Windows (CRLF) line endings: the kernel looks for the interpreter "${analysis.shebang.interpreter}\\r" and fails with "no such file or directory"`
        : `${imagePath} has Windows (CRLF) line endings: every command in it ends with a carriage return and fails`,
      at: runWord.origin,
    });
  }
  let real = analysis.terminals.filter((t) => t.kind !== 'exit' && t.kind !== 'end');
  // `app & …; wait "$pid"; cleanup` (or `exit "$status"`): the script is waiting for the app, and what
  // follows the wait runs only after the app has exited.
  if (analysis.background.length > 0 && analysis.waits > 0 && (real.length === 0 || real.every((t) => t.kind === 'command'))) {
    const lastTerm = analysis.terminals[analysis.terminals.length - 1];
    real = [{ kind: 'wait', words: [], range: lastTerm?.range ?? analysis.background[0].range, text: 'wait' }];
  }
  const staying = real.filter((t) => t.kind !== 'exec');
  const execs = real.filter((t) => t.kind === 'exec');
  const main = staying[0] ?? execs[execs.length - 1];
  if (main && main.kind === 'background') {
    failures.push({ message: `${imagePath} starts its last command in the background and then exits: the container stops as soon as it has started`, at: runWord.origin });
  }
  const hop: ScriptHop = { imagePath, source: src, analysis, terminal: main, staying, execs: staying.length === 0 && execs.length > 0, family, runBy: runWord.origin, direct: direct && via !== 'command-string' };
  (ctx.hops ??= []).push(hop);
  const ctxDeeper = { ...ctx, depth: ctx.depth + 1, imageFamily: ctx.imageFamily };
  if (main && main.kind === 'exec') {
    const w = toWords(src, main.words, args);
    if (w.length > 0) interpret(w, ctxDeeper, out, via);
    else ctx.assumptions.push(`${name} execs "$@", but no arguments (CMD) are given`);
    return;
  }
  const forwarding = analysis.traps.find((t) => t.forwards);
  const proc: ChainProcess = {
    role: 'shell', kind: 'script', argv: [imagePath, ...args.map((a) => a.value)], label: `${name} (${familyLabel(family)})`,
    origin: runWord.origin, via, family, script: hop, trap: forwarding, notes: [],
  };
  if (!main) {
    proc.notes.push('the script ends without starting anything that keeps running');
    out.push(proc);
    hop.processIndex = out.length - 1;
    return;
  }
  out.push(proc);
  hop.processIndex = out.length - 1;
  const before = out.length;
  switch (main.kind) {
    case 'command':
    case 'nested-shell':
    case 'pipeline':
      interpret(toWords(src, main.words, args), ctxDeeper, out, 'command-string');
      break;
    case 'wait':
    case 'keepalive':
    case 'background': {
      const bg = main.kind === 'background' ? { words: main.words } : analysis.background[analysis.background.length - 1];
      if (bg) interpret(toWords(src, bg.words, args), ctxDeeper, out, 'command-string');
      if (out.length > before) {
        const last = out[out.length - 1];
        last.background = true;
        // The trap may forward another signal than the platform's (often SIGINT): what the app does with that one.
        const sends = forwarding?.sends;
        if (last.role === 'app' && last.runtime && sends && sends !== ctx.stopSignal) applyAppFacts(last, ctx, sends);
      }
      break;
    }
    default:
      break;
  }
}

/** Walk the stop signal down the chain. Times are in seconds after the stop request. */
export function evaluate(processes: ChainProcess[], policy: StopPolicy, failsToStart?: string): Outcome {
  const S = policy.signal;
  const G = policy.gracePeriodSeconds;
  const events: ChainEvent[] = [];
  const ev = (t: number, i: number, what: string) => events.push({ atSeconds: t, process: i + 1, what });
  if (failsToStart) {
    return { verdict: 'fails-to-start', appReceivesSignal: false, events: [{ atSeconds: 0, process: 1, what: failsToStart }], summary: failsToStart };
  }
  if (processes.length === 0) {
    return { verdict: 'unknown', appReceivesSignal: 'unknown', events, summary: 'no command is set here; the base image\'s command runs' };
  }
  const appIdx = processes.length - 1;
  const app = processes[appIdx];
  // Kubernetes: preStop first; the stop signal follows it (or the end of the grace period), and the
  // kubelet always leaves at least 2 s between the stop signal and SIGKILL.
  let t0 = 0;
  let killAt = G;
  let overran = false;
  if (policy.preStop) {
    ev(0, 0, `preStop hook starts (${policy.preStop.label})`);
    const d = policy.preStop.seconds;
    if (d !== undefined && d >= G) {
      overran = true;
      t0 = G;
      killAt = G + 2;
      ev(G, 0, `grace period (${G} s) ends with the preStop hook still running: the kubelet sends ${S} anyway and allows 2 s more`);
    } else if (d !== undefined) {
      t0 = d;
      ev(d, 0, `preStop hook ends after ${d} s`);
    }
  }
  if (policy.platform === 'kubernetes' && killAt - t0 < 2) killAt = t0 + 2;
  ev(t0, 0, `${S} sent to ${policy.notPid1 ? 'the container\'s main process' : 'PID 1'} (${processes[0].label})`);

  const killed = (i: number, why: string): Outcome => {
    ev(t0, i, why);
    ev(killAt, 0, `${overran ? 'the 2 s after the preStop overrun end' : `grace period (${G} s) ends`}: SIGKILL; ${app.label} is killed${i < appIdx ? ' without ever receiving ' + S : ''}`);
    return { verdict: 'killed', appReceivesSignal: i === appIdx ? true : false, stopsAt: i, events, summary: `${S} stops at ${processes[i].label}; ${app.label} is killed after ${killAt} s` };
  };

  // The signal reaches process i (i > 0 means not PID 1). `group` means the whole group got it too.
  const reach = (i: number, t: number, group: boolean): Outcome => {
    const p = processes[i];
    const pid1 = i === 0 && !policy.notPid1;
    switch (p.role) {
      case 'init': {
        if (i + 1 > appIdx) return { verdict: 'unknown', appReceivesSignal: 'unknown', events, summary: 'the init has no command' };
        const child = processes[i + 1];
        if (p.group) {
          ev(t, i, `forwards ${S} to the process group`);
          // Everyone in the group gets it. Outcome decided by the direct child.
          if (child.role === 'init') return reach(i + 1, t, true);
          if (child.role === 'app') return reachApp(i + 1, t, false, true);
          // A shell/runner/wrapper in between dies or exits; the init then exits.
          ev(t, i + 1, `${child.label} receives ${S} and ${child.role === 'wrapper' ? 'forwards it' : 'dies'}`);
          if (app.role === 'app') ev(t, appIdx, `${app.label} receives ${S} and starts its shutdown`);
          const end = child.role === 'wrapper' ? t + (child.killAfterSeconds ?? 0) : t;
          ev(end, i, `${p.label} exits because its child exited; the container stops and ${app.label}'s cleanup is cut short`);
          return { verdict: 'cut-short', appReceivesSignal: app.role === 'app' ? true : 'unknown', stopsAt: i + 1, events, summary: `${app.label} gets ${S} but ${p.label} exits as soon as ${child.label} dies, cutting its cleanup short` };
        }
        ev(t, i, `forwards ${S} to ${child.label}`);
        return reach(i + 1, t, false);
      }
      case 'shell': {
        if (p.kind === 'script' && p.script) {
          const sigName = S.replace(/^SIG/, '');
          const trap = p.script.analysis.traps.find((x) => x.signals.includes(sigName) || x.signals.includes(String(signalNumber(S))));
          if (trap) return scriptTrap(i, t, trap, p);
          if (i === appIdx) {
            ev(t, i, `${p.label} ends without starting anything that keeps running`);
            return { verdict: 'unknown', appReceivesSignal: 'unknown', stopsAt: i, events, summary: `${p.label} starts nothing that keeps running` };
          }
        }
        if (p.exec?.verdict === 'unknown' || (p.kind === 'script' && !p.script)) {
          ev(t, i, p.kind === 'script' ? `${p.label}: what the script does with ${S} is not analysed` : `${p.label}: ${p.exec?.why ?? 'unknown'}`);
          return { verdict: 'unknown', appReceivesSignal: 'unknown', stopsAt: i, events, summary: p.kind === 'script' ? `depends on ${p.label}` : `${p.exec?.why ?? 'depends on the image\'s /bin/sh'}` };
        }
        if (p.facts && p.facts.traps.some((x) => ('SIG' + x) === S || x === S)) {
          ev(t, i, `${p.label} runs its trap for ${S}`);
          return { verdict: 'unknown', appReceivesSignal: 'unknown', stopsAt: i, events, summary: `depends on what the trap in ${p.label} does` };
        }
        if (pid1) return killed(i, `${p.label} is PID 1 and has no handler for ${S}, so the signal is ignored (PID 1 gets no default action); ${app.label} never receives it`);
        ev(t, i, `${p.label} dies from ${S} (default action); ${app.label} never receives it`);
        return upstreamExit(i, t, group);
      }
      case 'runner': {
        ev(t, i, `${p.label} signals its shell, which dies; ${p.label} exits with an error`);
        ev(t, appIdx, `${app.label} never receives ${S}`);
        ev(t, 0, `the container stops at once; ${app.label} gets no chance to clean up`);
        return { verdict: 'cut-short', appReceivesSignal: false, stopsAt: i, events, summary: `${p.label} exits on ${S} without passing it to ${app.label}: the container stops at once, cleanup cut short` };
      }
      case 'wrapper': {
        const child = processes[i + 1];
        if (!child) return { verdict: 'unknown', appReceivesSignal: 'unknown', events, summary: `${p.label} runs nothing known` };
        ev(t, i, `forwards ${S} to ${child.label}`);
        const inner = reach(i + 1, t, group);
        if (p.killAfterSeconds === undefined) return inner;
        const k = p.killAfterSeconds;
        if (inner.verdict === 'graceful' || inner.verdict === 'cut-short') {
          ev(t + k, i, `${p.label} SIGKILLs what is left ${k} s after forwarding, and exits`);
          const summary = inner.appReceivesSignal === true
            ? `${p.label} kills ${app.label} ${k} s after forwarding ${S}: cleanup cut short`
            : `${app.label} never receives ${S}, and ${p.label} kills it ${k} s later`;
          return { verdict: 'cut-short', appReceivesSignal: inner.appReceivesSignal, stopsAt: inner.stopsAt, events, summary };
        }
        return inner;
      }
      case 'app':
      default:
        return reachApp(i, t, pid1, group);
    }
  };

  const scriptTrap = (i: number, t: number, trap: TrapInfo, p: ChainProcess): Outcome => {
    const pid1 = i === 0 && !policy.notPid1;
    const term = p.script?.terminal;
    if (term && term.kind === 'keepalive' && !/^\s*(while|until)\b/.test(term.text)) {
      // POSIX: a trap runs only after the foreground command finishes, and `tail -f`/`sleep infinity` never do.
      ev(t, i, `${p.label} has a trap for ${S}, but it runs only after the foreground \`${term.text.split('\n')[0]}\` finishes, which it never does`);
      return killed(i, i === appIdx ? `${p.label} never gets to run its cleanup` : `${app.label} never receives ${S}`);
    }
    if (!trap.forwards && i === appIdx) {
      // The script is the app: its own trap is its shutdown handler.
      if (/\bexit\b/.test(trap.effective)) {
        ev(t, i, `${p.label} runs its trap for ${S} (${trap.action.trim()}) when the current foreground command returns, cleans up and exits`);
        return { verdict: 'graceful', appReceivesSignal: true, stopsAt: i, events, summary: `${p.label} handles ${S} with its own trap and exits; the platform waits up to ${killAt - t0} s` };
      }
      ev(t, i, `${p.label} runs its trap for ${S} (${trap.action.trim()}) and carries on: the trap does not exit`);
      return killed(i, `${p.label} keeps running after its trap`);
    }
    if (!trap.forwards) {
      ev(t, i, `${p.label} runs its trap for ${S} (${trap.action.trim()}), which does not signal ${app.label}`);
      if (/\bexit\b/.test(trap.effective)) {
        const init = processes.slice(0, i).reverse().find((q) => q.role === 'init');
        ev(t, i, `${p.label} exits; ${pid1 ? 'as PID 1 its exit stops the container' : `${init?.label ?? 'its parent'} exits`}, and ${app.label} never receives ${S}`);
        return { verdict: 'cut-short', appReceivesSignal: false, stopsAt: i, events, summary: `the trap in ${p.label} exits without signalling ${app.label}: the container stops at once` };
      }
      return killed(i, `${app.label} never receives ${S}`);
    }
    const sends = trap.sends ?? 'SIGTERM';
    ev(t, i, `${p.label} runs its trap: sends ${sends} to ${app.label}`);
    if (app.background && (sends === 'SIGINT' || sends === 'SIGQUIT')) {
      ev(t, appIdx, `${app.label} was started in the background, so it starts with ${sends} ignored (POSIX); only a handler it installs itself receives it`);
      const h = app.signalHandling?.[sends];
      if (h && h.handler === 'yes' && h.byDefault && h.codeRead) {
        return killed(appIdx, `${app.label} ignores ${sends}: its runtime's default handler for it is not installed when the signal starts ignored`);
      }
      if (h ? h.handler === 'none' : app.handler === 'none') return killed(appIdx, `${app.label} ignores ${sends}`);
      if (!h || h.handler !== 'yes' || h.byDefault) {
        return { verdict: 'unknown', appReceivesSignal: 'unknown', stopsAt: appIdx, events, summary: `${app.label} gets ${sends} only if it installs its own handler for it (a background command starts with it ignored)` };
      }
      ev(t, appIdx, `${app.label} installs its own handler for ${sends}, which replaces the inherited ignore`);
    }
    ev(t, appIdx, `${app.label} receives ${sends}`);
    if (!p.script?.analysis.waitsAgain) {
      ev(t, i, `the script's \`wait\` returns as soon as the trap has run, and the script exits: the container stops while ${app.label} is still cleaning up`);
      return { verdict: 'cut-short', appReceivesSignal: true, stopsAt: appIdx, events, summary: `${p.label} forwards ${S} but does not wait again, so ${app.label}'s cleanup is cut short` };
    }
    ev(t, i, `${p.label} waits for ${app.label} to exit`);
    return { verdict: 'graceful', appReceivesSignal: true, stopsAt: appIdx, events, summary: `${p.label} forwards ${S} to ${app.label} and waits for it` };
  };

  const reachApp = (i: number, t: number, pid1: boolean, _group: boolean): Outcome => {
    const p = processes[i];
    const h = p.signalHandling?.[S];
    if (h?.exitsAtOnce && p.handler !== 'yes') {
      ev(t, i, `${p.label} receives ${S}: ${h.runtime === 'go' ? 'the Go runtime exits at once, also as PID 1, unless the program handles it (signal.Notify); without a handler no deferred cleanup runs' : 'its runtime exits at once'}`);
      return { verdict: 'graceful', appReceivesSignal: true, stopsAt: i, events, summary: `${p.label} receives ${S} and exits at once${h.runtime === 'go' ? ' (Go runtime default; cleanup runs only if it handles the signal)' : ''}` };
    }
    if (p.handler === 'none') {
      if (pid1) return killed(i, `${p.label} is PID 1 and installs no handler for ${S}: the signal is ignored`);
      if (h?.keepsRunning) return killed(i, `${p.label} receives ${S} and keeps running: ${h.note.replace(/\.$/, '')}`);
      ev(t, i, `${p.label} receives ${S} and dies at once (it has no handler, so no cleanup)`);
      return { verdict: 'graceful', appReceivesSignal: true, stopsAt: i, events, summary: `${p.label} receives ${S} and exits at once (no handler)` };
    }
    const how = p.handler === 'yes' && p.runtime && p.handlerNote ? ` (${p.handlerNote.replace(/\.$/, '')})` : '';
    ev(t, i, `${p.label} receives ${S}${p.handler === 'yes' ? ` and ${p.handlerEvidence ? 'runs its handler' : 'stops on it'}${how}` : ''}`);
    if (p.gracefulSignal && p.gracefulSignal !== S) ev(t, i, `${p.label} stops gracefully on ${p.gracefulSignal}, not ${S}`);
    return { verdict: 'graceful', appReceivesSignal: true, stopsAt: i, events, summary: `${p.label} receives ${S}; the platform waits up to ${killAt - t0} s for it to exit` };
  };

  // Process i died; its parent chain reacts.
  const upstreamExit = (i: number, t: number, group: boolean): Outcome => {
    for (let j = i - 1; j >= 0; j--) {
      const q = processes[j];
      if (q.role === 'init') {
        ev(t, j, `${q.label} exits because its child exited; the container stops${group ? '' : ` and ${app.label} never receives ${S}`}`);
        return { verdict: 'cut-short', appReceivesSignal: group, stopsAt: i, events, summary: `${processes[i].label} dies on ${S}, ${q.label} exits at once, and ${app.label} ${group ? 'has its cleanup cut short' : `never receives ${S}`}` };
      }
      if (q.role === 'wrapper') {
        return { verdict: 'cut-short', appReceivesSignal: false, stopsAt: i, events, summary: `${processes[i].label} dies on ${S}; ${app.label} never receives it and is killed ${q.killAfterSeconds ?? 0} s later` };
      }
    }
    return { verdict: 'cut-short', appReceivesSignal: false, stopsAt: i, events, summary: `${processes[i].label} dies on ${S}; ${app.label} never receives it` };
  };

  const out0 = reach(0, t0, false);
  const out: Outcome = { ...out0, killAtSeconds: killAt };
  if (out.verdict === 'graceful' && overran) {
    ev(killAt, 0, `SIGKILL: ${app.label} had only 2 s after ${S}`);
    return { ...out, verdict: 'cut-short', summary: `the preStop hook used the whole grace period: ${app.label} gets ${S} with only 2 s left before SIGKILL` };
  }
  if (out.verdict === 'graceful') ev(killAt, 0, `if it is still running ${killAt === G ? `when the grace period (${G} s) ends` : `at ${killAt} s`}: SIGKILL`);
  return out;
}

function signalNumber(name: string): number {
  return parseSignal(name).number;
}

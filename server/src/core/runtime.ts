// What the application at the end of a launch chain does with the stop signal when it is PID 1.
// Node.js and Python sources in the build context are parsed (acorn; tree-sitter-python) and their
// project-local imports followed, looking for a handler for the stop signal. Servers run by name
// and runtime defaults come from the measured / documented table in docs/runtimes.md.
// Measured facts (as PID 1 of a fresh PID namespace, SEMANTICS.md §4):
//  - node without process.on(SIG): SIGTERM/SIGINT/SIGHUP/SIGQUIT ignored; with a handler: handler runs.
//  - python without signal.signal(SIG): SIGTERM/SIGQUIT/SIGHUP ignored; SIGINT → KeyboardInterrupt, exits.
//  - JVM: SIGTERM/SIGINT/SIGHUP run the shutdown hooks and exit; SIGQUIT prints a thread dump; -Xrs: all ignored.
//  - ruby: SIGTERM/SIGINT/SIGHUP/SIGQUIT raise SignalException/Interrupt, `ensure` runs, exits.
//  - Go binary without signal.Notify: exits at once (status 2, deferred code does not run); `go run` dies
//    the same way and its child never sees the signal.
import * as path from 'path';
import * as fs from 'fs';
import * as acorn from 'acorn';
import * as walk from 'acorn-walk';
import type { Node as TSNode, Parser as TSParser } from 'web-tree-sitter';
import { initShellParser, safeResolve as nodeModule } from './shell';
import { GrammarNotLoaded, registerGrammar } from './grammar';
import { parseSignal } from './signals';

export interface AppSource { file: string; text: string }

export interface HandlerVerdict {
  runtime: 'node' | 'python' | 'go' | 'jvm' | 'ruby' | 'shell' | 'server' | 'unknown';
  /**
   * 'yes' = a handler for the stop signal is seen in the code (then `evidence` is set), or the program is a
   * known server / runtime that stops on this signal by itself (then `evidence` is absent and the signal is in
   * `defaultGraceful` or the note names the server); 'none' = the runtime ignores it as PID 1 and no handler is
   * seen (only when the entry file and what it imports were read); 'unknown' otherwise.
   */
  handler: 'yes' | 'none' | 'unknown';
  /** Where the handler is (file + 0-based range) when handler === 'yes'. */
  evidence?: { file: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } };
  /**
   * Signals the program handles gracefully even without code (e.g. Python: SIGINT → KeyboardInterrupt; JVM:
   * SIGTERM runs shutdown hooks). Such a default is a handler installed by the runtime at start-up: a program
   * started in the background by a shell inherits SIGINT/SIGQUIT *ignored* and Python then installs none.
   */
  defaultGraceful: string[];
  /** One sentence for messages and hovers. */
  note: string;
  /**
   * The program's code (entry and project imports) was read completely: a handler of its own would have been
   * seen. Set for a 'yes' that comes from a runtime default, where it tells "no code of its own" from "not read".
   */
  codeRead?: boolean;
  /** With 'none': it ignores the signal (SIG_IGN) or handles it without stopping (the JVM's SIGQUIT thread dump), also when it is not PID 1. */
  keepsRunning?: boolean;
}

type Range = NonNullable<HandlerVerdict['evidence']>['range'];
type Evidence = NonNullable<HandlerVerdict['evidence']>;

/** Bounds for following imports. */
export const IMPORT_LIMITS = { depth: 5, files: 50, bytes: 1024 * 1024 };

// ---------------------------------------------------------------------------------------------------
// Runtime defaults (measured; see docs/runtimes.md)

const PY_DEFAULT = ['SIGINT'];
const JVM_DEFAULT = ['SIGTERM', 'SIGINT', 'SIGHUP'];
const RUBY_DEFAULT = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'];
/** Go runtime without signal.Notify: exits at once (status 2) on these, without running deferred code. */
export const GO_EXITS_ON = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGQUIT'];

// ---------------------------------------------------------------------------------------------------
// Servers run by name

interface ServerFact {
  names: string[];
  program: string;
  /** Signals on which it stops, with what that means. */
  stops: Record<string, string>;
  /** The signal that means "graceful stop". */
  graceful: string;
  source: 'measured' | 'documented';
}

const SERVERS: ServerFact[] = [
  { names: ['nginx'], program: 'nginx', graceful: 'SIGQUIT', source: 'measured',
    stops: { SIGTERM: 'a fast shutdown that drops open connections', SIGINT: 'a fast shutdown that drops open connections', SIGQUIT: 'a graceful shutdown that lets open requests finish' } },
  { names: ['httpd', 'apache2', 'httpd-foreground', 'apache2-foreground'], program: 'Apache httpd', graceful: 'SIGWINCH', source: 'documented',
    stops: { SIGTERM: 'an immediate stop that aborts running requests', SIGWINCH: 'a graceful stop that lets running requests finish' } },
  { names: ['postgres', 'postmaster'], program: 'PostgreSQL', graceful: 'SIGINT', source: 'documented',
    stops: { SIGTERM: 'a "smart" shutdown that waits for every client to disconnect', SIGINT: 'a "fast" shutdown: clients are disconnected and the database is shut down cleanly', SIGQUIT: 'an immediate shutdown without a checkpoint (recovery at the next start)' } },
  { names: ['redis-server'], program: 'Redis', graceful: 'SIGTERM', source: 'measured',
    stops: { SIGTERM: 'a clean shutdown (saves the dataset if persistence is configured)', SIGINT: 'a clean shutdown (saves the dataset if persistence is configured)' } },
  { names: ['mysqld', 'mariadbd'], program: 'MySQL/MariaDB', graceful: 'SIGTERM', source: 'documented',
    stops: { SIGTERM: 'a normal shutdown' } },
  { names: ['gunicorn'], program: 'gunicorn', graceful: 'SIGTERM', source: 'measured',
    stops: { SIGTERM: 'a graceful shutdown (workers finish their requests up to graceful_timeout)', SIGINT: 'a quick shutdown', SIGQUIT: 'a quick shutdown' } },
  { names: ['uvicorn'], program: 'uvicorn', graceful: 'SIGTERM', source: 'measured',
    stops: { SIGTERM: 'a graceful shutdown', SIGINT: 'a graceful shutdown' } },
  { names: ['hypercorn'], program: 'hypercorn', graceful: 'SIGTERM', source: 'documented',
    stops: { SIGTERM: 'a graceful shutdown', SIGINT: 'a graceful shutdown' } },
  { names: ['puma'], program: 'Puma', graceful: 'SIGTERM', source: 'documented',
    stops: { SIGTERM: 'a stop that lets running requests finish', SIGINT: 'a stop that lets running requests finish' } },
  { names: ['unicorn', 'unicorn_rails'], program: 'Unicorn', graceful: 'SIGQUIT', source: 'documented',
    stops: { SIGTERM: 'a quick shutdown that kills the workers at once', SIGINT: 'a quick shutdown that kills the workers at once', SIGQUIT: 'a graceful shutdown that lets workers finish their requests' } },
  { names: ['php-fpm'], program: 'php-fpm', graceful: 'SIGQUIT', source: 'documented',
    stops: { SIGTERM: 'an immediate stop that aborts running requests', SIGINT: 'an immediate stop that aborts running requests', SIGQUIT: 'a graceful stop' } },
];

function serverOf(name: string): ServerFact | undefined {
  const n = name.replace(/^php-fpm[\d.]+$/, 'php-fpm');
  return SERVERS.find((s) => s.names.includes(n));
}

function serverVerdict(s: ServerFact, sig: string, how: string): HandlerVerdict {
  const what = s.stops[sig];
  const gracefulHint = s.graceful === sig ? '' : `; its graceful stop signal is ${s.graceful}`;
  if (what) {
    return { runtime: 'server', handler: 'yes', defaultGraceful: [], note: `${how}${s.program} handles ${sig} itself: ${what}${gracefulHint} (${s.source}).` };
  }
  return { runtime: 'server', handler: 'unknown', defaultGraceful: [],
    note: `${how}${s.program} stops on ${Object.keys(s.stops).join(', ')}; stopcheck does not know what it does with ${sig}${gracefulHint}.` };
}

// ---------------------------------------------------------------------------------------------------
// Entry point

const base = (p: string | undefined): string => (p ? p.split('/').pop() ?? p : '');
const NODE_RE = /^(node|nodejs)(\d+)?$/;
const PY_RE = /^(python|pypy)(\d+(\.\d+)*)?$/;

/**
 * What the app does with `signal` when it is PID 1. `resolve` maps an absolute path in the image to the
 * build-context file copied there; `workdir` is the image's WORKDIR (relative paths in argv are relative to it).
 */
export function appHandler(argv: string[], signal: string, resolve: (imagePath: string) => AppSource | undefined, workdir: string): HandlerVerdict {
  const parsed = parseSignal(signal);
  const sig = parsed.ok ? parsed.name : signal.toUpperCase();
  const wd = workdir && workdir.startsWith('/') ? workdir : path.posix.join('/', workdir || '');
  const res = memo(resolve);
  return dispatch(argv, sig, res, wd, 0);
}

function dispatch(argv: string[], sig: string, res: Resolve, wd: string, depth: number): HandlerVerdict {
  const name = base(argv[0]);
  if (!name) return unknown('unknown', 'the command is empty, so stopcheck cannot tell what runs.');
  if (NODE_RE.test(name)) return nodeApp(argv, sig, res, wd);
  if (PY_RE.test(name)) return pythonApp(argv, sig, res, wd);
  if (name === 'java') return jvmApp(argv, sig);
  if (name === 'ruby') return rubyApp(sig, argv.find((a, k) => k > 0 && !a.startsWith('-')) ?? 'the program');
  if (name === 'bundle' && argv[1] === 'exec' && argv.length > 2 && depth < 3) {
    const inner = dispatch(argv.slice(2), sig, res, wd, depth + 1);
    return { ...inner, note: `bundle exec replaces itself with ${base(argv[2])} (documented); ${lowerFirst(inner.note)}` };
  }
  if (name === 'go' && argv[1] === 'run') {
    return { runtime: 'go', handler: 'unknown', defaultGraceful: [],
      note: `\`go run\` stays PID 1 and runs the built program as its child; on ${sig} the go command exits at once and the program is killed with it, without ever seeing the signal (measured with Go 1.19): build the binary and run it directly.` };
  }
  const server = serverOf(name);
  if (server) return serverVerdict(server, sig, '');
  if (['sh', 'bash', 'dash', 'ash', 'zsh', 'ksh', 'busybox'].includes(name)) {
    return unknown('shell', `${name} is a shell; what it does with ${sig} is decided by the launch chain (exec, trap), not here.`);
  }
  if (['ts-node', 'tsx', 'ts-node-dev', 'nodemon', 'pm2-runtime', 'pm2', 'forever', 'npx', 'deno', 'bun'].includes(name)) {
    return unknown(name === 'deno' || name === 'bun' ? 'unknown' : 'node', `${name} starts the app in its own way; stopcheck does not know what it does with ${sig}.`);
  }
  // A script in the image with a node / python #! line (express's bin/www, a console script…).
  const script = findExecutable(argv[0], res, wd);
  if (script) {
    const interp = shebangInterpreter(script.src.text);
    if (interp && NODE_RE.test(interp)) return nodeApp(['node', script.imagePath, ...argv.slice(1)], sig, res, wd);
    if (interp && PY_RE.test(interp)) return pythonApp(['python3', script.imagePath, ...argv.slice(1)], sig, res, wd);
    if (interp === 'ruby') return rubyApp(sig, name);
  }
  return unknown('unknown', `stopcheck cannot see what ${name} does with ${sig}: if it installs no handler, as PID 1 it ignores it and is killed at the end of the grace period.`);
}

function unknown(runtime: HandlerVerdict['runtime'], note: string, defaultGraceful: string[] = []): HandlerVerdict {
  return { runtime, handler: 'unknown', defaultGraceful, note };
}

function lowerFirst(s: string): string {
  return s ? s[0].toLowerCase() + s.slice(1) : s;
}

function jvmApp(argv: string[], sig: string): HandlerVerdict {
  const xrs = argv.slice(1).some((a) => a === '-Xrs' || a === '-XX:+ReduceSignalUsage');
  if (xrs) {
    return { runtime: 'jvm', handler: 'none', defaultGraceful: [],
      note: `java -Xrs installs no handler for SIGTERM, SIGINT or SIGHUP, so as PID 1 it ignores ${sig} and is killed at the end of the grace period (measured).` };
  }
  if (JVM_DEFAULT.includes(sig)) {
    return { runtime: 'jvm', handler: 'yes', defaultGraceful: JVM_DEFAULT,
      note: `The JVM handles ${sig} itself: it runs the shutdown hooks and exits, also as PID 1 (measured; unless -Xrs is set, e.g. through JAVA_TOOL_OPTIONS).` };
  }
  if (sig === 'SIGQUIT') {
    return { runtime: 'jvm', handler: 'none', defaultGraceful: JVM_DEFAULT, keepsRunning: true, note: 'The JVM answers SIGQUIT with a thread dump and keeps running (measured).' };
  }
  return unknown('jvm', `The JVM stops on SIGTERM, SIGINT and SIGHUP; stopcheck does not know what this program does with ${sig}.`, JVM_DEFAULT);
}

function rubyApp(sig: string, name: string): HandlerVerdict {
  if (RUBY_DEFAULT.includes(sig)) {
    return { runtime: 'ruby', handler: 'yes', defaultGraceful: RUBY_DEFAULT,
      note: `Ruby turns ${sig} into ${sig === 'SIGINT' ? 'an Interrupt' : 'a SignalException'} that unwinds the program (ensure blocks run) and exits, also as PID 1 (measured; ${name} was not read — a trap or a \`rescue Exception\` can change that).` };
  }
  return unknown('ruby', `stopcheck does not know what this Ruby program does with ${sig}.`, RUBY_DEFAULT);
}

// ---------------------------------------------------------------------------------------------------
// Files

type Resolve = (imagePath: string) => AppSource | undefined;

function memo(resolve: Resolve): Resolve {
  const cache = new Map<string, AppSource | undefined>();
  return (p) => {
    if (!cache.has(p)) {
      let r: AppSource | undefined;
      try {
        r = resolve(p);
      } catch {
        r = undefined;
      }
      cache.set(p, r);
    }
    return cache.get(p);
  };
}

function findExecutable(word: string, res: Resolve, wd: string): { imagePath: string; src: AppSource } | undefined {
  const candidates = word.includes('/') ? [path.posix.resolve(wd, word)]
    : ['/usr/local/bin/', '/usr/local/sbin/', '/usr/bin/', '/bin/'].map((d) => d + word);
  for (const c of candidates) {
    const src = res(c);
    if (src) return { imagePath: c, src };
  }
  return undefined;
}

function shebangInterpreter(text: string): string | undefined {
  const m = /^#!\s*(\S+)(?:[ \t]+(.*))?/.exec(text.split(/\r?\n/, 1)[0]);
  if (!m) return undefined;
  let interp = base(m[1]);
  if (interp === 'env') {
    const args = (m[2] ?? '').trim().split(/\s+/).filter((a) => !a.startsWith('-'));
    interp = base(args[0]);
  }
  return interp || undefined;
}

/** Shared state of one analysis: budget, what was read, what blocks a "none". */
interface Scan {
  files: Map<string, AppSource>;
  bytes: number;
  /** Reasons the program was not read completely (a "none" needs this empty). */
  gaps: string[];
  /** Packages imported but not read (for the note). */
  libraries: Set<string>;
  /** Known packages that install signal handlers themselves. */
  handlerLibraries: Set<string>;
  regs: Registration[];
}

interface Registration {
  signals: string[];
  /** 'handler' = a function runs; 'ignore' / 'default' = SIG_IGN / SIG_DFL. */
  kind: 'handler' | 'ignore' | 'default';
  evidence: Evidence;
  /** The call, e.g. "process.once" or "signal.signal"; `(SIG, …)` is added when it names the signal. */
  call: string;
  /** Image path of the file and 1-based line, for notes. */
  imagePath: string;
  line: number;
  /** Said after the call, e.g. "(NestJS listens to the termination signals)". */
  extra?: string;
  /** The signal list could not be worked out completely. */
  partial?: boolean;
}

function describeReg(r: Registration, sig: string, wd: string, quote: boolean): string {
  const args = r.extra !== undefined ? '()' : r.signals.includes(sig) ? `(${quote ? `'${sig}'` : sig}, …)` : '(…)';
  return `${r.call}${args} in ${display(r.imagePath, wd)} (line ${r.line})${r.extra ? ` ${r.extra}` : ''}`;
}

function newScan(): Scan {
  return { files: new Map(), bytes: 0, gaps: [], libraries: new Set(), handlerLibraries: new Set(), regs: [] };
}

/** Reads a file into the scan within the limits; undefined (with a gap noted) when it cannot. */
function admit(scan: Scan, imagePath: string, src: AppSource, depth: number): boolean {
  if (scan.files.has(imagePath)) return false;
  if (depth > IMPORT_LIMITS.depth) {
    addGap(scan, `imports deeper than ${IMPORT_LIMITS.depth} levels were not followed`);
    return false;
  }
  if (scan.files.size >= IMPORT_LIMITS.files) {
    addGap(scan, `stopcheck stopped after ${IMPORT_LIMITS.files} files`);
    return false;
  }
  const size = Buffer.byteLength(src.text, 'utf8');
  if (scan.bytes + size > IMPORT_LIMITS.bytes) {
    addGap(scan, 'stopcheck stopped after reading 1 MiB of sources');
    return false;
  }
  scan.bytes += size;
  scan.files.set(imagePath, src);
  return true;
}

function addGap(scan: Scan, gap: string): void {
  if (!scan.gaps.includes(gap)) scan.gaps.push(gap);
}

function rangeOf(text: string, start: number, end: number): Range {
  return { start: posAt(text, start), end: posAt(text, end) };
}

function posAt(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, character: offset - lineStart };
}

function display(imagePath: string, wd: string): string {
  const rel = path.posix.relative(wd, imagePath);
  return rel && !rel.startsWith('..') ? rel : imagePath;
}

/** Turns what the scan found into a verdict. */
function conclude(runtime: 'node' | 'python', scan: Scan, sig: string, entry: string, wd: string, defaults: string[], ignoredBecause: string): HandlerVerdict {
  const mine = scan.regs.filter((r) => r.signals.includes(sig));
  const quote = runtime === 'node';
  const handler = mine.find((r) => r.kind === 'handler');
  if (handler) {
    return { runtime, handler: 'yes', evidence: handler.evidence, defaultGraceful: defaults,
      note: `${describeReg(handler, sig, wd, quote)} handles ${sig}.` };
  }
  const explicit = mine.find((r) => r.kind !== 'handler');
  if (explicit) {
    return { runtime, handler: 'none', evidence: undefined, defaultGraceful: defaults.filter((d) => d !== sig), keepsRunning: explicit.kind === 'ignore',
      note: `${describeReg(explicit, sig, wd, quote)} ${explicit.kind === 'ignore' ? 'ignores' : 'resets to the default action'} ${sig}${explicit.kind === 'ignore' ? '' : ', which PID 1 ignores'}: it runs until SIGKILL.` };
  }
  if (defaults.includes(sig)) {
    const codeRead = scan.gaps.length === 0 && !scan.regs.some((r) => r.partial) && scan.handlerLibraries.size === 0;
    return { runtime, handler: 'yes', defaultGraceful: defaults, codeRead, note: runtime === 'python'
      ? `Python turns ${sig} into KeyboardInterrupt, which unwinds the program and exits, also as PID 1 (measured) — unless it was started in the background by a shell, which makes it start with ${sig} ignored.`
      : `${runtime} handles ${sig} by default.` };
  }
  const read = scan.files.size;
  const readText = `${display(entry, wd)}${read > 1 ? ` and the ${read - 1} project file${read > 2 ? 's' : ''} it imports` : ''}`;
  const dynamic = scan.regs.find((r) => r.partial);
  if (dynamic) addGap(scan, `${describeReg(dynamic, sig, wd, quote)} registers a signal handler whose signal stopcheck cannot work out`);
  if (scan.handlerLibraries.size > 0) {
    addGap(scan, `it uses ${[...scan.handlerLibraries].join(', ')}, which install${scan.handlerLibraries.size === 1 ? 's' : ''} signal handlers of ${scan.handlerLibraries.size === 1 ? 'its' : 'their'} own (not read)`);
  }
  if (scan.gaps.length > 0) {
    return { runtime, handler: 'unknown', defaultGraceful: defaults,
      note: `No handler for ${sig} is seen in ${readText}, but ${scan.gaps.join('; ')}, so stopcheck cannot tell whether the app handles ${sig}.` };
  }
  const libs = scan.libraries.size > 0 ? ` (libraries it imports were not read: ${[...scan.libraries].slice(0, 4).join(', ')}${scan.libraries.size > 4 ? ', …' : ''})` : '';
  return { runtime, handler: 'none', defaultGraceful: defaults,
    note: `No handler for ${sig} in ${readText}${libs}: ${ignoredBecause}` };
}

// ---------------------------------------------------------------------------------------------------
// Node.js

/** Node options that take the next word as their value. */
const NODE_VALUE_OPTS = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--title',
  '--input-type', '--env-file', '--env-file-if-exists', '--watch-path', '--inspect-port', '--debug-port', '--openssl-config', '--redirect-warnings',
  '--icu-data-dir', '--diagnostic-dir', '--report-dir', '--report-directory', '--report-filename', '--report-signal', '--secure-heap',
  '--secure-heap-min', '--stack-trace-limit', '--dns-result-order', '--unhandled-rejections', '--heapsnapshot-signal', '--disable-warning',
  '--experimental-policy', '--policy-integrity', '--cpu-prof-dir', '--cpu-prof-name', '--heap-prof-dir', '--heap-prof-name', '--tls-cipher-list',
  '--tls-keylog', '--max-http-header-size', '--use-largepages', '--trace-event-categories', '--trace-event-file-pattern', '--experimental-config-file']);

/** Packages that install stop-signal handlers of their own when used (documented in their READMEs). */
const NODE_HANDLER_LIBS = new Set(['@godaddy/terminus', 'lightship', 'close-with-grace', 'exit-hook', 'async-exit-hook', 'http-graceful-shutdown',
  'node-graceful-shutdown', 'node-cleanup', 'throng', '@opentelemetry/auto-instrumentations-node']);

const NODE_BUILTIN = new Set(['assert', 'async_hooks', 'buffer', 'child_process', 'cluster', 'console', 'constants', 'crypto', 'dgram',
  'diagnostics_channel', 'dns', 'domain', 'events', 'fs', 'http', 'http2', 'https', 'inspector', 'module', 'net', 'os', 'path', 'perf_hooks',
  'process', 'punycode', 'querystring', 'readline', 'repl', 'stream', 'string_decoder', 'sys', 'timers', 'tls', 'trace_events', 'tty', 'url',
  'util', 'v8', 'vm', 'wasi', 'worker_threads', 'zlib']);

const NODE_LISTEN = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener']);

function nodeApp(argv: string[], sig: string, res: Resolve, wd: string): HandlerVerdict {
  const preloads: string[] = [];
  let i = 1;
  let watch = false;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    const [opt, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    if (['-e', '--eval', '-p', '--print', '-c', '--check', '--test', '-i', '--interactive', '--run'].includes(opt)) {
      return unknown('node', `node ${opt} does not run a program file stopcheck can read.`);
    }
    if (opt === '--watch' || opt === '--watch-path') watch = true;
    if (NODE_VALUE_OPTS.has(opt)) {
      const v = inline ?? argv[++i];
      if ((opt === '-r' || opt === '--require' || opt === '--import') && v !== undefined) preloads.push(v);
    }
  }
  if (watch) {
    return unknown('node', 'node --watch runs the program in a child process and restarts it; stopcheck does not model what the watcher does with the stop signal.');
  }
  const entryWord = argv[i];
  if (entryWord === undefined || entryWord === '-') return unknown('node', 'node without a program file starts a REPL or reads stdin; stopcheck cannot tell what runs.');
  if (/\.(c|m)?tsx?$/.test(entryWord)) {
    return unknown('node', `${entryWord} is TypeScript, which stopcheck does not analyse; a compiled .js entry would be checked for process.on('${sig}').`);
  }
  const scan = newScan();
  const abs = path.posix.resolve(wd, entryWord);
  const entry = entryWord === '.' || entryWord === './' ? resolvePackageMain(abs, res) : resolveNodeFile(abs, res);
  if (!entry) {
    return unknown('node', `${entryWord} is not in the build context stopcheck can see, so it cannot tell whether the app handles ${sig}.`);
  }
  if (/\.(c|m)?tsx?$/.test(entry.imagePath)) {
    return unknown('node', `${display(entry.imagePath, wd)} is TypeScript, which stopcheck does not analyse.`);
  }
  for (const p of preloads) {
    if (p.startsWith('.') || p.startsWith('/')) {
      const f = resolveNodeFile(path.posix.resolve(wd, p), res);
      if (f) scanNodeFile(scan, f.imagePath, f.src, 1, res);
      else addGap(scan, `the preloaded ${p} is not in the build context`);
    } else {
      notePackage(scan, p);
    }
  }
  scanNodeFile(scan, entry.imagePath, entry.src, 0, res);
  return conclude('node', scan, sig, entry.imagePath, wd, [],
    `Node's built-in handler re-raises ${sig}, which PID 1 ignores, so node runs until SIGKILL (measured).`);
}

function notePackage(scan: Scan, spec: string): void {
  const bare = spec.replace(/^node:/, '');
  const parts = bare.split('/');
  const pkg = bare.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
  if (spec.startsWith('node:') || NODE_BUILTIN.has(pkg)) return;
  if (NODE_HANDLER_LIBS.has(pkg)) scan.handlerLibraries.add(pkg);
  else scan.libraries.add(pkg);
}

interface Found { imagePath: string; src: AppSource }

function resolveNodeFile(abs: string, res: Resolve): Found | undefined {
  for (const c of [abs, `${abs}.js`, `${abs}.cjs`, `${abs}.mjs`]) {
    const src = res(c);
    if (src) return { imagePath: c, src };
  }
  return resolvePackageMain(abs, res);
}

/** A directory as node loads it: package.json "main", else index.js. */
function resolvePackageMain(dir: string, res: Resolve): Found | undefined {
  const pkg = res(path.posix.join(dir, 'package.json'));
  if (pkg) {
    try {
      const main = (JSON.parse(pkg.text) as { main?: unknown }).main;
      if (typeof main === 'string' && main) {
        const m = path.posix.resolve(dir, main);
        for (const c of [m, `${m}.js`, `${m}.cjs`, `${m}.mjs`, path.posix.join(m, 'index.js')]) {
          const src = res(c);
          if (src) return { imagePath: c, src };
        }
      }
    } catch {
      // a broken package.json: fall back to index.js like node does
    }
  }
  for (const c of ['index.js', 'index.cjs', 'index.mjs'].map((f) => path.posix.join(dir, f))) {
    const src = res(c);
    if (src) return { imagePath: c, src };
  }
  return undefined;
}

type JsNode = acorn.AnyNode;

function parseJs(text: string): acorn.Program | undefined {
  const common = { ecmaVersion: 'latest' as const, allowHashBang: true, locations: false };
  try {
    return acorn.parse(text, { ...common, sourceType: 'module' });
  } catch {
    try {
      return acorn.parse(text, { ...common, sourceType: 'script', allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true });
    } catch {
      return undefined;
    }
  }
}

function scanNodeFile(scan: Scan, imagePath: string, src: AppSource, depth: number, res: Resolve): void {
  if (!admit(scan, imagePath, src, depth)) return;
  if (/\.json$/.test(imagePath)) return;
  const ast = parseJs(src.text);
  if (!ast) {
    addGap(scan, `${base(imagePath)} does not parse as JavaScript`);
    return;
  }
  const text = src.text;
  const decls = new Map<string, JsNode>();
  const processNames = new Set(['process']);
  const listenNames = new Map<string, string>();
  const imports: Array<{ spec: string }> = [];
  const calls: Array<{ node: acorn.CallExpression; ancestors: JsNode[] }> = [];

  const addImport = (spec: string) => imports.push({ spec });
  walk.ancestor(ast, {
    VariableDeclarator(node) {
      if (node.id.type === 'Identifier' && node.init && !decls.has(node.id.name)) decls.set(node.id.name, node.init);
      // const proc = require('process')
      if (node.id.type === 'Identifier' && node.init && isRequireOf(node.init, ['process', 'node:process'])) processNames.add(node.id.name);
      if (node.id.type === 'ObjectPattern' && node.init && (isRequireOf(node.init, ['process', 'node:process']) || isProcessExpr(node.init, processNames))) {
        for (const p of node.id.properties) {
          if (p.type === 'Property' && p.key.type === 'Identifier' && NODE_LISTEN.has(p.key.name) && p.value.type === 'Identifier') listenNames.set(p.value.name, p.key.name);
        }
      }
    },
    ImportDeclaration(node) {
      const spec = String(node.source.value);
      addImport(spec);
      if (spec === 'process' || spec === 'node:process') {
        for (const s of node.specifiers) {
          if (s.type !== 'ImportSpecifier') processNames.add(s.local.name);
          else if (s.imported.type === 'Identifier' && NODE_LISTEN.has(s.imported.name)) listenNames.set(s.local.name, s.imported.name);
        }
      }
    },
    ExportNamedDeclaration(node) {
      if (node.source) addImport(String(node.source.value));
    },
    ExportAllDeclaration(node) {
      addImport(String(node.source.value));
    },
    ImportExpression(node) {
      const v = staticString(node.source);
      if (v !== undefined) addImport(v);
      else addGap(scan, `${base(imagePath)} imports a module whose name is computed`);
    },
    CallExpression(node, _state, ancestors) {
      const callee = node.callee;
      if (callee.type === 'Identifier' && callee.name === 'require' && node.arguments.length >= 1) {
        const v = staticString(node.arguments[0]);
        if (v !== undefined) addImport(v);
        else addGap(scan, `${base(imagePath)} calls require() with a computed path`);
        return;
      }
      calls.push({ node, ancestors: [...ancestors] });
    },
  });

  for (const { node, ancestors } of calls) {
    const callee = node.callee.type === 'ChainExpression' ? node.callee.expression : node.callee;
    let method: string | undefined;
    if (callee.type === 'MemberExpression' && !callee.computed && callee.property.type === 'Identifier') {
      if (NODE_LISTEN.has(callee.property.name) && isProcessExpr(callee.object, processNames)) method = callee.property.name;
      else if (callee.property.name === 'enableShutdownHooks') {
        nestHooks(scan, node, text, src.file, imagePath, decls, ancestors);
        continue;
      }
    } else if (callee.type === 'Identifier' && listenNames.has(callee.name)) {
      method = listenNames.get(callee.name);
    }
    if (!method || node.arguments.length < 2) continue;
    const ev = evalStrings(node.arguments[0], decls, ancestors, 0);
    const signals = ev.values.filter((v) => /^SIG[A-Z0-9+-]+$/.test(v));
    if (signals.length === 0 && ev.complete) continue; // 'exit', 'uncaughtException', …
    const first = node.arguments[0];
    scan.regs.push({
      signals, kind: 'handler', partial: !ev.complete,
      evidence: { file: src.file, range: rangeOf(text, node.start, first.end) },
      call: `process.${method}`, imagePath, line: posAt(text, node.start).line + 1,
    });
  }

  for (const { spec } of imports) {
    if (spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..' || spec.startsWith('/')) {
      const target = spec.startsWith('/') ? spec : path.posix.resolve(path.posix.dirname(imagePath), spec);
      if (/\.(c|m)?tsx?$/.test(target)) {
        addGap(scan, `${spec} is TypeScript, which stopcheck does not analyse`);
        continue;
      }
      const f = resolveNodeFile(target, res);
      if (!f) {
        addGap(scan, `${spec} (imported by ${base(imagePath)}) is not in the build context`);
        continue;
      }
      scanNodeFile(scan, f.imagePath, f.src, depth + 1, res);
    } else if (spec.startsWith('#')) {
      addGap(scan, `${spec} is a package.json subpath import, which stopcheck does not follow`);
    } else if (spec.startsWith('file:')) {
      addGap(scan, `${spec} is a file: URL import, which stopcheck does not follow`);
    } else {
      notePackage(scan, spec);
    }
  }
}

/** NestJS `app.enableShutdownHooks()` listens to every termination signal (or the listed ones). */
function nestHooks(scan: Scan, node: acorn.CallExpression, text: string, file: string, imagePath: string, decls: Map<string, JsNode>, ancestors: JsNode[]): void {
  const ALL = ['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGILL', 'SIGTRAP', 'SIGABRT', 'SIGBUS', 'SIGFPE', 'SIGSEGV', 'SIGUSR2', 'SIGTERM'];
  let signals = ALL;
  let complete = true;
  if (node.arguments.length > 0) {
    const ev = evalStrings(node.arguments[0], decls, ancestors, 0);
    signals = ev.values.length === 0 && ev.complete ? ALL : ev.values;
    complete = ev.complete;
  }
  scan.regs.push({ signals, kind: 'handler', partial: !complete, evidence: { file, range: rangeOf(text, node.start, node.end) },
    call: 'enableShutdownHooks', imagePath, line: posAt(text, node.start).line + 1, extra: '(NestJS then listens to the termination signals)' });
}

function isRequireOf(n: JsNode, names: string[]): boolean {
  return n.type === 'CallExpression' && n.callee.type === 'Identifier' && n.callee.name === 'require' && n.arguments.length === 1
    && names.includes(staticString(n.arguments[0]) ?? '');
}

function isProcessExpr(n: JsNode, names: Set<string>): boolean {
  if (n.type === 'Identifier') return names.has(n.name);
  if (n.type === 'MemberExpression' && !n.computed && n.property.type === 'Identifier' && n.property.name === 'process') {
    return n.object.type === 'Identifier' && ['global', 'globalThis', 'window', 'self'].includes(n.object.name);
  }
  return false;
}

function staticString(n: JsNode): string | undefined {
  if (n.type === 'Literal' && typeof n.value === 'string') return n.value;
  if (n.type === 'TemplateLiteral' && n.expressions.length === 0) return n.quasis[0].value.cooked ?? undefined;
  return undefined;
}

interface Strings { values: string[]; complete: boolean }

/** The string values an expression can have, as far as a few static rules tell. */
function evalStrings(n: JsNode, decls: Map<string, JsNode>, ancestors: JsNode[], depth: number): Strings {
  const none: Strings = { values: [], complete: false };
  if (depth > 6) return none;
  const s = staticString(n);
  if (s !== undefined) return { values: [s], complete: true };
  switch (n.type) {
    case 'ArrayExpression': {
      const out: Strings = { values: [], complete: true };
      for (const e of n.elements) {
        if (!e) continue;
        const r = e.type === 'SpreadElement' ? evalStrings(e.argument, decls, ancestors, depth + 1) : evalStrings(e, decls, ancestors, depth + 1);
        out.values.push(...r.values);
        out.complete &&= r.complete;
      }
      return out;
    }
    case 'ConditionalExpression': {
      const a = evalStrings(n.consequent, decls, ancestors, depth + 1);
      const b = evalStrings(n.alternate, decls, ancestors, depth + 1);
      return { values: [...a.values, ...b.values], complete: a.complete && b.complete };
    }
    case 'MemberExpression':
      // ShutdownSignal.SIGTERM, Signals.SIGTERM
      if (!n.computed && n.property.type === 'Identifier' && /^SIG[A-Z0-9]+$/.test(n.property.name)) return { values: [n.property.name], complete: true };
      return none;
    case 'Identifier': {
      const bound = loopBinding(n.name, ancestors);
      if (bound === 'param') return none;
      if (bound) return evalStrings(bound, decls, [], depth + 1);
      const d = decls.get(n.name);
      if (d) return evalStrings(d, decls, [], depth + 1);
      return none;
    }
    default:
      return none;
  }
}

/**
 * `for (const s of LIST)` or `LIST.forEach((s) => …)` around the use: the LIST expression; 'param' when the name
 * is a parameter of some other enclosing function (its value is not known here).
 */
function loopBinding(name: string, ancestors: JsNode[]): JsNode | 'param' | undefined {
  for (let k = ancestors.length - 1; k >= 0; k--) {
    const a = ancestors[k];
    if (a.type === 'ForOfStatement') {
      const left = a.left;
      const id = left.type === 'VariableDeclaration' ? left.declarations[0]?.id : left;
      if (id && id.type === 'Identifier' && id.name === name) return a.right;
    }
    if ((a.type === 'ArrowFunctionExpression' || a.type === 'FunctionExpression') && a.params[0]?.type === 'Identifier' && a.params[0].name === name) {
      const call = ancestors[k - 1];
      if (call && call.type === 'CallExpression' && call.arguments[0] === a && call.callee.type === 'MemberExpression'
        && call.callee.property.type === 'Identifier' && ['forEach', 'map'].includes(call.callee.property.name)) {
        return call.callee.object;
      }
      return 'param';
    }
    if ((a.type === 'FunctionDeclaration' || a.type === 'ArrowFunctionExpression' || a.type === 'FunctionExpression')
      && a.params.some((p) => p.type === 'Identifier' && p.name === name)) return 'param';
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------
// Python

let pyParser: TSParser | undefined;
let pyInit: Promise<void> | undefined;
/** Why the Python grammar could not be loaded (its apps are then reported as not analysed). */
let pyFailure: string | undefined;

/** The Python parser, or GrammarNotLoaded until it has been loaded (undefined if loading failed). */
function pythonParser(): TSParser | undefined {
  if (pyParser) return pyParser;
  if (pyFailure !== undefined) return undefined;
  throw new GrammarNotLoaded('python');
}

/**
 * Loads the Python grammar (tree-sitter-python's wasm) once. Call it before appHandler() is asked about a
 * Python app; until it has finished, Python sources are reported as not analysed. Nothing is loaded at import.
 */
export function initPythonParser(): Promise<void> {
  if (!pyInit) {
    pyInit = (async () => {
      await initShellParser(); // initialises the web-tree-sitter runtime
      const here = __dirname;
      const wasm = [path.join(here, 'tree-sitter-python.wasm'), path.join(here, 'wasm', 'tree-sitter-python.wasm'), nodeModule('tree-sitter-python/tree-sitter-python.wasm')]
        .find((c) => fs.existsSync(c));
      if (!wasm) throw new Error('stopcheck: cannot find tree-sitter-python.wasm');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const TS = require('web-tree-sitter') as typeof import('web-tree-sitter');
      const lang = await TS.Language.load(fs.readFileSync(wasm));
      const p = new TS.Parser();
      p.setLanguage(lang);
      pyParser = p;
    })();
    pyInit.catch((e: unknown) => {
      pyFailure = (e as Error).message;
      console.error(`stopcheck: Python sources will not be analysed: ${pyFailure}`);
    });
  }
  return pyInit;
}
registerGrammar('python', () => initPythonParser().catch(() => undefined));

/** Both grammars: the shell's, and Python's for reading apps (a missing Python grammar only makes Python apps "unknown"). */
export async function initParsers(): Promise<void> {
  await initShellParser();
  await initPythonParser().catch(() => undefined); // reported by initPythonParser
}

export function pythonParserReady(): boolean {
  return pyParser !== undefined;
}

/** Top-level Python packages that install stop-signal handlers of their own when their server/worker runs. */
const PY_HANDLER_LIBS = new Set(['celery', 'django', 'twisted', 'sanic', 'gunicorn', 'hypercorn', 'uvicorn', 'aiohttp', 'daphne', 'dramatiq',
  'rq', 'faust', 'kopf', 'scrapy', 'arq', 'huey', 'discord', 'telegram', 'aiogram', 'werkzeug']);

/** Calls of known libraries that install SIGINT + SIGTERM handlers (documented). */
const PY_SERVER_CALLS: Array<{ module: string; fn: string; signals: string[]; what: string }> = [
  { module: 'uvicorn', fn: 'run', signals: ['SIGINT', 'SIGTERM'], what: 'uvicorn.run' },
  { module: 'aiohttp.web', fn: 'run_app', signals: ['SIGINT', 'SIGTERM'], what: 'aiohttp web.run_app' },
];

function pythonApp(argv: string[], sig: string, res: Resolve, wd: string): HandlerVerdict {
  let i = 1;
  let module: string | undefined;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      i++;
      break;
    }
    if (!a.startsWith('-') || a === '-') break;
    if (a.startsWith('--')) {
      if (a === '--check-hash-based-pycs') i++;
      continue;
    }
    // Combined short options: -uB, -Wignore, -X dev, -m pkg, -um pkg
    for (let k = 1; k < a.length; k++) {
      const c = a[k];
      if (c === 'c') return unknown('python', 'python -c runs a command string, not a program file stopcheck can read.', PY_DEFAULT);
      if (c === 'm' || c === 'W' || c === 'X') {
        const v = k + 1 < a.length ? a.slice(k + 1) : argv[++i];
        if (c === 'm') module = v ?? '';
        break;
      }
    }
    if (module !== undefined) break;
  }
  if (module === '') return unknown('python', 'python -m without a module name cannot start.', PY_DEFAULT);
  if (module !== undefined) {
    const top = module.split('.')[0];
    const server = serverOf(top);
    if (server) return serverVerdict(server, sig, `python -m ${module} runs ${server.program}: `);
    return pythonModule(module, sig, res, wd);
  }
  const entryWord = argv[i];
  if (entryWord === undefined || entryWord === '-') return unknown('python', 'python without a program file starts a REPL or reads stdin; stopcheck cannot tell what runs.', PY_DEFAULT);
  const abs = path.posix.resolve(wd, entryWord);
  let src = res(abs);
  let imagePath = abs;
  if (!src) {
    // a directory or zip with __main__.py
    const m = path.posix.join(abs, '__main__.py');
    src = res(m);
    imagePath = m;
  }
  if (!src) return withDefaults(sig, `${entryWord} is not in the build context stopcheck can see, so it cannot tell whether the app handles ${sig}.`);
  if (!pythonParser()) return withDefaults(sig, `the Python parser could not be loaded, so ${display(imagePath, wd)} was not analysed.`);
  const scan = newScan();
  scanPythonFile(scan, imagePath, src, 0, res, [path.posix.dirname(imagePath), wd]);
  return concludePython(scan, sig, imagePath, wd);
}

function withDefaults(sig: string, note: string): HandlerVerdict {
  if (PY_DEFAULT.includes(sig)) {
    return { runtime: 'python', handler: 'yes', defaultGraceful: PY_DEFAULT,
      note: `Python turns ${sig} into KeyboardInterrupt, which unwinds the program and exits, also as PID 1 (measured); ${note}` };
  }
  return unknown('python', note, PY_DEFAULT);
}

function pythonModule(module: string, sig: string, res: Resolve, wd: string): HandlerVerdict {
  const parts = module.split('.');
  const dir = path.posix.join(wd, ...parts);
  const candidates = [path.posix.join(dir, '__main__.py'), `${dir}.py`];
  let found: Found | undefined;
  for (const c of candidates) {
    const src = res(c);
    if (src) {
      found = { imagePath: c, src };
      break;
    }
  }
  if (!found) {
    return withDefaults(sig, `the module ${module} is not in the build context stopcheck can see (an installed package?), so it cannot tell whether it handles ${sig}.`);
  }
  if (!pythonParser()) return withDefaults(sig, `the Python parser could not be loaded, so ${display(found.imagePath, wd)} was not analysed.`);
  const scan = newScan();
  const roots = [wd];
  // `python -m a.b` imports the packages a and a.b first.
  for (let k = 1; k <= parts.length; k++) {
    const init = path.posix.join(wd, ...parts.slice(0, k), '__init__.py');
    const s = res(init);
    if (s) scanPythonFile(scan, init, s, 1, res, roots);
  }
  scanPythonFile(scan, found.imagePath, found.src, 0, res, roots);
  return concludePython(scan, sig, found.imagePath, wd);
}

function concludePython(scan: Scan, sig: string, entry: string, wd: string): HandlerVerdict {
  return conclude('python', scan, sig, entry, wd, PY_DEFAULT,
    `Python keeps the default action for ${sig}, which PID 1 ignores, so it runs until SIGKILL (measured)${sig === 'SIGINT' ? '' : '; SIGINT would raise KeyboardInterrupt'}.`);
}

/** Signal names a Python expression stands for. */
interface PyCtx {
  signalModules: Set<string>;
  signalFuncs: Set<string>;
  /** `from signal import SIGTERM as T` */
  signalNames: Map<string, string>;
  /** module-level NAME = expr */
  assigns: Map<string, TSNode>;
  /** local names bound to known server functions (from uvicorn import run) */
  serverFuncs: Map<string, (typeof PY_SERVER_CALLS)[number]>;
  /** names bound to modules: import aiohttp.web as web, from aiohttp import web */
  moduleAliases: Map<string, string>;
  sigIgn: Set<string>;
  sigDfl: Set<string>;
}

/** Reads one Python file: its signal registrations, then (within the limits) the project modules it imports. */
function scanPythonFile(scan: Scan, imagePath: string, src: AppSource, depth: number, res: Resolve, roots: string[]): void {
  const py = pythonParser();
  if (!py || !admit(scan, imagePath, src, depth)) return;
  const tree = py.parse(src.text);
  if (!tree) {
    addGap(scan, `${base(imagePath)} could not be parsed`);
    return;
  }
  const imports: Array<{ module: string; level: number; names: string[] }> = [];
  try {
    const root = tree.rootNode;
    if (root.hasError) addGap(scan, `${base(imagePath)} has syntax errors`);
    const ctx: PyCtx = { signalModules: new Set(), signalFuncs: new Set(), signalNames: new Map(), assigns: new Map(), serverFuncs: new Map(),
      moduleAliases: new Map(), sigIgn: new Set(['SIG_IGN']), sigDfl: new Set(['SIG_DFL']) };
    // Pass 1: imports and module-level assignments.
    for (const n of descendants(root)) {
      if (n.type === 'import_statement') {
        for (const c of n.namedChildren) {
          if (!c) continue;
          const [name, alias] = c.type === 'aliased_import' ? [c.childForFieldName('name')?.text ?? '', c.childForFieldName('alias')?.text] : [c.text, undefined];
          if (!name) continue;
          imports.push({ module: name, level: 0, names: [] });
          if (name === 'signal') ctx.signalModules.add(alias ?? 'signal');
          ctx.moduleAliases.set(alias ?? name.split('.')[0], alias ? name : name.split('.')[0]);
        }
      } else if (n.type === 'import_from_statement') {
        const modNode = n.childForFieldName('module_name');
        const modText = modNode?.text ?? '';
        const level = /^\.*/.exec(modText)?.[0].length ?? 0;
        const module = modText.slice(level);
        const names: string[] = [];
        for (const c of n.childrenForFieldName('name')) {
          if (!c) continue;
          const [name, alias] = c.type === 'aliased_import' ? [c.childForFieldName('name')?.text ?? '', c.childForFieldName('alias')?.text] : [c.text, undefined];
          names.push(name);
          const local = alias ?? name;
          if (module === 'signal' && level === 0) {
            if (name === 'signal') ctx.signalFuncs.add(local);
            else if (/^SIG[A-Z0-9]+$/.test(name) && name !== 'SIG_IGN' && name !== 'SIG_DFL') ctx.signalNames.set(local, name);
            else if (name === 'SIG_IGN') ctx.sigIgn.add(local);
            else if (name === 'SIG_DFL') ctx.sigDfl.add(local);
          }
          if (level === 0) {
            const full = `${module}.${name}`;
            const sc = PY_SERVER_CALLS.find((s) => s.module === module && s.fn === name);
            if (sc) ctx.serverFuncs.set(local, sc);
            ctx.moduleAliases.set(local, full);
          }
        }
        if (n.namedChildren.some((c) => c?.type === 'wildcard_import') && module === 'signal') ctx.signalFuncs.add('signal');
        imports.push({ module, level, names });
      } else if (n.type === 'assignment' && n.parent?.parent?.type === 'module') {
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        if (left?.type === 'identifier' && right && !ctx.assigns.has(left.text)) ctx.assigns.set(left.text, right);
      }
    }
    // Pass 2: calls.
    for (const n of descendants(root)) {
      if (n.type !== 'call') continue;
      const fn = n.childForFieldName('function');
      const args = n.childForFieldName('arguments');
      if (!fn || !args) continue;
      const argList = args.namedChildren.filter((a): a is TSNode => !!a && a.type !== 'comment');
      const positional = argList.filter((a) => a.type !== 'keyword_argument');
      const line = n.startPosition.row + 1;
      const evidence = (endNode: TSNode) => ({ file: src.file, range: rangeOf(src.text, n.startIndex, endNode.endIndex) });
      // importlib.import_module(x) / __import__(x)
      if (fn.text === 'importlib.import_module' || fn.text === 'import_module' || fn.text === '__import__') {
        const s = positional[0] ? pyString(positional[0]) : undefined;
        if (s !== undefined && !s.startsWith('.')) imports.push({ module: s, level: 0, names: [] });
        else addGap(scan, `${base(imagePath)} imports a module whose name is computed (line ${line})`);
        continue;
      }
      const isSignalCall = (fn.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'signal' && ctx.signalModules.has(fn.childForFieldName('object')?.text ?? ''))
        || (fn.type === 'identifier' && ctx.signalFuncs.has(fn.text));
      const isLoopHandler = fn.type === 'attribute' && fn.childForFieldName('attribute')?.text === 'add_signal_handler';
      if ((isSignalCall && positional.length >= 2) || (isLoopHandler && positional.length >= 1)) {
        const ev = pySignals(positional[0], ctx, 0);
        if (ev.values.length === 0 && ev.complete) continue;
        let kind: Registration['kind'] = 'handler';
        if (isSignalCall) {
          const h = positional[1];
          const hName = h.type === 'attribute' ? h.childForFieldName('attribute')?.text ?? '' : h.text;
          if ((h.type === 'attribute' && hName === 'SIG_IGN') || (h.type === 'identifier' && ctx.sigIgn.has(hName))) kind = 'ignore';
          else if ((h.type === 'attribute' && hName === 'SIG_DFL') || (h.type === 'identifier' && ctx.sigDfl.has(hName))) kind = 'default';
        }
        const label = fn.text.length <= 40 && !fn.text.includes('\n') ? fn.text : isLoopHandler ? '….add_signal_handler' : 'signal.signal';
        scan.regs.push({ signals: ev.values, kind, partial: !ev.complete, evidence: evidence(positional[0]),
          call: label, imagePath, line });
        continue;
      }
      // uvicorn.run(app), web.run_app(app)
      let sc: (typeof PY_SERVER_CALLS)[number] | undefined;
      if (fn.type === 'identifier') sc = ctx.serverFuncs.get(fn.text);
      else if (fn.type === 'attribute') {
        const obj = fn.childForFieldName('object')?.text ?? '';
        const attr = fn.childForFieldName('attribute')?.text ?? '';
        const mod = ctx.moduleAliases.get(obj) ?? obj;
        sc = PY_SERVER_CALLS.find((s) => s.module === mod && s.fn === attr);
      }
      if (sc) {
        scan.regs.push({ signals: sc.signals, kind: 'handler', evidence: evidence(fn),
          call: sc.what, imagePath, line, extra: `(it installs handlers for ${sc.signals.join(' and ')})` });
      }
    }
  } finally {
    tree.delete();
  }
  // Follow imports.
  // A module's package is its directory (for a/__init__.py as for a/b.py).
  const here = path.posix.dirname(imagePath);
  for (const imp of imports) {
    if (imp.level > 0) {
      let dir = here;
      for (let k = 1; k < imp.level; k++) dir = path.posix.dirname(dir);
      const modDir = imp.module ? path.posix.join(dir, ...imp.module.split('.')) : dir;
      const mod = imp.module ? findPyModule(modDir, res) : undefined;
      if (imp.module && !mod) {
        addGap(scan, `the relative import .${imp.module} (in ${base(imagePath)}) is not in the build context`);
        continue;
      }
      if (mod) scanPythonFile(scan, mod.imagePath, mod.src, depth + 1, res, roots);
      for (const name of imp.names) {
        const sub = findPyModule(path.posix.join(modDir, name), res);
        if (sub) scanPythonFile(scan, sub.imagePath, sub.src, depth + 1, res, roots);
      }
      if (!imp.module && imp.names.length > 0 && !imp.names.some((n) => findPyModule(path.posix.join(modDir, n), res)) && !res(path.posix.join(modDir, '__init__.py'))) {
        addGap(scan, `from . import ${imp.names.join(', ')} (in ${base(imagePath)}) is not in the build context`);
      }
      continue;
    }
    const parts = imp.module.split('.');
    let found = false;
    for (const r of roots) {
      const mod = findPyModule(path.posix.join(r, ...parts), res);
      if (!mod) continue;
      found = true;
      // parent packages run their __init__ first
      for (let k = 1; k < parts.length; k++) {
        const init = path.posix.join(r, ...parts.slice(0, k), '__init__.py');
        const s = res(init);
        if (s) scanPythonFile(scan, init, s, depth + 1, res, roots);
      }
      scanPythonFile(scan, mod.imagePath, mod.src, depth + 1, res, roots);
      for (const name of imp.names) {
        const sub = findPyModule(path.posix.join(r, ...parts, name), res);
        if (sub) scanPythonFile(scan, sub.imagePath, sub.src, depth + 1, res, roots);
      }
      break;
    }
    if (!found && parts[0]) {
      if (PY_HANDLER_LIBS.has(parts[0])) scan.handlerLibraries.add(parts[0]);
      else if (!PY_STDLIB.has(parts[0])) {
        scan.libraries.add(parts[0]);
      }
    }
  }
}

function findPyModule(p: string, res: Resolve): Found | undefined {
  const init = path.posix.join(p, '__init__.py');
  const s1 = res(init);
  if (s1) return { imagePath: init, src: s1 };
  const s2 = res(`${p}.py`);
  if (s2) return { imagePath: `${p}.py`, src: s2 };
  return undefined;
}

function* descendants(n: TSNode): Generator<TSNode> {
  const cursor = n.walk();
  try {
    let done = false;
    while (!done) {
      yield cursor.currentNode;
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) {
        if (!cursor.gotoParent()) {
          done = true;
          break;
        }
      }
    }
  } finally {
    cursor.delete();
  }
}

function pyString(n: TSNode): string | undefined {
  if (n.type !== 'string') return undefined;
  if (n.namedChildren.some((c) => c?.type === 'interpolation')) return undefined;
  const content = n.namedChildren.filter((c) => c?.type === 'string_content').map((c) => c!.text).join('');
  return content;
}

function pySignals(n: TSNode, ctx: PyCtx, depth: number): Strings {
  const none: Strings = { values: [], complete: false };
  if (depth > 6) return none;
  switch (n.type) {
    case 'attribute': {
      const attr = n.childForFieldName('attribute')?.text ?? '';
      if (/^SIG[A-Z0-9]+$/.test(attr)) return { values: [attr], complete: true };
      return none;
    }
    case 'string': {
      // getattr(signal, "SIGTERM") with the name written as a string
      const v = pyString(n);
      return v !== undefined && /^SIG[A-Z0-9]+$/.test(v) ? { values: [v], complete: true } : none;
    }
    case 'call': {
      const f = n.childForFieldName('function');
      const args = n.childForFieldName('arguments')?.namedChildren.filter((a): a is TSNode => !!a && a.type !== 'comment') ?? [];
      if (f?.text === 'getattr' && args.length >= 2 && ctx.signalModules.has(args[0].text)) return pySignals(args[1], ctx, depth + 1);
      return none;
    }
    case 'integer': {
      const p = parseSignal(n.text);
      return p.ok ? { values: [p.name], complete: true } : none;
    }
    case 'identifier': {
      const name = n.text;
      const mapped = ctx.signalNames.get(name);
      if (mapped) return { values: [mapped], complete: true };
      if (/^SIG[A-Z0-9]+$/.test(name) && ctx.signalFuncs.size + ctx.signalNames.size > 0) return { values: [name], complete: true };
      // for sig in (signal.SIGTERM, signal.SIGINT): …
      for (let p: TSNode | null = n.parent; p; p = p.parent) {
        if (p.type === 'for_statement' && p.childForFieldName('left')?.text === name) {
          const right = p.childForFieldName('right');
          return right ? pySignals(right, ctx, depth + 1) : none;
        }
        if (p.type === 'function_definition' || p.type === 'lambda') {
          const params = p.childForFieldName('parameters');
          if (params?.namedChildren.some((c) => c?.text === name)) return none;
        }
      }
      const a = ctx.assigns.get(name);
      return a ? pySignals(a, ctx, depth + 1) : none;
    }
    case 'tuple': case 'list': case 'set': case 'parenthesized_expression': case 'expression_list': {
      const out: Strings = { values: [], complete: true };
      for (const c of n.namedChildren) {
        if (!c || c.type === 'comment') continue;
        const r = pySignals(c, ctx, depth + 1);
        out.values.push(...r.values);
        out.complete &&= r.complete;
      }
      return out;
    }
    default:
      return none;
  }
}

/** Standard library top-level modules (Python 3.12, trimmed to what apps import): not "libraries not read". */
const PY_STDLIB = new Set(['__future__', 'abc', 'argparse', 'array', 'ast', 'asyncio', 'atexit', 'base64', 'binascii', 'bisect', 'builtins',
  'bz2', 'calendar', 'cmath', 'codecs', 'collections', 'concurrent', 'configparser', 'contextlib', 'contextvars', 'copy', 'csv', 'ctypes',
  'dataclasses', 'datetime', 'decimal', 'difflib', 'dis', 'email', 'enum', 'errno', 'faulthandler', 'fcntl', 'filecmp', 'fnmatch',
  'fractions', 'functools', 'gc', 'getopt', 'getpass', 'gettext', 'glob', 'graphlib', 'grp', 'gzip', 'hashlib', 'heapq', 'hmac', 'html',
  'http', 'imaplib', 'importlib', 'inspect', 'io', 'ipaddress', 'itertools', 'json', 'keyword', 'linecache', 'locale', 'logging', 'lzma',
  'mailbox', 'math', 'mimetypes', 'mmap', 'multiprocessing', 'numbers', 'operator', 'os', 'pathlib', 'pickle', 'pkgutil', 'platform',
  'plistlib', 'poplib', 'posixpath', 'pprint', 'profile', 'pwd', 'queue', 'random', 're', 'resource', 'sched', 'secrets', 'select',
  'selectors', 'shelve', 'shlex', 'shutil', 'signal', 'site', 'smtplib', 'socket', 'socketserver', 'sqlite3', 'ssl', 'stat', 'statistics',
  'string', 'struct', 'subprocess', 'sys', 'sysconfig', 'syslog', 'tarfile', 'tempfile', 'textwrap', 'threading', 'time', 'timeit',
  'tomllib', 'traceback', 'tracemalloc', 'types', 'typing', 'unicodedata', 'unittest', 'urllib', 'uuid', 'warnings', 'weakref', 'wsgiref',
  'xml', 'xmlrpc', 'zipfile', 'zipimport', 'zlib', 'zoneinfo']);

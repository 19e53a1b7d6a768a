// What the program at the end of a launch chain does with a signal, read from the build context:
// runtime.ts (appHandler) reads Node.js and Python sources through the Dockerfile's COPY/ADD, and a
// binary that a build stage made with `go build -o` is known to be Go. Only files of the build context
// are read, through the same FileAccess as start scripts (never outside the context).
import * as path from 'path';
import type { FileAccess } from './types';
import type { AppFacts, AppHandling } from './chain';
import { stageFilesMemoOf, type DockerfileModel, type Stage } from './dockerfile';
import { builtInStage, resolveImagePath, stageFiles, type StageFiles } from './context';
import { appHandler, GO_EXITS_ON, type AppSource } from './runtime';
import { parseSignal } from './signals';

const PATH_DIRS = ['/usr/local/bin/', '/usr/local/sbin/', '/usr/bin/', '/bin/', '/usr/sbin/', '/sbin/'];

/** Image path → build-context file, for reading the app's code (no assumptions noted: most lookups are probes). */
export function appResolver(model: DockerfileModel, stage: Stage, files: FileAccess, contextDir: string, memo: Map<Stage, StageFiles>): (imagePath: string) => AppSource | undefined {
  return (imagePath) => {
    const r = resolveImagePath(model, stage, imagePath, contextDir, files, memo);
    // Heredocs (`COPY <<EOF /app/server.js`) are left out: positions in them would not be file positions.
    return r && r.kind === 'file' ? { file: r.file, text: r.text } : undefined;
  };
}

/** The AppFacts callback of a chain whose image is built from `stage` of `model`. */
export function appFactsFor(model: DockerfileModel, stage: Stage, files: FileAccess | undefined, contextDir?: string): AppFacts {
  const ctxDir = contextDir ?? path.dirname(model.file);
  const memo = stageFilesMemoOf(model);
  // Without file access nothing is read: runtimes known by name (java, ruby, servers) still count.
  const resolve = files ? appResolver(model, stage, files, ctxDir, memo) : () => undefined;
  return (argv, signal) => {
    if (argv.length === 0) return undefined;
    const workdir = stageFiles(model, stage, memo).workdir;
    const v = appHandler(argv, signal, resolve, workdir);
    if (v.runtime !== 'unknown' && v.runtime !== 'shell') {
      const evidence = v.evidence ? { file: v.evidence.file, range: v.evidence.range } : undefined;
      return {
        runtime: v.runtime, handler: v.handler, note: v.note, evidence, defaultGraceful: v.defaultGraceful,
        byDefault: v.handler === 'yes' && !evidence && v.runtime !== 'server', codeRead: v.codeRead, keepsRunning: v.keepsRunning,
      };
    }
    const go = goBuild(model, stage, argv[0], workdir, files, ctxDir, memo);
    if (go) return goHandling(argv[0], signal, go);
    return undefined;
  };
}

function goHandling(program: string, signal: string, go: { line: number }): AppHandling {
  const p = parseSignal(signal);
  const sig = p.ok ? p.name : signal;
  const exits = GO_EXITS_ON.includes(sig);
  const name = program.split('/').pop() ?? program;
  return {
    runtime: 'go', handler: 'unknown', byDefault: false, exitsAtOnce: exits, defaultGraceful: [],
    note: exits
      ? `${name} is a Go program (\`go build\` on line ${go.line + 1}): on ${sig} the Go runtime exits at once, also as PID 1, unless the program handles it with signal.Notify — without a handler no deferred cleanup runs (measured with Go 1.19).`
      : `${name} is a Go program (\`go build\` on line ${go.line + 1}); stopcheck does not know what it does with ${sig}.`,
  };
}

/**
 * Whether the program `word` is the output of a `go build -o` in the stage that produces it (the final
 * stage itself, or a build stage it copies the binary from). Returns the RUN's line.
 */
export function goBuild(model: DockerfileModel, stage: Stage, word: string, workdir: string, files: FileAccess | undefined, contextDir: string,
  memo: Map<Stage, StageFiles>): { line: number } | undefined {
  // Most Dockerfiles build no Go at all: then there is nothing to look up.
  if (!/\bgo(?:\s|\\)+build\b/.test(model.text)) return undefined;
  const candidates = word.includes('/') ? [path.posix.resolve(workdir, word)] : PATH_DIRS.map((d) => d + word);
  for (const c of candidates) {
    const built = builtInStage(model, stage, c, files, contextDir, memo);
    if (!built) continue;
    const hit = goBuildIn(built.stage, built.path);
    if (hit) return hit;
  }
  return undefined;
}

/** goBuildIn's answers: they depend only on the stage's instructions, which a parsed Dockerfile keeps. */
const goBuildMemo = new WeakMap<Stage, Map<string, { line: number } | undefined>>();

/** A RUN of `stage` (or a stage it is built FROM) with `go build … -o OUT` where OUT is `target`. */
function goBuildIn(stage: Stage, target: string): { line: number } | undefined {
  let m = goBuildMemo.get(stage);
  if (!m) goBuildMemo.set(stage, (m = new Map()));
  if (m.has(target)) return m.get(target);
  const r = goBuildInUncached(stage, target);
  m.set(target, r);
  return r;
}

function goBuildInUncached(stage: Stage, target: string): { line: number } | undefined {
  const lineage: Stage[] = [];
  for (let s: Stage | undefined = stage; s && lineage.length < 16 && !lineage.includes(s); s = s.parent) lineage.unshift(s);
  let workdir = '/';
  let found: { line: number } | undefined;
  for (const s of lineage) {
    for (const ins of s.instructions) {
      const kw = ins.getKeyword();
      if (kw === 'WORKDIR') {
        const arg = ins.getArgumentsContent()?.trim();
        if (arg) workdir = path.posix.resolve(workdir, arg.replace(/^["']|["']$/g, ''));
      } else if (kw === 'RUN') {
        const text = ins.getArgumentsContent() ?? '';
        if (goBuildOutputs(text, workdir).includes(target)) found = { line: ins.getRange().start.line };
      }
    }
  }
  return found;
}

/** Output paths of the `go build -o …` commands in a RUN line (shell text). */
export function goBuildOutputs(text: string, workdir: string): string[] {
  const out: string[] = [];
  let cwd = workdir;
  for (const cmd of text.replace(/\\\r?\n/g, ' ').split(/&&|\|\||;|\n/)) {
    const words = cmd.trim().split(/\s+/).filter(Boolean).map((w) => w.replace(/^["']|["']$/g, ''));
    if (words[0] === 'cd' && words[1]) {
      cwd = path.posix.resolve(cwd, words[1]);
      continue;
    }
    const g = words.findIndex((w, k) => w === 'go' && words[k + 1] === 'build');
    if (g < 0) continue;
    const args = words.slice(g + 2);
    let o: string | undefined;
    const pkgs: string[] = [];
    for (let k = 0; k < args.length; k++) {
      const a = args[k];
      if (a === '-o') o = args[++k];
      else if (a.startsWith('-o=')) o = a.slice(3);
      else if (/^-(ldflags|gcflags|tags|mod|p|asmflags|installsuffix|pkgdir|modfile|overlay|pgo|C|toolexec|compiler|gccgoflags|buildmode)$/.test(a)) k++;
      else if (!a.startsWith('-') && !/[$`]/.test(a)) pkgs.push(a);
    }
    if (!o || /[$`]/.test(o)) continue;
    const abs = path.posix.resolve(cwd, o);
    if (o.endsWith('/')) {
      // -o DIR/: one binary per main package, named after its directory.
      for (const pkg of pkgs.length ? pkgs : ['.']) {
        const name = path.posix.basename(path.posix.resolve(cwd, pkg));
        if (name && name !== '...') out.push(path.posix.join(abs, name));
      }
    } else out.push(abs);
  }
  return out;
}

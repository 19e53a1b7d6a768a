// Image paths → build-context files: follows COPY/ADD (files, directories, globs, `COPY . .`,
// WORKDIR-relative destinations, `COPY --from=stage` back to the context) and `COPY <<EOF` heredocs.
// Never reads outside the build context: `COPY ../x` is an error in Docker, reported, not followed.
import * as path from 'path';
import type { Copy, Instruction, JSONInstruction } from 'dockerfile-ast';
import dockerignore from '@balena/dockerignore';
import type { FileAccess, Location, Range } from './types';
import type { DockerfileModel, Stage } from './dockerfile';

export interface CopyEntry {
  instruction: Instruction;
  sources: string[];
  /** Absolute destination; ends with `/` when it names a directory. */
  dest: string;
  fromStage?: Stage;
  /** External image or unknown stage in --from. */
  fromExternal?: string;
  heredocs: Array<{ name: string; content: string; contentRange: Range }>;
}

export interface StageFiles {
  /** Every COPY/ADD that applies, inherited ones first (built on first use). */
  readonly copies: CopyEntry[];
  /** WORKDIR at the end of the stage (what CMD runs in). */
  workdir: string;
  /** COPY/ADD of this stage itself; the parent stage's are in `inherited` (a copy per stage was quadratic). */
  own: CopyEntry[];
  inherited?: StageFiles;
}

export type Resolved =
  | { kind: 'file'; file: string; text: string; copy: Location }
  | { kind: 'inline'; file: string; text: string; lineOffset: number; copy: Location }
  | { kind: 'outside'; copy: Location; source: string; keyword: string }
  | { kind: 'missing'; copy: Location; source: string }
  /** In the context, but excluded by the ignore file (`ignoreFile`, context-relative `path`): not in the image. */
  | { kind: 'ignored'; copy: Location; source: string; path: string; ignoreFile: string };

const MAX_SCRIPT_BYTES = 1024 * 1024;

function posixJoin(base: string, p: string): string {
  return path.posix.normalize(p.startsWith('/') ? p : path.posix.join(base || '/', p));
}

export function stageFiles(model: DockerfileModel, stage: Stage, memo = new Map<Stage, StageFiles>()): StageFiles {
  const hit = memo.get(stage);
  if (hit) return hit;
  // Ancestors first, without recursing: `FROM s0 AS s1`, `FROM s1 AS s2`, … can go thousands deep.
  const todo: Stage[] = [];
  for (let s = stage.parent; s && !memo.has(s) && (todo.length === 0 || s.index < todo[todo.length - 1].index); s = s.parent) todo.push(s);
  for (let i = todo.length - 1; i >= 0; i--) stageFiles(model, todo[i], memo);
  const parentFiles = stage.parent ? memo.get(stage.parent) : undefined;
  // Link to the nearest ancestor with COPY/ADD of its own, so long chains of stages stay short to walk.
  const inherited = parentFiles && parentFiles.own.length === 0 ? parentFiles.inherited : parentFiles;
  let all: CopyEntry[] | undefined;
  const out: StageFiles = {
    own: [], inherited, workdir: parentFiles?.workdir ?? '/',
    get copies() {
      if (!all) {
        const chain: CopyEntry[][] = [];
        for (let at: StageFiles | undefined = this; at; at = at.inherited) chain.push(at.own);
        all = chain.reverse().flat();
      }
      return all;
    },
  };
  memo.set(stage, out);
  for (const ins of stage.instructions) {
    const kw = ins.getKeyword();
    if (kw === 'WORKDIR') {
      const arg = ins.getArgumentsContent()?.trim();
      if (arg) out.workdir = posixJoin(out.workdir, arg.replace(/^["']|["']$/g, ''));
    } else if (kw === 'COPY' || kw === 'ADD') {
      const e = copyEntry(model, ins, out.workdir);
      if (e) out.own.push(e);
    }
  }
  return out;
}

function copyEntry(model: DockerfileModel, ins: Instruction, workdir: string): CopyEntry | undefined {
  const copy = ins as Copy;
  const heredocs = (copy.getHeredocs?.() ?? []).map((h) => {
    const r = h.getContentRange();
    return { name: h.getName(), content: r ? model.lines.slice(r) : '', contentRange: r ?? h.getNameRange() };
  });
  let args: string[];
  const content = ins.getArgumentsContent()?.trim() ?? '';
  const flagless = content.replace(/^(--[a-z-]+(=\S*)?\s+)+/, '');
  if (flagless.startsWith('[')) {
    try {
      const arr: unknown = JSON.parse(flagless.split('\n')[0]);
      args = Array.isArray(arr) ? arr.map(String) : [];
    } catch {
      args = (ins as JSONInstruction).getJSONStrings().map((s) => s.getJSONValue());
    }
  } else {
    const firstLine = ins.getRange().start.line;
    args = copy.getArguments().filter((a) => heredocs.length === 0 || a.getRange().start.line === firstLine).map((a) => a.getValue());
  }
  if (args.length < 2 && heredocs.length === 0) return undefined;
  // `COPY \⏎ <<EOF /x`: the words sit on the continuation line, which the filter above drops.
  if (args.length === 0) return undefined;
  const destRaw = args[args.length - 1];
  const sources = args.slice(0, -1);
  const multi = sources.filter((s) => !s.startsWith('<<')).length > 1 || heredocs.length > 1;
  let dest = posixJoin(workdir, destRaw);
  if (destRaw.endsWith('/') || destRaw === '.' || destRaw === './' || multi) dest = dest.replace(/\/?$/, '/');
  const from = copy.getFromFlag?.()?.getValue() ?? undefined;
  const entry: CopyEntry = { instruction: ins, sources: sources.filter((s) => !s.startsWith('<<')), dest, heredocs };
  if (from) {
    const st = model.stages.find((s) => s.name?.toLowerCase() === from.toLowerCase()) ?? (/^\d+$/.test(from) ? model.stages[Number(from)] : undefined);
    if (st) entry.fromStage = st;
    else entry.fromExternal = from;
  }
  return entry;
}

/** A COPY source glob (`*`, `?`) as an anchored regular expression for one path segment. */
export function globToRe(glob: string): RegExp {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else re += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * Which context file ends up at `imagePath` in `stage`. `contextDir` is the build context on disk.
 * Later COPYs win. Returns undefined when no COPY produces the path.
 */
export function resolveImagePath(model: DockerfileModel, stage: Stage, imagePath: string, contextDir: string, files: FileAccess,
  memo = new Map<Stage, StageFiles>(), depth = 0): Resolved | undefined {
  if (depth > 8) return undefined;
  const sf = stageFiles(model, stage, memo);
  const target = posixJoin(sf.workdir, imagePath);
  for (let at: StageFiles | undefined = sf; at; at = at.inherited) for (let i = at.own.length - 1; i >= 0; i--) {
    const c = at.own[i];
    const loc: Location = { file: model.file, range: c.instruction.getRange() };
    // Heredoc: COPY <<EOF /start.sh
    if (c.heredocs.length === 1 && !c.dest.endsWith('/') && c.dest === target) {
      const h = c.heredocs[0];
      return { kind: 'inline', file: model.file, text: h.content, lineOffset: h.contentRange.start.line, copy: loc };
    }
    if (c.heredocs.length > 0 && c.dest.endsWith('/')) {
      const h = c.heredocs.find((x) => posixJoin(c.dest, x.name) === target);
      if (h) return { kind: 'inline', file: model.file, text: h.content, lineOffset: h.contentRange.start.line, copy: loc };
    }
    for (const src of c.sources) {
      if (/^[a-z]+:\/\//i.test(src)) continue; // ADD from a URL
      const rel = mapThroughCopy(src, c.dest, target, (p) => (c.fromStage ? src.endsWith('/') : isDir(files, path.join(contextDir, p))), (dirRel) => (c.fromStage ? undefined : files.list?.(path.join(contextDir, dirRel))));
      if (rel === undefined) continue;
      if (c.fromExternal) return undefined;
      if (c.fromStage) {
        return resolveImagePath(model, c.fromStage, '/' + rel.replace(/^\/+/, ''), contextDir, files, memo, depth + 1);
      }
      const norm = path.posix.normalize(rel.replace(/^\/+/, ''));
      if (norm === '..' || norm.startsWith('../')) return { kind: 'outside', copy: loc, source: src, keyword: c.instruction.getKeyword() };
      const ignoreFile = ignoredBy(model.file, contextDir, files, norm);
      if (ignoreFile) return { kind: 'ignored', copy: loc, source: src, path: norm, ignoreFile };
      const abs = path.join(contextDir, norm);
      const text = files.read(abs);
      if (text === undefined) return { kind: 'missing', copy: loc, source: src };
      if (text.length > MAX_SCRIPT_BYTES) return undefined;
      return { kind: 'file', file: abs, text, copy: loc };
    }
  }
  return undefined;
}

/**
 * The stage whose own build steps (RUN) produce `imagePath`: follows `COPY --from=stage` back to the stage
 * that has the file without copying it in. Undefined when the path comes from the build context, an external
 * image, or cannot be followed.
 */
export function builtInStage(model: DockerfileModel, stage: Stage, imagePath: string, files: FileAccess | undefined, contextDir: string,
  memo = new Map<Stage, StageFiles>(), depth = 0): { stage: Stage; path: string } | undefined {
  if (depth > 8) return undefined;
  const sf = stageFiles(model, stage, memo);
  const target = posixJoin(sf.workdir, imagePath);
  for (let at: StageFiles | undefined = sf; at; at = at.inherited) for (let i = at.own.length - 1; i >= 0; i--) {
    const c = at.own[i];
    if (c.heredocs.some((h) => (c.dest.endsWith('/') ? posixJoin(c.dest, h.name) : c.dest) === target)) return undefined;
    for (const src of c.sources) {
      if (/^[a-z]+:\/\//i.test(src)) continue;
      const rel = mapThroughCopy(src, c.dest, target, (p) => (c.fromStage ? src.endsWith('/') : (files ? isDir(files, path.join(contextDir, p)) : false)),
        (dirRel) => (c.fromStage || !files ? undefined : files.list?.(path.join(contextDir, dirRel))));
      if (rel === undefined) continue;
      if (!c.fromStage) {
        // `COPY . /src` covers every path under /src, but only files that exist in the context come from it.
        const norm = path.posix.normalize(rel.replace(/^\/+/, ''));
        if (files && (!files.exists(path.join(contextDir, norm)) || ignoredBy(model.file, contextDir, files, norm))) continue;
        return undefined;
      }
      return builtInStage(model, c.fromStage, '/' + rel.replace(/^\/+/, ''), files, contextDir, memo, depth + 1);
    }
  }
  return { stage, path: target };
}

// ---- .dockerignore ------------------------------------------------------------------------------

/** Compiled ignore files, by their text (a few per workspace; an edit is a new text). */
const ignoreMatchers = new Map<string, ReturnType<typeof dockerignore>>();

/**
 * The ignore file that keeps `rel` (context-relative, posix) out of the build context, or undefined.
 * BuildKit reads `<Dockerfile>.dockerignore` beside the Dockerfile when it exists, else the context's
 * `.dockerignore`; patterns follow Docker's (a folder's pattern covers what is in it, `!` re-includes,
 * `**` spans folders), through @balena/dockerignore, a port of Docker's own matcher.
 */
export function ignoredBy(dockerfile: string, contextDir: string, files: FileAccess, rel: string): string | undefined {
  const got = ignoreFileOf(dockerfile, contextDir, files);
  return got && got.matcher.ignores(rel) ? got.file : undefined;
}

/** The ignore file of a build, read once per FileAccess (one analysis; the first read is the tracked one). */
const ignoreFiles = new WeakMap<FileAccess, Map<string, { file: string; matcher: ReturnType<typeof dockerignore> } | null>>();

function ignoreFileOf(dockerfile: string, contextDir: string, files: FileAccess): { file: string; matcher: ReturnType<typeof dockerignore> } | undefined {
  let byBuild = ignoreFiles.get(files);
  if (!byBuild) ignoreFiles.set(files, (byBuild = new Map()));
  const key = `${dockerfile}\0${contextDir}`;
  const hit = byBuild.get(key);
  if (hit !== undefined) return hit ?? undefined;
  const own = `${dockerfile}.dockerignore`;
  let file = own;
  let text = files.read(own);
  if (text === undefined) {
    file = path.join(contextDir, '.dockerignore');
    text = files.read(file);
  }
  let found: { file: string; matcher: ReturnType<typeof dockerignore> } | null = null;
  if (text !== undefined && text.trim() !== '') {
    let m = ignoreMatchers.get(text);
    if (!m) {
      m = dockerignore().add(text.split(/\r?\n/));
      if (ignoreMatchers.size >= 64) ignoreMatchers.delete(ignoreMatchers.keys().next().value as string);
      ignoreMatchers.set(text, m);
    }
    found = { file, matcher: m };
  }
  byBuild.set(key, found);
  return found ?? undefined;
}

function isDir(files: FileAccess, p: string): boolean {
  return files.isDirectory ? files.isDirectory(p) : false;
}

/** The source-relative path that COPY src dest puts at `target`, or undefined. */
function mapThroughCopy(src: string, dest: string, target: string, srcIsDir: (p: string) => boolean, list: (dirRel: string) => string[] | undefined): string | undefined {
  const s = src.replace(/\/+$/, '') || '.';
  const hasGlob = /[*?[]/.test(s);
  if (hasGlob) {
    const dir = path.posix.dirname(s);
    const re = globToRe(path.posix.basename(s));
    const base = path.posix.basename(target);
    if (!re.test(base)) return undefined;
    const candidate = path.posix.join(dir, base);
    const destDir = dest.endsWith('/') ? dest : dest + '/';
    if (posixJoin(destDir, base) !== target) return undefined;
    const names = list(dir);
    if (names && !names.includes(base)) return undefined;
    return candidate;
  }
  // Neither a file nor a directory copied to `dest` can land outside it: no need to ask the disk.
  if (target !== dest && !target.startsWith(dest.replace(/\/?$/, '/'))) return undefined;
  if (s === '.' || srcIsDir(s)) {
    // Directory: its contents go under dest.
    const d = dest.replace(/\/?$/, '/');
    if (!target.startsWith(d)) return undefined;
    return path.posix.join(s, target.slice(d.length));
  }
  if (dest.endsWith('/')) return posixJoin(dest, path.posix.basename(s)) === target ? s : undefined;
  return dest === target ? s : undefined;
}

// The workspace index: which files are analysed (Dockerfiles, Kubernetes manifests, Compose files),
// which files each analysis read (start scripts, Dockerfiles of images), and the findings each file
// gets from all of them. Editing a script re-analyses the Dockerfiles that run it, open or not.
import * as fs from 'fs';
import * as path from 'path';
import { analyzeDockerfile, analyzeYaml, fileKind } from '../core/analyze';
import { rethrowGrammar } from '../core/grammar';
import type { StopcheckConfig } from '../core/config';
import type { FileAccess, Finding } from '../core/types';
import type { LaunchChain } from '../core/chain';
import type { DockerfileModel } from '../core/dockerfile';
import type { YamlFile } from '../core/yamlModel';
import { matchImageToDockerfile, type DockerfileSource } from '../core/platforms';
import { diskFiles, MAX_READ_BYTES } from '../adapters/diskFiles';

export interface SourceResult {
  kind: 'dockerfile' | 'yaml';
  /** Text version analysed (open document version, or -1 for disk). */
  version: number;
  findings: Finding[];
  /** Files this analysis read besides the source itself. */
  deps: Set<string>;
  chains: LaunchChain[];
  dockerModel?: DockerfileModel;
  yamlModel?: YamlFile;
}

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn', 'vendor', '.venv', 'venv', '__pycache__', 'dist', 'out', 'target', '.terraform']);
const MAX_SCAN_ENTRIES = 50_000;

export interface WorkspaceHost {
  /** Text of an open document, if open. */
  openText(file: string): { text: string; version: number } | undefined;
  configFor(file: string): StopcheckConfig;
  /** Folder that bounds file access for `file` (its workspace folder, or its own folder). */
  rootFor(file: string): string;
  log(msg: string): void;
  /** Kind forced by an open document's language (a Dockerfile with an unusual name). */
  kindOf?(file: string): 'dockerfile' | 'yaml' | undefined;
}

/** A Set that counts its changes, so what is derived from it is rebuilt only when it changed. */
class CountedSet<T> extends Set<T> {
  changes = 0;
  override add(v: T): this {
    if (!this.has(v)) this.changes++;
    return super.add(v);
  }
  override delete(v: T): boolean {
    const had = super.delete(v);
    if (had) this.changes++;
    return had;
  }
  override clear(): void {
    this.changes++;
    super.clear();
  }
}

/**
 * Results by source, with reverse indexes kept in step: which sources read a file (their `deps`,
 * as they are when the result is set) and which sources report findings on a file. Without them
 * every edit and every publish walked all the results of the workspace.
 */
class ResultMap extends Map<string, SourceResult> {
  private readonly readers = new Map<string, Set<string>>();
  private readonly reporters = new Map<string, Set<string>>();
  override set(key: string, value: SourceResult): this {
    this.unlink(key);
    super.set(key, value);
    // Map's constructor calls set() before the fields above exist; there is nothing to index then.
    if (this.readers) {
      for (const d of value.deps) link(this.readers, d, key);
      for (const f of value.findings) link(this.reporters, f.file, key);
    }
    return this;
  }
  override delete(key: string): boolean {
    this.unlink(key);
    return super.delete(key);
  }
  override clear(): void {
    this.readers?.clear();
    this.reporters?.clear();
    super.clear();
  }
  /** Sources whose analysis read `file`. */
  readersOf(file: string): ReadonlySet<string> {
    return this.readers.get(file) ?? EMPTY;
  }
  /** Sources whose findings include some on `file`. */
  reportersOn(file: string): ReadonlySet<string> {
    return this.reporters.get(file) ?? EMPTY;
  }
  private unlink(key: string): void {
    const old = this.readers ? this.get(key) : undefined;
    if (!old) return;
    for (const d of old.deps) unlink(this.readers, d, key);
    for (const f of old.findings) unlink(this.reporters, f.file, key);
  }
}
const EMPTY: ReadonlySet<string> = new Set();
function link(m: Map<string, Set<string>>, k: string, v: string): void {
  let s = m.get(k);
  if (!s) m.set(k, (s = new Set()));
  s.add(v);
}
function unlink(m: Map<string, Set<string>>, k: string, v: string): void {
  const s = m.get(k);
  if (s && s.delete(v) && s.size === 0) m.delete(k);
}

export class WorkspaceIndex {
  readonly results: Map<string, SourceResult> = new ResultMap();
  /** Dockerfiles and YAML files found on disk or opened. */
  readonly sources: Set<string> = new CountedSet<string>();
  /** Workspace Dockerfiles by folder name, for image → Dockerfile matching; rebuilt when `sources` changes. */
  private dockerfileIndex?: { changes: number; byFolder: Map<string, string[]> };

  constructor(private readonly host: WorkspaceHost) {}

  /** Walk folders for Dockerfiles and YAML files (bounded; skips vendored and generated trees). */
  scan(folders: string[]): string[] {
    const found: string[] = [];
    let entries = 0;
    const walk = (dir: string, depth: number) => {
      if (depth > 16 || entries > MAX_SCAN_ENTRIES) return;
      let list: fs.Dirent[];
      try {
        list = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of list) {
        entries++;
        if (entries > MAX_SCAN_ENTRIES) return;
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (!SKIP_DIRS.has(e.name) && !e.name.startsWith('.')) walk(p, depth + 1);
        } else if (e.isFile() && fileKind(p) !== 'unknown' && fileKind(p) !== 'script') {
          found.push(p);
        }
      }
    };
    for (const f of folders) walk(f, 0);
    for (const f of found) this.sources.add(f);
    return found;
  }

  private kind(file: string): 'dockerfile' | 'yaml' | undefined {
    const forced = this.host.kindOf?.(file);
    if (forced) return forced;
    const k = fileKind(file);
    return k === 'dockerfile' || k === 'yaml' ? k : undefined;
  }

  isSource(file: string): boolean {
    return this.kind(file) !== undefined;
  }

  private read(file: string): { text: string; version: number } | undefined {
    const open = this.host.openText(file);
    if (open) return open;
    try {
      const st = fs.statSync(file);
      if (!st.isFile() || st.size > MAX_READ_BYTES) return undefined;
      const buf = fs.readFileSync(file);
      if (buf.includes(0)) return undefined;
      return { text: buf.toString('utf8').replace(/^\uFEFF/, ''), version: -1 };
    } catch {
      return undefined;
    }
  }

  /** Dockerfiles among the sources, by the lower-cased name of their folder (see matchImageToDockerfile). */
  private dockerfiles(): Map<string, string[]> {
    const changes = (this.sources as CountedSet<string>).changes;
    if (this.dockerfileIndex?.changes !== changes) {
      const byFolder = new Map<string, string[]>();
      for (const f of this.sources) {
        if (!path.isAbsolute(f) || this.kind(f) !== 'dockerfile') continue;
        const k = path.basename(path.dirname(f)).toLowerCase();
        const l = byFolder.get(k);
        if (l) l.push(f);
        else byFolder.set(k, [f]);
      }
      this.dockerfileIndex = { changes, byFolder };
    }
    return this.dockerfileIndex.byFolder;
  }

  /** (Re)analyse one source. Returns the files whose findings may have changed. */
  analyse(file: string): Set<string> {
    const touched = new Set<string>();
    const old = this.results.get(file);
    if (old) old.findings.forEach((f) => touched.add(f.file));
    const src = this.read(file);
    const kind = this.kind(file);
    if (!src || !kind) {
      this.results.delete(file);
      this.sources.delete(file);
      touched.add(file);
      return touched;
    }
    this.sources.add(file);
    const config = this.host.configFor(file);
    const isPath = path.isAbsolute(file);
    const root = isPath ? this.host.rootFor(file) : '/nonexistent-root';
    const deps = new Set<string>();
    const overlay = (f: string) => this.host.openText(f)?.text;
    const files = isPath ? memoFiles(diskFiles(root, overlay)) : { read: () => undefined, exists: () => false };
    const readTracked = { ...files, read: (f: string) => { deps.add(f); return files.read(f); } };
    let result: SourceResult;
    try {
      if (kind === 'dockerfile') {
        const r = analyzeDockerfile(file, src.text, { config, files: readTracked });
        result = { kind: 'dockerfile', version: src.version, findings: r.findings, deps, chains: r.chains, dockerModel: r.model };
      } else {
        const dockerfiles = this.dockerfiles();
        // Many containers run the same image: look each one up once per analysis.
        const byImage = new Map<string, DockerfileSource | undefined>();
        const r = analyzeYaml(file, src.text, {
          config, files: readTracked,
          dockerfileForImage: (image) => {
            if (!byImage.has(image)) byImage.set(image, this.dockerfileForImage(image, dockerfiles, config, root, deps, isPath ? files : undefined));
            return byImage.get(image);
          },
        });
        result = { kind: 'yaml', version: src.version, findings: r.findings, deps, chains: r.chains, yamlModel: r.model };
      }
    } catch (e) {
      // A grammar this analysis needs is not loaded yet: the caller loads it and asks again (withGrammars).
      rethrowGrammar(e);
      this.host.log(`stopcheck: analysis of ${file} failed: ${(e as Error).stack ?? e}`);
      result = { kind, version: src.version, findings: [], deps, chains: [] };
    }
    deps.delete(file);
    this.results.set(file, result);
    touched.add(file);
    result.findings.forEach((f) => touched.add(f.file));
    return touched;
  }

  private dockerfileForImage(image: string, dockerfiles: ReadonlyMap<string, readonly string[]>, config: StopcheckConfig, root: string, deps: Set<string>,
    files?: FileAccess): DockerfileSource | undefined {
    const df = matchImageToDockerfile(image, dockerfiles, config.images, root);
    if (!df) return undefined;
    // `images` in .stopcheck.json names workspace Dockerfiles: never one outside the folder (or via a symlink out).
    // `files` (this analysis' access to `root`, open documents first) checks that and reads each file once.
    let text: string | undefined;
    if (files) text = files.read(df);
    else if (this.host.openText(df) || diskFiles(root).exists(df)) text = this.read(df)?.text;
    if (text === undefined) return undefined;
    deps.add(df);
    return { file: df, text, contextDir: path.dirname(df), how: path.relative(root, df) || df };
  }

  /** Sources to re-analyse when `file` changed: itself (if a source) and every source that read it. */
  dependents(file: string): string[] {
    const out: string[] = [];
    if (this.isSource(file)) out.push(file);
    for (const src of (this.results as ResultMap).readersOf(file)) if (src !== file) out.push(src);
    // A new or renamed file may be what a Dockerfile's COPY was missing: re-check Dockerfiles above it.
    if (!this.isSource(file)) {
      for (const src of this.sources) {
        if (out.includes(src) || this.results.get(src)?.kind !== 'dockerfile' || !path.isAbsolute(src)) continue;
        const dir = path.dirname(src) + path.sep;
        if (file.startsWith(dir) && this.results.get(src)?.chains.some((c) => c.assumptions.some((a) => a.includes('not in the build context')))) out.push(src);
      }
    }
    return out;
  }

  /** Findings for one file, from every analysis that reports on it. */
  findingsFor(file: string): Finding[] {
    const out: Finding[] = [];
    const seen = new Set<string>();
    const reporters = (this.results as ResultMap).reportersOn(file);
    // With several reporters the first one's finding wins a duplicate: keep the results' order.
    const ordered = reporters.size > 1 ? [...this.results.keys()].filter((k) => reporters.has(k)) : reporters;
    for (const src of ordered) {
      const r = this.results.get(src);
      if (!r) continue;
      for (const f of r.findings) {
        if (f.file !== file) continue;
        const k = `${f.rule}|${f.range.start.line}:${f.range.start.character}-${f.range.end.line}:${f.range.end.character}`;
        if (seen.has(k)) continue;
        seen.add(k);
        out.push(f);
      }
    }
    return out;
  }

  /** Chains that pass through `file` (as the source or as a script), for hovers. */
  chainsFor(file: string): Array<{ source: string; chain: LaunchChain }> {
    const out: Array<{ source: string; chain: LaunchChain }> = [];
    for (const [src, r] of this.results) {
      for (const c of r.chains) {
        if (src === file || c.processes.some((p) => p.origin?.file === file)) out.push({ source: src, chain: c });
      }
    }
    return out;
  }

  forget(file: string): void {
    this.results.delete(file);
    this.sources.delete(file);
  }
}

/**
 * File access that asks the disk once per path: one analysis is one snapshot, and a manifest whose
 * containers share an image reads the same Dockerfile and scripts many times.
 */
function memoFiles(files: FileAccess): FileAccess {
  const reads = new Map<string, string | undefined>();
  const exists = new Map<string, boolean>();
  const dirs = new Map<string, boolean>();
  const lists = new Map<string, string[] | undefined>();
  const once = <V>(m: Map<string, V>, k: string, f: () => V): V => {
    if (m.has(k)) return m.get(k) as V;
    const v = f();
    m.set(k, v);
    return v;
  };
  return {
    read: (f) => once(reads, f, () => files.read(f)),
    exists: (f) => once(exists, f, () => files.exists(f)),
    isDirectory: files.isDirectory && ((f) => once(dirs, f, () => files.isDirectory!(f))),
    list: files.list && ((d) => once(lists, d, () => files.list!(d))),
  };
}

// The workspace index: which files are analysed (Dockerfiles, Kubernetes manifests, Compose files),
// which files each analysis read (start scripts, Dockerfiles of images), and the findings each file
// gets from all of them. Editing a script re-analyses the Dockerfiles that run it, open or not.
import * as fs from 'fs';
import * as path from 'path';
import { analyzeDockerfile, analyzeYaml, fileKind } from '../core/analyze';
import type { StopcheckConfig } from '../core/config';
import type { Finding } from '../core/types';
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

export class WorkspaceIndex {
  readonly results = new Map<string, SourceResult>();
  /** Dockerfiles and YAML files found on disk or opened. */
  readonly sources = new Set<string>();

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

  private dockerfiles(): string[] {
    return [...this.sources].filter((f) => this.kind(f) === 'dockerfile' && path.isAbsolute(f));
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
    const files = isPath ? diskFiles(root, overlay) : { read: () => undefined, exists: () => false };
    const readTracked = { ...files, read: (f: string) => { deps.add(f); return files.read(f); } };
    let result: SourceResult;
    try {
      if (kind === 'dockerfile') {
        const r = analyzeDockerfile(file, src.text, { config, files: readTracked });
        result = { kind: 'dockerfile', version: src.version, findings: r.findings, deps, chains: r.chains, dockerModel: r.model };
      } else {
        const dockerfiles = this.dockerfiles();
        const r = analyzeYaml(file, src.text, {
          config, files: readTracked,
          dockerfileForImage: (image) => this.dockerfileForImage(image, dockerfiles, config, root, deps),
        });
        result = { kind: 'yaml', version: src.version, findings: r.findings, deps, chains: r.chains, yamlModel: r.model };
      }
    } catch (e) {
      this.host.log(`stopcheck: analysis of ${file} failed: ${(e as Error).stack ?? e}`);
      result = { kind, version: src.version, findings: [], deps, chains: [] };
    }
    deps.delete(file);
    this.results.set(file, result);
    touched.add(file);
    result.findings.forEach((f) => touched.add(f.file));
    return touched;
  }

  private dockerfileForImage(image: string, dockerfiles: string[], config: StopcheckConfig, root: string, deps: Set<string>): DockerfileSource | undefined {
    const df = matchImageToDockerfile(image, dockerfiles, config.images, root);
    // `images` in .stopcheck.json names workspace Dockerfiles: never one outside the folder (or via a symlink out).
    if (!df || (!this.host.openText(df) && !diskFiles(root).exists(df))) return undefined;
    const src = this.read(df);
    if (!src) return undefined;
    deps.add(df);
    return { file: df, text: src.text, contextDir: path.dirname(df), how: path.relative(root, df) || df };
  }

  /** Sources to re-analyse when `file` changed: itself (if a source) and every source that read it. */
  dependents(file: string): string[] {
    const out: string[] = [];
    if (this.isSource(file)) out.push(file);
    for (const [src, r] of this.results) if (r.deps.has(file) && src !== file) out.push(src);
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
    for (const r of this.results.values()) {
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

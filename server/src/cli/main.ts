// `stopcheck lint` and `stopcheck simulate`: the CLI adapter over the core.
import * as fs from 'fs';
import * as path from 'path';
import { execFileSync } from 'child_process';
import { initParsers } from '../core/runtime';
import { analyzeDockerfile, analyzeYaml, fileKind } from '../core/analyze';
import { matchImageToDockerfile, type DockerfileSource } from '../core/platforms';
import { CONFIG_FILE, DEFAULT_CONFIG, parseConfigText, type StopcheckConfig } from '../core/config';
import type { Finding, Severity } from '../core/types';
import { LineIndex } from '../core/text';
import { ALL_RULES } from '../core/rules/index';
import { describeTimeline } from '../core/describe';
import type { LaunchChain } from '../core/chain';
import { displayPath, formatText, toJson, toSarif, VERSION } from './format';
import { fixFor, simulationJson } from '../core/simulate/static';
import { applyEdits } from '../core/fixes';
import { comparePos, type TextEdit } from '../core/types';
import { withShellTree } from '../core/shell';
import { parseAllDocuments } from 'yaml';
import { DockerfileParser } from 'dockerfile-ast';
import { diskFiles } from '../adapters/diskFiles';
import type { DockerfileModel } from '../core/dockerfile';
import { describeLive } from '../core/simulate/liveReport';
import { runChainsLive } from './live';

const HELP = `stopcheck ${VERSION} — finds why containers do not shut down gracefully

Usage:
  stopcheck lint [paths…] [--format text|json|sarif] [--fail-on error|warning|info|never] [--config FILE]
                 [--fix [--dry-run]]
  stopcheck simulate <Dockerfile|compose file|manifest> [--target STAGE] [--service NAME] [--container NAME]
                     [--grace SECONDS] [--format text|json] [--config FILE]
                     [--live [--time-scale FACTOR] [--settle SECONDS]]
  stopcheck rules                 list the rules
  stopcheck --version | --help

lint walks directories (skipping node_modules, .git and git-ignored files) and reads Dockerfiles
(Dockerfile, Dockerfile.*, *.dockerfile, Containerfile), the start scripts they run, Kubernetes
manifests and Compose files (*.yaml, *.yml; other YAML and Helm templates are skipped). Exit status: 0 when no finding reaches
--fail-on (default: warning), 1 when one does, 2 on usage errors or unreadable paths.

simulate --live (Linux) also runs each container's start command for real, as PID 1 of a fresh PID
namespace (bubblewrap, or unshare), sends the stop signal and reports what was observed next to the
prediction. The grace period is scaled by --time-scale (default 0.2, at least 2 s); --settle is how
long the command runs before the stop signal (default 1.5). Ctrl+C stops the run and kills everything
it started (exit status 130).`;

class UsageError extends Error {}

interface Options {
  command: string;
  paths: string[];
  format: string;
  failOn: string;
  config?: string;
  target?: string;
  service?: string;
  container?: string;
  fix?: boolean;
  dryRun?: boolean;
  grace?: number;
  live?: boolean;
  timeScale?: number;
  settle?: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { command: '', paths: [], format: 'text', failOn: 'warning' };
  const takeValue = (i: number, flag: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    let a = argv[i];
    let inline: string | undefined;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) {
      inline = a.slice(eq + 1);
      a = a.slice(0, eq);
    }
    const value = (): string => {
      if (inline !== undefined) return inline;
      const v = takeValue(i, a);
      i++;
      return v;
    };
    switch (a) {
      case '--format': o.format = value(); break;
      case '--fail-on': o.failOn = value(); break;
      case '--config': o.config = value(); break;
      case '--target': o.target = value(); break;
      case '--service': o.service = value(); break;
      case '--fix': o.fix = true; break;
      case '--dry-run': o.dryRun = true; break;
      case '--container': o.container = value(); break;
      case '--grace': {
        const v = value();
        const n = Number(v);
        if (!/^\d+(\.\d+)?$/.test(v) || !Number.isFinite(n)) throw new UsageError(`--grace takes a number of seconds, got "${v}"`);
        o.grace = n;
        break;
      }
      case '--live': o.live = true; break;
      case '--time-scale': case '--settle': {
        const v = value();
        const n = Number(v);
        const ok = /^\d+(\.\d+)?$/.test(v) && Number.isFinite(n) && (a === '--settle' ? n <= 60 : n > 0 && n <= 1);
        if (!ok) throw new UsageError(a === '--settle' ? `--settle takes seconds (0 to 60), got "${v}"` : `--time-scale takes a factor above 0 and at most 1, got "${v}"`);
        if (a === '--settle') o.settle = n;
        else o.timeScale = n;
        break;
      }
      case '-h': case '--help': o.command = 'help'; break;
      case '-v': case '--version': o.command = 'version'; break;
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
        if (!o.command) o.command = a;
        else o.paths.push(a);
    }
  }
  return o;
}

function findConfigFile(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    const c = path.join(dir, CONFIG_FILE);
    if (fs.existsSync(c)) return c;
    if (fs.existsSync(path.join(dir, '.git'))) return undefined;
    const up = path.dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function loadConfig(explicit: string | undefined, cwd: string, warn: (s: string) => void): StopcheckConfig {
  const file = explicit ? path.resolve(cwd, explicit) : findConfigFile(cwd);
  if (!file) return DEFAULT_CONFIG;
  let text: string;
  try {
    // A found .stopcheck.json that is a FIFO would block for good (one named with --config is read as asked).
    if (!explicit && !fs.statSync(file).isFile()) throw new Error('not a regular file');
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (explicit) throw new UsageError(`cannot read config ${explicit}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    return DEFAULT_CONFIG;
  }
  const { config, problems } = parseConfigText(text, displayPath(file, cwd));
  for (const p of problems) warn(`stopcheck: ${p}`);
  return config;
}

const SKIP_DIRS = new Set(['node_modules', '.git', '.hg', '.svn']);
const MAX_FILE_BYTES = 4 * 1024 * 1024;

/** Files under `dir` that git does not ignore; falls back to a plain walk outside git. */
function listFiles(dir: string, depth = 0): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', '.'], {
      cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 256 * 1024 * 1024,
    });
    const files: string[] = [];
    for (const f of out.split('\0').filter(Boolean)) {
      if (f.split('/').some((p) => SKIP_DIRS.has(p))) continue;
      const abs = path.join(dir, f);
      let st: fs.Stats;
      try {
        st = fs.lstatSync(abs);
      } catch {
        continue; // tracked but deleted
      }
      // A nested repository or a submodule is listed as one entry (`sub/`): list it with its own ignore rules.
      if (st.isDirectory()) {
        if (depth < 40 && path.resolve(abs) !== path.resolve(dir)) files.push(...listFiles(abs, depth + 1));
      } else if (fs.existsSync(abs)) files.push(abs);
    }
    return files;
  } catch {
    const files: string[] = [];
    const walk = (d: string, depth: number) => {
      if (depth > 40) return;
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(d, { withFileTypes: true });
      } catch {
        return;
      }
      for (const e of entries) {
        if (e.isDirectory()) {
          if (!SKIP_DIRS.has(e.name)) walk(path.join(d, e.name), depth + 1);
        } else if (e.isFile()) files.push(path.join(d, e.name));
      }
    };
    walk(dir, 0);
    return files;
  }
}

function specialKind(st: fs.Stats): string {
  return st.isFIFO() ? 'a FIFO' : st.isCharacterDevice() ? 'a character device' : st.isBlockDevice() ? 'a block device' : st.isSocket() ? 'a socket' : 'a special file';
}

/** Why `readText` gave nothing for a file that exists. */
function notTextReason(file: string): string {
  try {
    const st = fs.statSync(file);
    if (!st.isFile()) return `not a regular file (${specialKind(st)})`;
    if (st.size > MAX_FILE_BYTES) return `larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`;
    return 'a binary file, not text';
  } catch (e) {
    return (e as Error).message;
  }
}

function readText(file: string): string | undefined {
  const st = fs.statSync(file);
  if (!st.isFile() || st.size > MAX_FILE_BYTES) return undefined;
  const buf = fs.readFileSync(file);
  if (buf.includes(0)) return undefined;
  return buf.toString('utf8').replace(/^\uFEFF/, '');
}

const RANK: Record<Severity, number> = { info: 1, warning: 2, error: 3 };

/** The preferred fix of every finding, grouped by file, without overlapping edits. */
function preferredEdits(findings: Finding[]): Map<string, TextEdit[]> {
  const out = new Map<string, TextEdit[]>();
  const overlaps = (a: TextEdit, b: TextEdit) =>
    comparePos(a.range.start, b.range.end) <= 0 && comparePos(b.range.start, a.range.end) <= 0;
  for (const f of findings) {
    const fix = f.fixes.find((x) => x.preferred);
    if (!fix) continue;
    if (fix.edits.some((e) => (out.get(e.file) ?? []).some((x) => overlaps(x, e)))) continue;
    for (const e of fix.edits) out.set(e.file, [...(out.get(e.file) ?? []), e]);
  }
  return out;
}

/** Whether an edited file still parses (YAML: no new errors, duplicate keys included). */
export function stillParses(file: string, before: string, after: string): boolean {
  const kind = fileKind(file);
  if (kind === 'yaml') {
    const errs = (t: string) => parseAllDocuments(t).reduce((n, d) => n + d.errors.length, 0);
    return errs(after) <= errs(before);
  }
  if (kind === 'dockerfile') {
    const count = (t: string) => DockerfileParser.parse(t).getInstructions().length;
    return count(after) >= count(before);
  }
  const broken = (t: string) => withShellTree(t, (tree) => tree.rootNode.hasError);
  return broken(before) || !broken(after);
}

/** Write through a temporary file in the same folder, then rename: never a half-written file. */
function writeAtomic(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.stopcheck-${process.pid}.tmp`);
  const mode = fs.statSync(file).mode;
  fs.writeFileSync(tmp, text, { mode });
  fs.renameSync(tmp, file);
}

/** A unified diff (whole-file hunks are fine for review; context of 3 lines). */
export function unifiedDiff(name: string, a: string, b: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  const n = x.length;
  const m = y.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = x[i] === y[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const ops: Array<[' ' | '-' | '+', string, number, number]> = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) { ops.push([' ', x[i], i, j]); i++; j++; }
    else if (j < m && (i >= n || lcs[i][j + 1] > lcs[i + 1][j])) { ops.push(['+', y[j], i, j]); j++; }
    else { ops.push(['-', x[i], i, j]); i++; }
  }
  const lines = [`--- a/${name}`, `+++ b/${name}`];
  let k = 0;
  while (k < ops.length) {
    if (ops[k][0] === ' ') { k++; continue; }
    let s = Math.max(0, k - 3);
    let e = k;
    while (e < ops.length) {
      if (ops[e][0] !== ' ') { e++; continue; }
      let run = 0;
      while (e + run < ops.length && ops[e + run][0] === ' ') run++;
      if (run > 6 || e + run >= ops.length) { e = Math.min(ops.length, e + 3); break; }
      e += run;
    }
    const hunk = ops.slice(s, e);
    const aStart = hunk[0][2] + 1;
    const bStart = hunk[0][3] + 1;
    const aLen = hunk.filter((h) => h[0] !== '+').length;
    const bLen = hunk.filter((h) => h[0] !== '-').length;
    lines.push(`@@ -${aStart},${aLen} +${bStart},${bLen} @@`);
    for (const h of hunk) lines.push(h[0] + h[1]);
    k = e;
    s = e;
  }
  return lines.join('\n');
}

function rankKind(f: string): number {
  const k = fileKind(f);
  return k === 'dockerfile' ? 0 : k === 'yaml' ? 1 : 2;
}

function gitRoot(dir: string): string | undefined {
  let d = path.resolve(dir);
  for (;;) {
    if (fs.existsSync(path.join(d, '.git'))) return d;
    const up = path.dirname(d);
    if (up === d) return undefined;
    d = up;
  }
}

async function lint(o: Options, cwd: string, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  if (!['text', 'json', 'sarif'].includes(o.format)) throw new UsageError(`--format must be text, json or sarif, got "${o.format}"`);
  if (o.dryRun && !o.fix) throw new UsageError('--dry-run goes with --fix');
  if (!['error', 'warning', 'info', 'never'].includes(o.failOn)) throw new UsageError(`--fail-on must be error, warning, info or never, got "${o.failOn}"`);
  const config = loadConfig(o.config, cwd, err);
  const cfgFile = o.config ? path.resolve(cwd, o.config) : findConfigFile(cwd);
  const configDir = cfgFile ? path.dirname(cfgFile) : undefined;
  const targets = o.paths.length ? o.paths : ['.'];
  const files = new Set<string>();
  /** Files named on the command line: problems reading them are errors; in a folder walk they are skipped. */
  const explicit = new Set<string>();
  let unreadable = false;
  for (const t of targets) {
    const abs = path.resolve(cwd, t);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch (e) {
      err(`stopcheck: cannot read ${t}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
      unreadable = true;
      continue;
    }
    if (st.isDirectory()) {
      const found = listFiles(abs).filter((f) => fileKind(f) === 'dockerfile' || fileKind(f) === 'yaml');
      // Named explicitly, a folder with nothing to lint is a mistake worth saying (the default "." is not).
      if (found.length === 0 && o.paths.length > 0) {
        err(`stopcheck: nothing to lint in ${t}: no Dockerfile, Compose file or Kubernetes manifest in it`);
        unreadable = true;
      }
      for (const f of found) files.add(f);
    } else if (!st.isFile()) {
      // Never opened: a FIFO would block, a device would never end.
      err(`stopcheck: cannot lint ${t}: not a regular file (${specialKind(st)})`);
      unreadable = true;
    } else {
      files.add(abs);
      explicit.add(abs);
    }
  }
  await initParsers();
  const overlay = new Map<string, string>();
  const runPass = (quiet: boolean): { findings: Finding[]; texts: Map<string, LineIndex> } => {
    const findings: Finding[] = [];
    const texts = new Map<string, LineIndex>();
    const scriptsReported = new Set<string>();
    const pendingScripts = new Set<string>();
    // By folder name, as matchImageToDockerfile looks them up (a scan of all per image was quadratic).
    const allDockerfiles = new Map<string, string[]>();
    for (const f of files) {
      if (fileKind(f) !== 'dockerfile') continue;
      const k = path.basename(path.dirname(f)).toLowerCase();
      const same = allDockerfiles.get(k);
      if (same) same.push(f);
      else allDockerfiles.set(k, [f]);
    }
    const dockerfileFor = (image: string, cfg: StopcheckConfig, root: string): DockerfileSource | undefined => {
      const df = matchImageToDockerfile(image, allDockerfiles, cfg.images, configDir ?? root);
      if (!df) return undefined;
      // `images` names workspace Dockerfiles: none outside the repository or the config's folder (nor via a symlink).
      if (!overlay.has(df) && ![root, configDir].some((d) => d !== undefined && diskFiles(d).exists(df))) return undefined;
      let text: string | undefined;
      try {
        text = (overlay.get(df) ?? readText(df));
      } catch {
        return undefined;
      }
      return text === undefined ? undefined : { file: df, text, contextDir: path.dirname(df), how: displayPath(df, cwd) };
    };
    for (const file of [...files].sort((a, b) => rankKind(a) - rankKind(b) || (a < b ? -1 : a > b ? 1 : 0))) {
      let text: string | undefined;
      try {
        text = overlay.get(file) ?? readText(file);
      } catch (e) {
        if (!quiet) err(`stopcheck: cannot read ${displayPath(file, cwd)}: ${(e as Error).message}`);
        unreadable = true;
        continue;
      }
      if (text === undefined) {
        if (explicit.has(file)) {
          if (!quiet) err(`stopcheck: cannot lint ${displayPath(file, cwd)}: ${notTextReason(file)}`);
          unreadable = true;
        }
        continue;
      }
      let kind = fileKind(file);
      if (kind === 'unknown' || kind === 'script') {
        // Named explicitly: a Dockerfile under another name, or a script (checked through what runs it).
        if (/^\s*(#.*\n\s*)*FROM\s/im.test(text)) kind = 'dockerfile';
        else {
          if (!scriptsReported.has(file)) pendingScripts.add(file);
          continue;
        }
      }
      texts.set(file, new LineIndex(text));
      const root = gitRoot(path.dirname(file)) ?? path.dirname(file);
      const access = diskFiles(kind === 'dockerfile' ? path.dirname(file) : root, (f) => overlay.get(f));
      const res = kind === 'dockerfile'
        ? analyzeDockerfile(file, text, { config, files: access })
        : analyzeYaml(file, text, { config, files: access, dockerfileForImage: (img) => dockerfileFor(img, config, root) });
      for (const c of res.chains) {
        for (const h of (c as { scripts?: Array<{ source: { file: string; text: string } }> }).scripts ?? []) {
          if (!texts.has(h.source.file)) texts.set(h.source.file, new LineIndex(h.source.text));
          scriptsReported.add(h.source.file);
          pendingScripts.delete(h.source.file);
        }
      }
      findings.push(...res.findings);
    }
    if (!quiet) for (const f of pendingScripts) err(`stopcheck: ${displayPath(f, cwd)}: start scripts are checked through the Dockerfile that runs them; no Dockerfile among the given paths runs it`);
    // A script run by several Dockerfiles is reported once per place.
    const seen = new Set<string>();
    const unique = findings.filter((f) => {
      const k = `${f.rule}|${f.file}|${f.range.start.line}:${f.range.start.character}-${f.range.end.line}:${f.range.end.character}`;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    findings.length = 0;
    findings.push(...unique);

    return { findings, texts };
  };
  let { findings, texts } = runPass(false);
  if (o.fix) {
    const original = new Map<string, string>();
    for (let passNo = 0; passNo < 5; passNo++) {
      const edits = preferredEdits(findings);
      if (edits.size === 0) break;
      let changed = false;
      for (const [file, list] of edits) {
        const before = overlay.get(file) ?? readText(file);
        if (before === undefined) continue;
        const after = applyEdits(before, new LineIndex(before), list);
        if (after === before) continue;
        if (!stillParses(file, before, after)) {
          err(`stopcheck: not fixing ${displayPath(file, cwd)}: the result would not parse`);
          continue;
        }
        if (!original.has(file)) original.set(file, before);
        overlay.set(file, after);
        changed = true;
      }
      if (!changed) break;
      ({ findings, texts } = runPass(true));
    }
    for (const [file, before] of original) {
      const after = overlay.get(file)!;
      if (after === before) continue;
      if (o.dryRun) out(unifiedDiff(displayPath(file, cwd), before, after));
      else writeAtomic(file, after);
    }
    if (!o.dryRun && original.size) err(`stopcheck: fixed ${original.size} file(s)`);
  }
  if (o.fix && o.dryRun) {
    // The diff is the output; findings that remain decide the exit code.
  } else if (o.format === 'json') out(JSON.stringify(toJson(findings, cwd), null, 2));
  else if (o.format === 'sarif') out(JSON.stringify(toSarif(findings, cwd, (f) => texts.get(f.file)?.lineText(f.range.start.line) ?? ''), null, 2));
  else out(formatText(findings, cwd, process.stdout.isTTY === true && !process.env.NO_COLOR));
  if (unreadable) return 2;
  if (o.failOn === 'never') return 0;
  const threshold = RANK[o.failOn as Severity];
  return findings.some((f) => RANK[f.severity] >= threshold) ? 1 : 0;
}

export function simulateJson(chain: LaunchChain, cwd: string, findings: Finding[] = []): object {
  const j = simulationJson(chain, displayPath(chain.file, cwd), findings);
  const { summary: _s, killAtSeconds: _k, ...rest } = j;
  return rest;
}

async function simulate(o: Options, cwd: string, out: (s: string) => void, err: (s: string) => void): Promise<number> {
  if (!['text', 'json'].includes(o.format)) throw new UsageError(`--format must be text or json for simulate, got "${o.format}"`);
  if (o.paths.length !== 1) throw new UsageError('simulate takes exactly one file: a Dockerfile, Compose file or Kubernetes manifest');
  if (!o.live && (o.timeScale !== undefined || o.settle !== undefined)) throw new UsageError('--time-scale and --settle go with --live');
  const file = path.resolve(cwd, o.paths[0]);
  let text: string | undefined;
  try {
    text = readText(file);
  } catch (e) {
    err(`stopcheck: cannot read ${o.paths[0]}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (e as Error).message}`);
    return 2;
  }
  if (text === undefined) {
    err(`stopcheck: cannot simulate ${o.paths[0]}: not a text file`);
    return 2;
  }
  let config = loadConfig(o.config, cwd, err);
  if (o.grace !== undefined) config = { ...config, gracePeriods: { ...config.gracePeriods, docker: o.grace } };
  await initParsers();
  let chains: LaunchChain[];
  let simFindings: Finding[] = [];
  let liveModel: DockerfileModel | undefined;
  if (fileKind(file) === 'yaml') {
    if (o.grace !== undefined) config = { ...config, gracePeriods: { docker: o.grace, compose: o.grace, kubernetes: o.grace } };
    const root = gitRoot(path.dirname(file)) ?? path.dirname(file);
    const dockerfiles = listFiles(root).filter((f) => fileKind(f) === 'dockerfile');
    const res = analyzeYaml(file, text, {
      config, files: diskFiles(root),
      dockerfileForImage: (img) => {
        const df = matchImageToDockerfile(img, dockerfiles, config.images, root);
        const t = df && diskFiles(root).exists(df) ? readText(df) : undefined; // not outside the repository
        return df && t !== undefined ? { file: df, text: t, contextDir: path.dirname(df), how: displayPath(df, cwd) } : undefined;
      },
    });
    if (res.model.kind !== 'kubernetes' && res.model.kind !== 'compose') {
      err(`stopcheck: ${o.paths[0]} is not a Kubernetes manifest or Compose file${res.model.kind === 'template' ? ' (Helm templates are skipped)' : ''}`);
      return 2;
    }
    simFindings = [...res.findings];
    // Fixes in the image's Dockerfile and scripts change these verdicts too.
    for (const df of new Set(res.chains.map((c) => c.dockerfile).filter((d): d is DockerfileSource => !!d))) {
      simFindings.push(...analyzeDockerfile(df.file, df.text, { config, files: diskFiles(df.contextDir), target: df.target }).findings);
    }
    chains = res.chains.filter((c) => (o.service === undefined || c.service?.name.value === o.service) && (o.container === undefined || c.container?.name.value === o.container));
    if ((o.service !== undefined || o.container !== undefined) && chains.length === 0) {
      err(`stopcheck: no ${o.service !== undefined ? `service "${o.service}"` : `container "${o.container}"`} in ${o.paths[0]}`);
      return 2;
    }
  } else {
    const res = analyzeDockerfile(file, text, { config, target: o.target, files: diskFiles(path.dirname(file)) });
    simFindings = res.findings;
    liveModel = res.model;
    if (o.target !== undefined && res.chains.length === 0) {
      err(`stopcheck: no stage "${o.target}" in ${o.paths[0]}`);
      return 2;
    }
    chains = o.target === undefined ? res.chains.slice(-1) : res.chains;
  }
  const live = o.live
    ? await runChainsLive(chains, {
      model: liveModel, contextDir: path.dirname(file), err, label: (c) => `${displayPath(c.file, cwd)} [${c.target}]`,
      timeScale: o.timeScale, settleMs: o.settle !== undefined ? Math.round(o.settle * 1000) : undefined,
    })
    : undefined;
  const liveJson = (i: number): object => {
    const r = live?.outcomes[i];
    if (!r) return {};
    return r.observed ? { observed: r.observed, liveCommand: r.command } : { observed: null, liveError: r.error };
  };
  if (o.format === 'json') out(JSON.stringify(chains.map((c, i) => ({ ...simulateJson(c, cwd, simFindings), ...liveJson(i) })), null, 2));
  else {
    const color = process.stdout.isTTY === true && !process.env.NO_COLOR;
    out(chains.map((c, i) => {
      const fx = fixFor(c, simFindings);
      const r = live?.outcomes[i];
      const liveLines = !r ? [] : r.observed ? describeLive(r.observed, c.outcome.verdict, color) : [`  live: not run: ${r.error}`];
      return [...describeTimeline({ ...c, file: displayPath(c.file, cwd) }), ...(fx ? [`  fix: ${fx.fix.title} (${fx.finding.rule})`] : []), ...liveLines].join('\n');
    }).join('\n\n'));
  }
  if (live?.interruptedBy !== undefined) return 128 + live.interruptedBy;
  return 0;
}

export async function main(argv: string[], cwd = process.cwd(),
  out: (s: string) => void = (s) => process.stdout.write(s + '\n'),
  err: (s: string) => void = (s) => process.stderr.write(s + '\n')): Promise<number> {
  try {
    const o = parseArgs(argv);
    switch (o.command) {
      case 'help': out(HELP); return 0;
      case '': err(HELP); return 2; // no command: a usage error, so not on stdout
      case 'version': out(VERSION); return 0;
      case 'lint': return await lint(o, cwd, out, err);
      case 'simulate': return await simulate(o, cwd, out, err);
      case 'rules':
        for (const r of ALL_RULES) out(`${r.id}  ${r.defaultSeverity.padEnd(7)}  ${r.name.padEnd(30)} ${r.summary}`);
        return 0;
      default: throw new UsageError(`unknown command "${o.command}"`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      err(`stopcheck: ${e.message}\nRun "stopcheck --help" for usage.`);
      return 2;
    }
    err(`stopcheck: internal error: ${(e as Error).stack ?? e}`);
    return 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  }, (e) => {
    process.stderr.write(`stopcheck: ${(e as Error).stack ?? e}\n`);
    process.exitCode = 2;
  });
}

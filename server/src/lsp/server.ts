// The LSP adapter: documents in, diagnostics and hovers out. All analysis is the core's; the
// workspace index (workspace.ts) knows which file runs which, so editing a start script updates the
// Dockerfile, Compose file or manifest that runs it, open or not.
import * as fs from 'fs';
import * as path from 'path';
import { fileURLToPath, pathToFileURL } from 'url';
import {
  type Connection, type Diagnostic, DiagnosticSeverity, type Hover, type InitializeParams, type InitializeResult,
  MarkupKind, TextDocuments, CodeActionKind, type CodeAction, type WorkspaceEdit, type TextEdit as LspTextEdit, TextDocumentSyncKind, DidChangeConfigurationNotification, type WorkspaceFolder, FileChangeType,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import '../core/runtime'; // registers the Python grammar's loader
import { withGrammars } from '../core/grammar';
import { buildDockerChain } from '../core/dockerfile';
import { analyzeDockerfile, analyzeYaml, fileKind } from '../core/analyze';
import { CONFIG_FILE, DEFAULT_CONFIG, mergeConfig, type StopcheckConfig } from '../core/config';
import { docsUrl, type Finding, comparePos, type Range, type Position } from '../core/types';
import { describeChainMarkdown, describeTimeline } from '../core/describe';
import type { LaunchChain } from '../core/chain';
import { WorkspaceIndex } from './workspace';
import { fixFor, simulationJson } from '../core/simulate/static';
import { registerLive } from './live';

export interface ServerOptions {
  /** Milliseconds to wait after an edit before analysing (newer edits cancel older ones). */
  debounceMs?: number;
}

export const DESCRIBE_COMMAND = 'stopcheck.server.describe';
export const FIX_ALL_KIND = 'source.fixAll.stopcheck';
export const SIMULATE_COMMAND = 'stopcheck.server.simulate';

const SETTINGS_TIMEOUT_MS = 3000;

export function startServer(connection: Connection, opts: ServerOptions = {}): void {
  const documents = new TextDocuments(TextDocument);
  const debounceMs = opts.debounceMs ?? 40;
  let folders: WorkspaceFolder[] = [];
  let canPullConfig = false;
  let editorSettings: unknown;
  const fileConfigs = new Map<string, unknown>();
  const pending = new Map<string, NodeJS.Timeout>();
  /** Files we published non-empty diagnostics for (to clear them when they go away). */
  const published = new Set<string>();
  /**
   * Run an analysis, loading the grammars it turns out to need (each once, logged): nothing is loaded
   * at start-up, so a workspace whose files need no shell or Python parser never loads one.
   */
  const analysed = <T>(fn: () => T): Promise<T> => withGrammars(fn, (g, ms) => connection.console.log(`stopcheck: loaded the ${g} grammar in ${ms} ms`));
  const analyse = (file: string): Promise<Set<string>> => analysed(() => index.analyse(file));
  // Resolves once the editor's settings have been read at startup: nothing is analysed before, so
  // documents opened right after `initialized` are not analysed (and cached) with default settings.
  let settingsReady: Promise<void> = Promise.resolve();
  let scanned = false;

  const index = new WorkspaceIndex({
    openText: (file) => {
      const d = documents.get(keyToUri(file));
      return d ? { text: d.getText(), version: d.version } : undefined;
    },
    configFor: (file) => configFor(file),
    rootFor: (file) => folderOf(file) ?? path.dirname(file),
    log: (m) => connection.console.error(m),
    kindOf: (file) => {
      const d = documents.get(keyToUri(file));
      if (d?.languageId === 'dockerfile') return 'dockerfile';
      if (d && (d.languageId === 'dockercompose' || d.languageId === 'yaml') && fileKind(file) !== 'dockerfile') return 'yaml';
      return undefined;
    },
  });

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    folders = params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: 'root' }] : []);
    canPullConfig = !!params.capabilities.workspace?.configuration;
    const init = params.initializationOptions as { settings?: unknown } | undefined;
    if (init?.settings) editorSettings = init.settings;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND] },
        executeCommandProvider: { commands: [DESCRIBE_COMMAND, SIMULATE_COMMAND] },
        codeLensProvider: { resolveProvider: false },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'stopcheck', version: typeof STOPCHECK_VERSION === 'string' ? STOPCHECK_VERSION : 'dev' },
    };
  });

  connection.onInitialized(async () => {
    settingsReady = refreshSettings(); // before any await: didOpen may be handled next
    if (connection.workspace) { // also with no folder yet: a client may add the first one later
      try {
        // Registered before any await: a change sent right after `initialized` is not lost.
        connection.workspace.onDidChangeWorkspaceFolders(async (e) => {
          await settingsReady;
          const removed = e.removed.map((r) => uriToPath(r.uri)).filter((p): p is string => !!p);
          folders = folders.filter((f) => !e.removed.some((r) => r.uri === f.uri)).concat(e.added);
          fileConfigs.clear();
          const touched = new Set<string>();
          for (const src of [...index.sources]) {
            if (removed.some((r) => src.startsWith(r + path.sep)) && !documents.get(keyToUri(src))) {
              index.results.get(src)?.findings.forEach((f) => touched.add(f.file));
              index.forget(src);
            }
          }
          const added = e.added.map((a) => uriToPath(a.uri)).filter((p): p is string => !!p);
          for (const f of index.scan(added)) (await analyse(f)).forEach((t) => touched.add(t));
          void publish(touched);
        });
      } catch {
        // client without workspace folder support
      }
    }
    if (canPullConfig) {
      try {
        await connection.client.register(DidChangeConfigurationNotification.type, { section: 'stopcheck' });
      } catch {
        // dynamic registration not supported: the client pushes settings with didChangeConfiguration
      }
    }
    await settingsReady;
    await scanWorkspace();
  });

  /** Longest the initial index runs before it lets edits, opens and requests through. */
  const SCAN_SLICE_MS = 10;

  /**
   * Index the workspace folders once, then publish what the files on disk already say. Done in
   * slices, open documents first: a document opened or edited meanwhile is answered between two
   * slices instead of after the whole workspace, and what it analysed is not analysed again.
   */
  async function scanWorkspace(): Promise<void> {
    if (scanned) return;
    scanned = true;
    const roots = folders.map((f) => uriToPath(f.uri)).filter((p): p is string => !!p);
    if (roots.length === 0) return;
    const started = Date.now();
    const files = index.scan(roots);
    const open = new Set(documents.all().map((d) => uriKey(d.uri)));
    const queue = [...files.filter((f) => open.has(f)), ...files.filter((f) => !open.has(f))];
    const before = new Map(queue.map((f) => [f, index.results.get(f)]));
    let touched = new Set<string>();
    let slice = Date.now();
    for (const f of queue) {
      // Analysed since the scan began (opened, edited, a dependency changed): not twice.
      const r = index.results.get(f);
      if (r && r !== before.get(f)) continue;
      (await analyse(f)).forEach((t) => touched.add(t));
      // An open document's diagnostics go out at once; the rest of the workspace's by slice.
      if (open.has(f) || Date.now() - slice >= SCAN_SLICE_MS) {
        const batch = touched;
        touched = new Set();
        await publish(batch);
        await new Promise<void>((resolve) => setImmediate(resolve));
        slice = Date.now();
      }
    }
    await publish(touched);
    connection.console.log(`stopcheck: indexed ${files.length} file(s) in ${Date.now() - started} ms`);
  }

  async function refreshSettings(): Promise<void> {
    if (!canPullConfig) return;
    try {
      const timeout = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), SETTINGS_TIMEOUT_MS).unref());
      const got = await Promise.race([connection.workspace.getConfiguration([{ section: 'stopcheck' }]), timeout]);
      if (got) editorSettings = got[0];
      else connection.console.warn('stopcheck: the client did not answer workspace/configuration; using defaults');
    } catch (e) {
      connection.console.log(`stopcheck: could not read settings: ${(e as Error).message}`);
    }
  }

  connection.onDidChangeConfiguration(async (change) => {
    const s = (change.settings as { stopcheck?: unknown } | undefined)?.stopcheck;
    if (s !== undefined) editorSettings = s;
    else await refreshSettings();
    void reanalyseAll().catch((e) => connection.console.error(`stopcheck: ${(e as Error).stack ?? e}`));
  });

  connection.onDidChangeWatchedFiles(async (e) => {
    await settingsReady;
    if (e.changes.some((c) => c.uri.endsWith(CONFIG_FILE))) {
      fileConfigs.clear();
      void reanalyseAll().catch((e) => connection.console.error(`stopcheck: ${(e as Error).stack ?? e}`));
    }
    const touched = new Set<string>();
    for (const c of e.changes) {
      const file = uriToPath(c.uri);
      if (!file || documents.get(c.uri)) continue; // open documents are tracked through their edits
      if (c.type === FileChangeType.Deleted) {
        if (index.sources.has(file)) {
          index.results.get(file)?.findings.forEach((f) => touched.add(f.file));
          index.forget(file);
          touched.add(file);
        }
      } else if (c.type === FileChangeType.Created && index.isSource(file)) {
        index.sources.add(file);
      }
      for (const src of index.dependents(file)) (await analyse(src)).forEach((t) => touched.add(t));
    }
    await publish(touched);
  });

  function folderOf(file: string): string | undefined {
    let best: string | undefined;
    for (const f of folders) {
      const p = uriToPath(f.uri);
      if (p && (file === p || file.startsWith(p.endsWith('/') ? p : p + '/')) && (!best || p.length > best.length)) best = p;
    }
    return best;
  }

  /** Editor settings first, then the repository's .stopcheck.json over them (the project decides). */
  function configFor(file: string): StopcheckConfig {
    const root = folderOf(file) ?? path.dirname(file);
    let raw = fileConfigs.get(root);
    if (raw === undefined) {
      raw = null;
      const cfgPath = path.join(root, CONFIG_FILE);
      try {
        // Regular files only: reading a FIFO named .stopcheck.json would block the server for good.
        if (fs.existsSync(cfgPath) && fs.statSync(cfgPath).isFile()) raw = JSON.parse(fs.readFileSync(cfgPath, 'utf8')) as unknown;
      } catch (e) {
        connection.console.warn(`stopcheck: cannot read ${cfgPath}: ${(e as Error).message}`);
      }
      fileConfigs.set(root, raw);
    }
    const editor = mergeConfig(DEFAULT_CONFIG, cleanSettings(editorSettings), 'settings');
    const merged = mergeConfig(editor.config, raw, CONFIG_FILE);
    [...editor.problems, ...merged.problems].forEach((p) => connection.console.warn(`stopcheck: ${p}`));
    return merged.config;
  }

  function isSourceDoc(doc: TextDocument): boolean {
    if (doc.languageId === 'dockerfile' || doc.languageId === 'dockercompose') return true;
    const file = uriToPath(doc.uri) ?? doc.uri;
    const k = fileKind(file);
    return k === 'dockerfile' || k === 'yaml';
  }

  async function publish(files: Iterable<string>): Promise<void> {
    for (const file of new Set(files)) {
      const uri = keyToUri(file);
      const doc = documents.get(uri);
      const diagnostics = index.findingsFor(file).map(toDiagnostic);
      const relevant = doc !== undefined && (isSourceDoc(doc) || index.dependents(file).length > 0);
      if (diagnostics.length === 0 && !published.has(file) && !relevant) continue;
      if (diagnostics.length) published.add(file);
      else published.delete(file);
      await connection.sendDiagnostics({ uri, version: doc?.version, diagnostics });
    }
  }

  async function reanalyseAll(): Promise<void> {
    const touched = new Set<string>();
    for (const src of [...index.sources]) (await analyse(src)).forEach((t) => touched.add(t));
    for (const d of documents.all()) touched.add(uriKey(d.uri));
    await publish(touched);
  }

  /** A document changed: re-analyse it if it is a source, and every source that reads it. */
  async function changed(doc: TextDocument): Promise<void> {
    await settingsReady;
    const current = documents.get(doc.uri);
    if (!current || current.version !== doc.version) return; // a newer edit is queued
    const key = uriKey(doc.uri);
    const touched = new Set<string>([key]);
    if (isSourceDoc(doc)) index.sources.add(key);
    for (const src of new Set([...(isSourceDoc(doc) ? [key] : []), ...index.dependents(key)])) {
      (await analyse(src)).forEach((t) => touched.add(t));
    }
    await publish(touched);
  }

  function schedule(doc: TextDocument, delay = debounceMs): void {
    const old = pending.get(doc.uri);
    if (old) clearTimeout(old);
    pending.set(doc.uri, setTimeout(() => {
      pending.delete(doc.uri);
      const current = documents.get(doc.uri);
      if (current) void changed(current).catch((e) => connection.console.error(`stopcheck: ${(e as Error).stack ?? e}`));
    }, delay));
  }

  documents.onDidOpen((e) => schedule(e.document, 0));
  documents.onDidChangeContent((e) => schedule(e.document));
  documents.onDidClose((e) => {
    const t = pending.get(e.document.uri);
    if (t) clearTimeout(t);
    pending.delete(e.document.uri);
    const key = uriKey(e.document.uri);
    void (async () => {
      await settingsReady;
      // The file on disk (if any) is what counts now.
      const touched = new Set<string>([key]);
      const onDisk = uriToPath(e.document.uri) !== undefined && fs.existsSync(key);
      if (!onDisk && index.sources.has(key)) {
        index.results.get(key)?.findings.forEach((f) => touched.add(f.file));
        index.forget(key);
      }
      for (const src of index.dependents(key)) if (onDisk || src !== key) (await analyse(src)).forEach((t) => touched.add(t));
      if (!onDisk) {
        published.delete(key);
        await connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
        touched.delete(key);
      }
      await publish(touched);
    })();
  });

  /** The chain under the cursor: the Dockerfile stage, the container or service, or the script line. */
  function chainAt(doc: TextDocument, pos: Position): { chain: LaunchChain; range: Range } | undefined {
    const key = uriKey(doc.uri);
    const r = index.results.get(key);
    if (r?.kind === 'dockerfile' && r.dockerModel) {
      const model = r.dockerModel;
      const ins = model.ast.getInstructions().find((i) => {
        const rr = i.getRange();
        return comparePos(rr.start, pos) <= 0 && comparePos(pos, rr.end) <= 0;
      });
      if (!ins || !['FROM', 'CMD', 'ENTRYPOINT', 'SHELL', 'STOPSIGNAL'].includes(ins.getKeyword())) return undefined;
      const stage = [...model.stages].reverse().find((s) => comparePos(s.from.getRange().start, pos) <= 0);
      if (!stage) return undefined;
      // A stage nobody runs directly still gets the chain its CMD would have.
      const chain = (r.chains as Array<LaunchChain & { stage?: unknown }>).find((c) => c.stage === stage)
        ?? buildDockerChain(model, stage, { gracePeriodSeconds: configFor(key).gracePeriods.docker });
      return { chain, range: ins.getRange() };
    }
    if (r?.kind === 'yaml') {
      for (const c of r.chains as Array<LaunchChain & { container?: { range: Range }; service?: { range: Range; name: { range: Range } } }>) {
        const ranges = [c.container?.range, c.service?.range, c.service?.name.range].filter((x): x is Range => !!x);
        const hit = ranges.find((rr) => comparePos(rr.start, pos) <= 0 && comparePos(pos, rr.end) <= 0);
        if (hit) return { chain: c, range: hit };
      }
      return undefined;
    }
    // A start script: hover on a line the chain passes through.
    for (const { chain } of index.chainsFor(key)) {
      const p = chain.processes.find((x) => x.origin?.file === key && x.origin.range.start.line === pos.line);
      if (p?.origin) return { chain, range: p.origin.range };
      for (const h of (chain as LaunchChain & { scripts?: Array<{ source: { file: string; lineOffset: number }; terminal?: { range: Range } }> }).scripts ?? []) {
        const t = h.terminal;
        if (h.source.file === key && t && t.range.start.line + h.source.lineOffset === pos.line) {
          return { chain, range: { start: { line: pos.line, character: t.range.start.character }, end: { line: pos.line, character: t.range.end.character } } };
        }
      }
    }
    return undefined;
  }

  connection.onHover(async (params): Promise<Hover | null> => {
    await settingsReady;
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return null;
    const key = uriKey(doc.uri);
    if (isSourceDoc(doc)) {
      const r = index.results.get(key);
      if (!r || r.version !== doc.version) await analyse(key);
    }
    // A stage nobody runs gets its chain built here, which may need a grammar too.
    const hit = await analysed(() => chainAt(doc, params.position));
    if (!hit) return null;
    return { contents: { kind: MarkupKind.Markdown, value: describeChainMarkdown(hit.chain) }, range: hit.range };
  });

  function workspaceEdit(edits: import('../core/types').TextEdit[]): WorkspaceEdit {
    const changes: Record<string, LspTextEdit[]> = {};
    for (const e of edits) (changes[keyToUri(e.file)] ??= []).push({ range: e.range, newText: e.newText });
    return { changes };
  }

  function overlaps(a: Range, b: Range): boolean {
    return comparePos(a.start, b.end) <= 0 && comparePos(b.start, a.end) <= 0;
  }

  connection.onCodeAction(async (params): Promise<CodeAction[]> => {
    await settingsReady;
    const doc = documents.get(params.textDocument.uri);
    if (!doc) return [];
    const key = uriKey(doc.uri);
    // Make sure the findings are for this version of every file involved.
    for (const src of new Set([...(isSourceDoc(doc) ? [key] : []), ...index.dependents(key)])) {
      const r = index.results.get(src);
      if (!r || (src === key && r.version !== doc.version)) await analyse(src);
    }
    const findings = index.findingsFor(key);
    const only = params.context.only;
    const actions: CodeAction[] = [];
    if (only?.some((k) => FIX_ALL_KIND.startsWith(k) || k === CodeActionKind.SourceFixAll)) {
      const edits: import('../core/types').TextEdit[] = [];
      const taken: Range[] = [];
      for (const f of findings) {
        const fix = f.fixes.find((x) => x.preferred);
        if (!fix || fix.edits.some((e) => e.file !== key)) continue;
        if (fix.edits.some((e) => taken.some((t) => overlaps(t, e.range)))) continue;
        fix.edits.forEach((e) => taken.push(e.range));
        edits.push(...fix.edits);
      }
      if (edits.length) actions.push({ title: 'stopcheck: fix all', kind: FIX_ALL_KIND, edit: workspaceEdit(edits) });
      return actions;
    }
    if (only && !only.some((k) => CodeActionKind.QuickFix.startsWith(k))) return [];
    for (const f of findings) {
      if (!overlaps(f.range, params.range)) continue;
      const diag = params.context.diagnostics.find((d) => d.code === f.rule && comparePos(d.range.start, f.range.start) === 0 && comparePos(d.range.end, f.range.end) === 0) ?? toDiagnostic(f);
      for (const fix of f.fixes) {
        actions.push({ title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [diag], isPreferred: fix.preferred === true, edit: workspaceEdit(fix.edits) });
      }
    }
    return actions;
  });

  connection.onExecuteCommand(async (params) => {
    await settingsReady;
    if (params.command === SIMULATE_COMMAND) return simulate(String(params.arguments?.[0] ?? ''), params.arguments?.[1]);
    if (params.command !== DESCRIBE_COMMAND) return null;
    const uri = String(params.arguments?.[0] ?? '');
    const doc = documents.get(uri);
    const file = uriToPath(uri);
    let text = doc?.getText();
    if (text === undefined && file) {
      try {
        if (!fs.statSync(file).isFile()) return { error: `not a regular file: ${uri}` }; // a FIFO would block
        text = fs.readFileSync(file, 'utf8');
      } catch {
        return { error: `cannot read ${uri}` };
      }
    }
    if (text === undefined || !file) return { error: `not a file: ${uri}` };
    const isYaml = fileKind(file) === 'yaml' || doc?.languageId === 'dockercompose';
    const r = index.results.get(file);
    const src = text;
    const chains: LaunchChain[] = r && (!doc || r.version === doc.version) ? r.chains
      : await analysed(() => (isYaml ? analyzeYaml(file, src, { config: configFor(file) }).chains : analyzeDockerfile(file, src, { config: configFor(file) }).chains));
    return { chains: chains.map((c) => ({ target: c.target, verdict: c.outcome.verdict, timeline: describeTimeline({ ...c, file: path.basename(c.file) }) })) };
  });

  /** Fresh analysis of a source document (open or on disk). */
  async function resultFor(uri: string) {
    const key = uriKey(uri);
    const doc = documents.get(uri);
    let r = index.results.get(key);
    if (!r || (doc && r.version !== doc.version)) {
      if (!doc && !index.isSource(key)) return undefined;
      await analyse(key);
      r = index.results.get(key);
    }
    return r;
  }

  /** Where to put the "Simulate stop" lens of a chain. */
  function lensRange(c: LaunchChain): Range | undefined {
    const x = c as LaunchChain & { stage?: { cmd?: { instruction: { getRange(): Range } ; stage: unknown }; entrypoint?: { instruction: { getRange(): Range }; stage: unknown } }; container?: { name: { range: Range } }; service?: { name: { range: Range } } };
    if (x.container) return x.container.name.range;
    if (x.service) return x.service.name.range;
    const own = [x.stage?.cmd, x.stage?.entrypoint].filter((i) => i && i.stage === x.stage);
    return own[0]?.instruction.getRange();
  }

  connection.onCodeLens(async (params) => {
    await settingsReady;
    const r = await resultFor(params.textDocument.uri);
    if (!r) return [];
    const lenses = [];
    for (let i = 0; i < r.chains.length; i++) {
      const range = lensRange(r.chains[i]);
      if (!range) continue;
      const v = r.chains[i].outcome.verdict;
      lenses.push({ range: { start: range.start, end: range.start }, command: { title: `Simulate stop (${v === 'cut-short' ? 'cut short' : v === 'fails-to-start' ? 'fails to start' : v})`, command: 'stopcheck.simulate', arguments: [params.textDocument.uri, i] } });
    }
    return lenses;
  });

  async function simulate(uri: string, which: unknown) {
    const r = await resultFor(uri);
    if (!r) return { error: `not a Dockerfile, Compose file or Kubernetes manifest: ${uri}` };
    const key = uriKey(uri);
    const all = [...new Set([key, ...r.deps])].flatMap((f) => index.findingsFor(f));
    const picked = typeof which === 'number' ? r.chains.slice(which, which + 1) : r.chains;
    return {
      simulations: picked.map((c) => {
        const json = simulationJson(c, path.basename(c.file), all);
        const fx = fixFor(c, all);
        return {
          ...json,
          timeline: describeTimeline({ ...c, file: path.basename(c.file) }),
          fixEdit: fx ? { title: fx.fix.title, rule: fx.finding.rule, edit: workspaceEdit(fx.fix.edits) } : null,
        };
      }),
    };
  }

  const live = registerLive(connection, {
    resultFor, uriToPath, log: (m) => connection.console.log(m),
    ready: () => settingsReady,
  });
  connection.onExit(() => void live.abortAll('exit'));

  connection.onShutdown(async () => {
    await live.abortAll('shutdown');
    for (const t of pending.values()) clearTimeout(t);
    pending.clear();
  });

  documents.listen(connection);
  connection.listen();
}

declare const STOPCHECK_VERSION: string;

function cleanSettings(s: unknown): unknown {
  if (!s || typeof s !== 'object') return undefined;
  const o = { ...(s as Record<string, unknown>) };
  delete o.trace;
  return o;
}

export function toDiagnostic(f: Finding): Diagnostic {
  return {
    range: f.range,
    severity: f.severity === 'error' ? DiagnosticSeverity.Error : f.severity === 'warning' ? DiagnosticSeverity.Warning : DiagnosticSeverity.Information,
    code: f.rule,
    codeDescription: { href: docsUrl(f.rule) },
    source: 'stopcheck',
    message: f.message,
    relatedInformation: f.related.map((r) => ({ location: { uri: keyToUri(r.file), range: r.range }, message: r.message })),
  };
}

export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/** Index key of a document: its path for file URIs, the URI itself otherwise (untitled documents). */
function uriKey(uri: string): string {
  return uriToPath(uri) ?? uri;
}

function keyToUri(key: string): string {
  return path.isAbsolute(key) ? pathToFileURL(key).toString() : key;
}

export function pathToUri(p: string): string {
  return pathToFileURL(p).toString();
}

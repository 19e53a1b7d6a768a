// The LSP adapter: documents in, diagnostics and hovers out. All analysis is the core's.
import * as fs from 'fs';
import * as path from 'path';
import { fileURLToPath, pathToFileURL } from 'url';
import {
  type Connection, type Diagnostic, DiagnosticSeverity, type Hover, type InitializeParams, type InitializeResult,
  MarkupKind, TextDocuments, TextDocumentSyncKind, DidChangeConfigurationNotification, type WorkspaceFolder,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { initShellParser } from '../core/shell';
import { buildDockerChain } from '../core/dockerfile';
import { analyzeDockerfile, fileKind, type DockerfileAnalysis } from '../core/analyze';
import { CONFIG_FILE, DEFAULT_CONFIG, mergeConfig, type StopcheckConfig } from '../core/config';
import { docsUrl, type Finding, type Position } from '../core/types';
import { describeChainMarkdown, describeTimeline } from '../core/describe';
import { comparePos } from '../core/types';

export interface ServerOptions {
  /** Milliseconds to wait after an edit before analysing (newer edits cancel older ones). */
  debounceMs?: number;
}

export const DESCRIBE_COMMAND = 'stopcheck.server.describe';

export function startServer(connection: Connection, opts: ServerOptions = {}): void {
  const documents = new TextDocuments(TextDocument);
  const debounceMs = opts.debounceMs ?? 40;
  let folders: WorkspaceFolder[] = [];
  let canPullConfig = false;
  let editorSettings: unknown;
  const fileConfigs = new Map<string, unknown>();
  const pending = new Map<string, NodeJS.Timeout>();
  const cache = new Map<string, { version: number; result: DockerfileAnalysis }>();
  const ready = initShellParser();
  // Resolves once the editor's settings have been read at startup: nothing is analysed before, so
  // documents opened right after `initialized` are not analysed (and cached) with default settings.
  let settingsReady: Promise<void> = Promise.resolve();

  const log = (s: string) => connection.console.log(s);

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    folders = params.workspaceFolders ?? (params.rootUri ? [{ uri: params.rootUri, name: 'root' }] : []);
    canPullConfig = !!params.capabilities.workspace?.configuration;
    const init = params.initializationOptions as { settings?: unknown } | undefined;
    if (init?.settings) editorSettings = init.settings;
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        hoverProvider: true,
        executeCommandProvider: { commands: [DESCRIBE_COMMAND] },
        workspace: { workspaceFolders: { supported: true, changeNotifications: true } },
      },
      serverInfo: { name: 'stopcheck', version: typeof STOPCHECK_VERSION === 'string' ? STOPCHECK_VERSION : 'dev' },
    };
  });

  connection.onInitialized(async () => {
    settingsReady = refreshSettings(); // before any await: didOpen may be handled next
    if (canPullConfig) {
      try {
        await connection.client.register(DidChangeConfigurationNotification.type, { section: 'stopcheck' });
      } catch {
        // dynamic registration not supported: the client pushes settings with didChangeConfiguration
      }
    }
    if (folders.length && connection.workspace) {
      try {
        connection.workspace.onDidChangeWorkspaceFolders((e) => {
          folders = folders.filter((f) => !e.removed.some((r) => r.uri === f.uri)).concat(e.added);
          fileConfigs.clear();
          revalidateAll();
        });
      } catch {
        // client without workspace folder support
      }
    }
    await settingsReady;
  });

  async function refreshSettings(): Promise<void> {
    if (canPullConfig) {
      try {
        const [s] = await connection.workspace.getConfiguration([{ section: 'stopcheck' }]);
        editorSettings = s;
      } catch (e) {
        log(`stopcheck: could not read settings: ${(e as Error).message}`);
      }
    }
  }

  connection.onDidChangeConfiguration(async (change) => {
    const s = (change.settings as { stopcheck?: unknown } | undefined)?.stopcheck;
    if (s !== undefined) editorSettings = s;
    else await refreshSettings();
    cache.clear();
    revalidateAll();
  });

  connection.onDidChangeWatchedFiles((e) => {
    if (e.changes.some((c) => c.uri.endsWith(CONFIG_FILE))) {
      fileConfigs.clear();
      cache.clear();
      revalidateAll();
    }
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
        if (fs.existsSync(cfgPath)) raw = JSON.parse(fs.readFileSync(cfgPath, 'utf8')) as unknown;
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

  function isServed(doc: TextDocument): boolean {
    const file = uriToPath(doc.uri);
    return doc.languageId === 'dockerfile' || (file !== undefined && fileKind(file) === 'dockerfile');
  }

  function analyse(doc: TextDocument): DockerfileAnalysis | undefined {
    const file = uriToPath(doc.uri) ?? doc.uri;
    const hit = cache.get(doc.uri);
    if (hit && hit.version === doc.version) return hit.result;
    try {
      const result = analyzeDockerfile(file, doc.getText(), { config: configFor(file) });
      cache.set(doc.uri, { version: doc.version, result });
      return result;
    } catch (e) {
      connection.console.error(`stopcheck: analysis of ${doc.uri} failed: ${(e as Error).stack ?? e}`);
      return undefined;
    }
  }

  async function validate(doc: TextDocument): Promise<void> {
    await ready;
    await settingsReady;
    if (documents.get(doc.uri)?.version !== doc.version) return; // a newer edit is queued
    if (!isServed(doc)) return;
    const result = analyse(doc);
    if (!result) return;
    const diagnostics = result.findings.map((f) => toDiagnostic(f));
    await connection.sendDiagnostics({ uri: doc.uri, version: doc.version, diagnostics });
  }

  function schedule(doc: TextDocument, delay = debounceMs): void {
    const old = pending.get(doc.uri);
    if (old) clearTimeout(old);
    pending.set(doc.uri, setTimeout(() => {
      pending.delete(doc.uri);
      const current = documents.get(doc.uri);
      if (current) void validate(current);
    }, delay));
  }

  function revalidateAll(): void {
    for (const d of documents.all()) schedule(d, 0);
  }

  documents.onDidOpen((e) => schedule(e.document, 0));
  documents.onDidChangeContent((e) => schedule(e.document));
  documents.onDidClose((e) => {
    const t = pending.get(e.document.uri);
    if (t) clearTimeout(t);
    pending.delete(e.document.uri);
    cache.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });

  connection.onHover(async (params): Promise<Hover | null> => {
    await ready;
    await settingsReady;
    const doc = documents.get(params.textDocument.uri);
    if (!doc || !isServed(doc)) return null;
    const result = analyse(doc);
    if (!result) return null;
    const pos = params.position;
    const ins = result.model.ast.getInstructions().find((i) => {
      const r = i.getRange();
      return comparePos(r.start, pos) <= 0 && comparePos(pos, r.end) <= 0;
    });
    if (!ins || !['FROM', 'CMD', 'ENTRYPOINT', 'SHELL', 'STOPSIGNAL'].includes(ins.getKeyword())) return null;
    const stage = [...result.model.stages].reverse().find((s) => comparePos(s.from.getRange().start, pos) <= 0);
    if (!stage) return null;
    // A stage nobody runs directly still gets the chain its CMD would have.
    const chain = result.chains.find((c) => c.stage === stage)
      ?? buildDockerChain(result.model, stage, { gracePeriodSeconds: configFor(result.model.file).gracePeriods.docker });
    return { contents: { kind: MarkupKind.Markdown, value: describeChainMarkdown(chain) }, range: ins.getRange() };
  });

  connection.onExecuteCommand(async (params) => {
    await ready;
    await settingsReady;
    if (params.command !== DESCRIBE_COMMAND) return null;
    const uri = String(params.arguments?.[0] ?? '');
    const doc = documents.get(uri);
    const file = uriToPath(uri);
    let text = doc?.getText();
    if (text === undefined && file) {
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        return { error: `cannot read ${uri}` };
      }
    }
    if (text === undefined || !file) return { error: `not a file: ${uri}` };
    const result = analyzeDockerfile(file, text, { config: configFor(file) });
    return { chains: result.chains.map((c) => ({ target: c.target, verdict: c.outcome.verdict, timeline: describeTimeline({ ...c, file: path.basename(file) }) })) };
  });

  connection.onShutdown(() => {
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
    relatedInformation: f.related.map((r) => ({ location: { uri: pathToUri(r.file), range: r.range }, message: r.message })),
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

export function pathToUri(p: string): string {
  return pathToFileURL(p).toString();
}

export type { Position };

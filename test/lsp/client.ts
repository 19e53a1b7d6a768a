// A minimal LSP client over stdio for the robustness suites (fuzz.test.ts, conformance.test.ts): starts
// dist/server.js --stdio and talks raw JSON-RPC, like server.test.ts (whose client this follows).
// Not a test file itself.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import {
  createMessageConnection, StreamMessageReader, StreamMessageWriter, CancellationTokenSource, type MessageConnection,
} from 'vscode-jsonrpc/node';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const SERVER = path.join(ROOT, 'dist', 'server.js');
export const TIMEOUT_MS = 15_000;

export interface Pos { line: number; character: number }
export interface Rng { start: Pos; end: Pos }
export interface Diag {
  range: Rng; severity?: number; code?: string | number; codeDescription?: { href: string };
  source?: string; message: string; relatedInformation?: unknown[];
}
export interface Publish { uri: string; version?: number; diagnostics: Diag[] }
export interface HoverResult { contents: { kind: string; value: string }; range?: Rng }
export interface DescribeResult { chains?: { target: string; verdict: string; timeline: string[] }[]; error?: string }

const tempDirs: string[] = [];
const clients: LspClient[] = [];

export function tempDir(): string {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'stopcheck-lsp-robust-')));
  tempDirs.push(d);
  return d;
}

/** Kill what is still running and remove the temp folders (call from `after`). */
export function cleanup(): void {
  for (const c of clients) c.kill();
  for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
}

export function uriOf(p: string): string {
  return pathToFileURL(p).toString();
}

export function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
}

export function withTimeout<T>(p: Promise<T>, what: string, ms = TIMEOUT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export function codes(p: Publish | undefined): string[] {
  return (p?.diagnostics ?? []).map((d) => String(d.code)).sort();
}

/** Processes whose parent is `pid` (to check that nothing is left running). */
export function childrenOf(pid: number): number[] {
  const r = spawnSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n').map((s) => s.trim()).filter(Boolean).map(Number);
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface StartOptions {
  /** Workspace folders; one fresh temp dir when omitted, none when []. */
  folders?: string[];
  settings?: unknown;
  /** processId sent in initialize (default: this process). */
  processId?: number | null;
  env?: Record<string, string>;
}

interface Waiter { uri: string; accept: (p: Publish) => boolean; resolve: (p: Publish) => void; reject: (e: Error) => void }

export class LspClient {
  readonly child: ChildProcess;
  readonly conn: MessageConnection;
  readonly folders: string[];
  readonly publishes: Publish[] = [];
  readonly logs: string[] = [];
  /** What the client answers to workspace/configuration for section 'stopcheck' (tests may change it). */
  settings: unknown;
  /** Every workspace/configuration request the server sent. */
  readonly configRequests: unknown[] = [];
  /** Set to hold back answers to workspace/configuration until the test releases them. */
  configGate: Promise<void> | undefined;
  stderr = '';
  lastPublishAt = Date.now();
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private waiters: Waiter[] = [];

  constructor(private readonly opts: StartOptions = {}) {
    this.folders = opts.folders ?? [tempDir()];
    this.settings = opts.settings ?? {};
    this.child = spawn(process.execPath, [SERVER, '--stdio'], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...opts.env } });
    this.child.stderr!.on('data', (b: Buffer) => { this.stderr += b.toString(); });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exitInfo = { code, signal };
        const err = new Error(`server exited (code ${code}, signal ${signal}); stderr:\n${this.stderr}`);
        for (const w of this.waiters.splice(0)) w.reject(err);
        resolve({ code, signal });
      });
    });
    this.conn = createMessageConnection(new StreamMessageReader(this.child.stdout!), new StreamMessageWriter(this.child.stdin!));
    this.conn.onRequest('workspace/configuration', async (p: { items: { section?: string }[] }) => {
      this.configRequests.push(p);
      if (this.configGate) await this.configGate;
      return p.items.map((i) => (i.section === 'stopcheck' ? this.settings : null));
    });
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onRequest('client/unregisterCapability', () => null);
    this.conn.onRequest('window/workDoneProgress/create', () => null);
    this.conn.onNotification('window/logMessage', (p: { message: string }) => { this.logs.push(p.message); });
    this.conn.onNotification('textDocument/publishDiagnostics', (p: Publish) => {
      this.publishes.push(p);
      this.lastPublishAt = Date.now();
      this.waiters = this.waiters.filter((w) => {
        if (w.uri !== p.uri || !w.accept(p)) return true;
        w.resolve(p);
        return false;
      });
    });
    this.conn.onError(() => { /* surfaced through exit and timeouts */ });
    this.conn.onClose(() => { /* the server went away */ });
    this.conn.listen();
    this.child.stdin!.on('error', () => { /* EPIPE after the server exited */ });
    clients.push(this);
  }

  async initialize(): Promise<Record<string, unknown>> {
    const folders = this.folders.map((f) => ({ uri: uriOf(f), name: path.basename(f) }));
    const result = await withTimeout(this.conn.sendRequest<Record<string, unknown>>('initialize', {
      processId: this.opts.processId === undefined ? process.pid : this.opts.processId,
      clientInfo: { name: 'stopcheck-robustness-test' },
      rootUri: folders[0]?.uri ?? null,
      workspaceFolders: folders.length ? folders : null,
      capabilities: {
        workspace: {
          configuration: true, didChangeConfiguration: { dynamicRegistration: true }, workspaceFolders: true,
          didChangeWatchedFiles: { dynamicRegistration: true }, executeCommand: { dynamicRegistration: false },
        },
        textDocument: {
          synchronization: { dynamicRegistration: false, didSave: true }, hover: { contentFormat: ['markdown', 'plaintext'] },
          publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true },
        },
      },
    }), 'initialize');
    await this.conn.sendNotification('initialized', {});
    return result;
  }

  /** The next publishDiagnostics for `uri` passing `accept`. Call BEFORE the action that causes it. */
  next(uri: string, accept: (p: Publish) => boolean = () => true, ms = TIMEOUT_MS): Promise<Publish> {
    if (this.exitInfo) return Promise.reject(new Error(`server already exited; stderr:\n${this.stderr}`));
    const p = new Promise<Publish>((resolve, reject) => this.waiters.push({ uri, accept, resolve, reject }));
    return withTimeout(p, `publishDiagnostics for ${uri}`, ms).catch((e: Error) => {
      const seen = this.publishes.filter((x) => x.uri === uri).map((x) => `v${x.version}: [${codes(x).join(', ')}]`);
      throw new Error(`${e.message}\nseen: ${seen.join(' | ') || 'none'}\nlog:\n${this.logs.join('\n')}\nstderr:\n${this.stderr}`);
    });
  }

  /** The first workspace folder. */
  get folder(): string {
    return this.folders[0];
  }

  /** next(), by version and/or predicate. */
  nextDiagnostics(uri: string, opts: { version?: number; pred?: (p: Publish) => boolean } = {}): Promise<Publish> {
    return this.next(uri, (p) => (opts.version === undefined || p.version === opts.version) && (!opts.pred || opts.pred(p)));
  }

  hover(uri: string, line: number, character: number): Promise<HoverResult | null> {
    return this.request<HoverResult | null>('textDocument/hover', { textDocument: { uri }, position: { line, character } });
  }

  describe(uri: string): Promise<DescribeResult> {
    return this.request<DescribeResult>('workspace/executeCommand', { command: 'stopcheck.server.describe', arguments: [uri] });
  }

  /** Pull model: the server is told settings changed and reads them back with workspace/configuration. */
  configChanged(): Promise<void> {
    return this.conn.sendNotification('workspace/didChangeConfiguration', { settings: null });
  }

  /** The last publish for `uri` so far. */
  last(uri: string): Publish | undefined {
    for (let i = this.publishes.length - 1; i >= 0; i--) if (this.publishes[i].uri === uri) return this.publishes[i];
    return undefined;
  }

  /** Resolves once no diagnostics have been published for `quietMs`. */
  async settle(quietMs = 1500, maxMs = 30_000): Promise<void> {
    const start = Date.now();
    this.lastPublishAt = Math.max(this.lastPublishAt, start);
    while (Date.now() - this.lastPublishAt < quietMs) {
      if (Date.now() - start > maxMs) throw new Error('diagnostics never settled');
      await sleep(100);
    }
  }

  open(uri: string, text: string, languageId = 'dockerfile', version = 1): Promise<void> {
    return this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version, text } });
  }

  change(uri: string, version: number, changes: ({ range: Rng; text: string } | { text: string })[]): Promise<void> {
    return this.conn.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
  }

  close(uri: string): Promise<void> {
    return this.conn.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  request<T>(method: string, params: unknown, cancelAfterMs?: number): Promise<T> {
    if (cancelAfterMs === undefined) return withTimeout(this.conn.sendRequest<T>(method, params), method);
    const cts = new CancellationTokenSource();
    const p = this.conn.sendRequest<T>(method, params, cts.token);
    setTimeout(() => cts.cancel(), cancelAfterMs);
    return withTimeout(p, `${method} (cancelled after ${cancelAfterMs} ms)`);
  }

  kill(): void {
    try { this.conn.dispose(); } catch { /* gone */ }
    if (this.exitInfo === undefined) this.child.kill('SIGKILL');
  }
}

export async function startClient(opts: StartOptions = {}): Promise<LspClient> {
  const c = new LspClient(opts);
  await c.initialize();
  return c;
}

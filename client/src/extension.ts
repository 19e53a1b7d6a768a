// VS Code client: starts the bundled language server over IPC and adds the commands.
import * as vscode from 'vscode';
import {
  LanguageClient, type LanguageClientOptions, type ServerOptions, TransportKind, State,
  CloseAction, ErrorAction, type Message,
} from 'vscode-languageclient/node';
import { timelineHtml, type Simulation, type Observed } from './timeline';
import { liveGuard, type LiveGuard } from './liveGuard';

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel | undefined;
let timeline: vscode.OutputChannel | undefined;

const DESCRIBE_COMMAND = 'stopcheck.server.describe';
const SIMULATE_COMMAND = 'stopcheck.server.simulate';
const LIVE_PLAN_REQUEST = 'stopcheck/livePlan';
const LIVE_RUN_REQUEST = 'stopcheck/liveRun';
let panel: vscode.WebviewPanel | undefined;
/** What the panel shows, so a live result can be added to it. */
let panelState: { uri: string; index: number | undefined; sims: Simulation[] } | undefined;
/** The live run in progress (cancelled on deactivate). */
let liveRun: vscode.CancellationTokenSource | undefined;

interface PlanSummary {
  argv: string[]; command: string; cwd: string; signal: string; graceSeconds: number;
  binds: Array<{ from: string; to: string }>; files: Array<{ to: string; from?: string; inline: boolean }>;
  env: Record<string, string>; notes: string[]; target?: string; digest: string;
}
interface LivePlanResult { target?: string; staticVerdict?: string; plan?: PlanSummary; error?: string; isolation?: string; isolationDetail?: string }
interface LiveRunResult { target?: string; staticVerdict?: string; observed?: Observed; log?: string[]; error?: string }
export interface SimulateLiveResult extends LiveRunResult {
  /** Why nothing ran: refused (restricted mode, not Linux), not confirmed, cancelled, or not possible. */
  refused?: string;
  cancelled?: boolean;
  plan?: PlanSummary;
}

function currentLiveGuard(): LiveGuard {
  return liveGuard({ trusted: vscode.workspace.isTrusted, platform: process.platform, running: liveRun !== undefined });
}

interface SimulateResult { simulations?: Simulation[]; error?: string }

async function simulate(uri: vscode.Uri, index?: number): Promise<SimulateResult> {
  if (!client) return { error: 'the language server is not running' };
  return client.sendRequest<SimulateResult>('workspace/executeCommand', { command: SIMULATE_COMMAND, arguments: [uri.toString(), index] });
}

function showTimeline(context: vscode.ExtensionContext, uri: vscode.Uri, index: number | undefined, res: SimulateResult): void {
  const sims = res.simulations ?? [];
  timeline?.appendLine('');
  for (const s of sims) s.timeline.forEach((l) => timeline?.appendLine(l));
  if (!panel) {
    panel = vscode.window.createWebviewPanel('stopcheck.timeline', 'Simulate stop', { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      { enableScripts: true, localResourceRoots: [] });
    panel.onDidDispose(() => (panel = undefined), undefined, context.subscriptions);
  }
  const p = panel;
  p.title = `Simulate stop: ${uri.path.split('/').pop()}`;
  panelState = { uri: uri.toString(), index, sims };
  renderPanel();
  const sub = p.webview.onDidReceiveMessage(async (msg: { type: string; index: number }) => {
    const sim = sims[msg.index];
    if (msg.type === 'runLive' && sim) {
      await vscode.commands.executeCommand('stopcheck.simulateLive', uri, index ?? msg.index);
      renderPanel(); // re-enables the button when the run was refused or not confirmed
      return;
    }
    if (msg.type === 'applyFix' && sim?.fixEdit && client) {
      const edit = await client.protocol2CodeConverter.asWorkspaceEdit(sim.fixEdit.edit as NonNullable<Parameters<typeof client.protocol2CodeConverter.asWorkspaceEdit>[0]>);
      if (await vscode.workspace.applyEdit(edit)) {
        const again = await simulate(uri, index);
        sub.dispose();
        showTimeline(context, uri, index, again);
      }
    }
  });
  p.onDidDispose(() => sub.dispose());
}

/** Redraws the panel from panelState (after a live result, or when the live button's state changes). */
function renderPanel(): void {
  if (!panel || !panelState) return;
  const g = currentLiveGuard();
  panel.webview.html = timelineHtml(panelState.sims, panel.webview.cspSource, { available: g.available, reason: g.reason ?? '' });
}

function liveSettings(): { timeScale: number; settleMs: number } {
  const cfg = vscode.workspace.getConfiguration('stopcheck.live');
  const timeScale = Math.min(1, Math.max(0.01, Number(cfg.get<number>('timeScale', 0.2)) || 0.2));
  const settle = Math.min(60, Math.max(0, Number(cfg.get<number>('settleSeconds', 1.5))));
  return { timeScale, settleMs: Math.round((Number.isFinite(settle) ? settle : 1.5) * 1000) };
}

/** The confirmation's detail: the exact command, where it runs, every file placed, and what is not emulated. */
function confirmationDetail(plan: PlanSummary, res: LivePlanResult, scaled: number): string {
  const lines = [
    `Command (PID 1, no shell added): ${plan.command}`,
    `Working directory in the sandbox: ${plan.cwd}`,
    `Isolation: ${res.isolationDetail ?? res.isolation ?? 'unknown'}`,
    `Stop: ${plan.signal} after the command has settled, SIGKILL ${scaled.toFixed(1)} s later (grace period ${plan.graceSeconds} s, scaled); everything it started is killed at the end.`,
  ];
  if (plan.binds.length || plan.files.length) {
    lines.push('', 'Files placed (read-only):');
    for (const b of plan.binds) lines.push(`  ${vscode.workspace.asRelativePath(b.from)} → ${b.to}`);
    for (const f of plan.files) lines.push(`  ${f.inline ? '(text from the Dockerfile)' : vscode.workspace.asRelativePath(f.from ?? '')} → ${f.to}`);
  }
  const placed = [...plan.binds.map((b) => b.from), ...plan.files.flatMap((f) => (f.from ? [f.from] : []))];
  const unsaved = vscode.workspace.textDocuments
    .filter((d) => d.isDirty && placed.some((from) => d.uri.fsPath === from || d.uri.fsPath.startsWith(from + '/')))
    .map((d) => vscode.workspace.asRelativePath(d.uri));
  if (unsaved.length) lines.push('', `Unsaved changes are NOT used (the files on disk run): ${unsaved.join(', ')}`);
  const env = Object.entries(plan.env).filter(([k]) => k !== 'PATH' && k !== 'HOME');
  if (env.length) lines.push('', `Environment: ${env.map(([k, v]) => `${k}=${v}`).join(' ')}`);
  if (plan.notes.length) lines.push('', ...plan.notes.map((n) => `Note: ${n}`));
  return lines.join('\n');
}

/**
 * Runs one container's start command for real: only in a trusted workspace on Linux, after a modal
 * confirmation naming the command and files, with a Cancel button; the result goes to the panel and
 * the "stopcheck: launch chains" output channel.
 */
async function simulateLive(uriArg?: vscode.Uri | string, indexArg?: number): Promise<SimulateLiveResult | undefined> {
  const guard = currentLiveGuard();
  if (!guard.available) {
    void vscode.window.showWarningMessage(`stopcheck: live simulation is not available: ${guard.reason}`);
    return { refused: guard.reason };
  }
  const uri = typeof uriArg === 'string' ? vscode.Uri.parse(uriArg) : uriArg ?? vscode.window.activeTextEditor?.document.uri;
  if (!uri || !client) {
    void vscode.window.showInformationMessage('Open a Dockerfile, Compose file or Kubernetes manifest to run a stop live.');
    return undefined;
  }
  let index = typeof indexArg === 'number' ? indexArg : undefined;
  if (index === undefined) {
    const all = await simulate(uri);
    const sims = all.simulations ?? [];
    if (sims.length === 0) {
      void vscode.window.showInformationMessage(`stopcheck: ${all.error ?? 'no container command to run in this file'}`);
      return undefined;
    }
    if (sims.length === 1) index = 0;
    else {
      const pick = await vscode.window.showQuickPick(sims.map((s, i) => ({ label: s.target, description: s.verdict, i })), { placeHolder: 'Which container should run live?' });
      if (!pick) return undefined;
      index = pick.i;
    }
  }
  const planned = await client.sendRequest<LivePlanResult>(LIVE_PLAN_REQUEST, { uri: uri.toString(), index });
  if (!planned.plan) {
    void vscode.window.showWarningMessage(`stopcheck: cannot run ${planned.target ?? 'this target'} live: ${planned.error ?? 'no plan'}. The static simulation stands.`);
    return { ...planned, refused: planned.error ?? 'no plan' };
  }
  const plan = planned.plan;
  const { timeScale, settleMs } = liveSettings();
  const scaled = Math.max(2, plan.graceSeconds * timeScale);
  const RUN = 'Run';
  const answer = await vscode.window.showWarningMessage(
    `Run ${planned.target ?? 'this container'} for real on this machine? stopcheck will run: ${plan.command}`,
    { modal: true, detail: confirmationDetail(plan, planned, scaled) }, RUN);
  if (answer !== RUN) return { refused: 'not confirmed', plan };
  if (!currentLiveGuard().available) return { refused: currentLiveGuard().reason, plan };

  const cts = new vscode.CancellationTokenSource();
  liveRun = cts;
  renderPanel();
  let res: LiveRunResult | undefined;
  let cancelled = false;
  try {
    res = await vscode.window.withProgress({
      location: vscode.ProgressLocation.Notification, cancellable: true,
      title: `stopcheck: running ${planned.target ?? ''} live (${plan.signal}, SIGKILL after ${scaled.toFixed(1)} s)`,
    }, async (_progress, token) => {
      const sub = token.onCancellationRequested(() => cts.cancel());
      try {
        return await client!.sendRequest<LiveRunResult>(LIVE_RUN_REQUEST, { uri: uri.toString(), index, digest: plan.digest, timeScale, settleMs }, cts.token);
      } finally {
        sub.dispose();
      }
    });
  } catch (e) {
    cancelled = cts.token.isCancellationRequested;
    if (!cancelled) void vscode.window.showErrorMessage(`stopcheck: the live run failed: ${(e as Error).message}`);
  } finally {
    cancelled ||= cts.token.isCancellationRequested;
    if (liveRun === cts) liveRun = undefined;
    cts.dispose();
  }
  const name = uri.path.split('/').pop() ?? '';
  timeline?.appendLine('');
  if (res?.observed) {
    const o = res.observed;
    timeline?.appendLine(`${name} [${res.target ?? ''}] — live run, ${o.isolation}, ${plan.signal}, grace ${plan.graceSeconds} s run as ${scaled.toFixed(1)} s`);
    timeline?.appendLine(`  command: ${plan.command}`);
    (res.log ?? []).forEach((l) => timeline?.appendLine(l));
    if (o.aborted) cancelled = true;
  } else {
    timeline?.appendLine(`${name} [${planned.target ?? ''}] — live run ${cancelled ? 'cancelled: everything it started was killed' : `not run: ${res?.error ?? 'no answer'}`}`);
    if (res?.error) void vscode.window.showWarningMessage(`stopcheck: ${res.error}`);
  }
  if (res?.observed && panelState && panelState.uri === uri.toString()) {
    const k = panelState.index === undefined ? index : panelState.index === index ? 0 : -1;
    const sim = k >= 0 ? panelState.sims[k] : undefined;
    if (sim) sim.observed = res.observed;
  }
  renderPanel();
  if (res?.observed && !cancelled && res.observed.verdict !== res.staticVerdict) {
    void vscode.window.showWarningMessage(`stopcheck: the live run observed "${res.observed.verdict}", the prediction was "${res.staticVerdict}". See the Simulate stop panel.`);
  }
  timeline?.show(true);
  return { ...(res ?? {}), cancelled: cancelled || undefined, plan };
}

export interface StopcheckApi {
  /** Resolves once the language server is running. */
  ready(): Promise<void>;
  /** Whether a live simulation may start, and why not; `trusted` overrides the workspace's trust (tests). */
  liveAvailability(over?: { trusted?: boolean; platform?: string }): LiveGuard;
  /** How long activation took (ms): all of activate(), and the part spent starting the language server. */
  timings(): { activateMs: number; serverStartMs: number };
}

export async function activate(context: vscode.ExtensionContext): Promise<StopcheckApi> {
  const activateStart = performance.now();
  output = vscode.window.createOutputChannel('stopcheck', { log: true });
  timeline = vscode.window.createOutputChannel('stopcheck: launch chains', 'stopcheck-timeline');
  context.subscriptions.push(timeline);
  context.subscriptions.push(output);
  const serverModule = context.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  let restarts = 0;
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { language: 'dockerfile' },
      { language: 'dockercompose' },
      { language: 'yaml' },
      { language: 'shellscript' },
      // App sources a Dockerfile's CMD runs (server.js, app.py): unsaved edits re-check the Dockerfile.
      { scheme: 'file', language: 'javascript' },
      { scheme: 'file', language: 'python' },
      { scheme: 'file', pattern: '**/{Dockerfile,Dockerfile.*,*.dockerfile,Containerfile,Containerfile.*,*.containerfile}' },
      { scheme: 'file', pattern: '**/*.{sh,bash,yaml,yml}' },
    ],
    synchronize: {
      configurationSection: 'stopcheck',
      // Scripts without an extension can be start scripts too: the server ignores files nothing reads.
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*'),
    },
    outputChannel: output,
    errorHandler: {
      error: (error: Error, _message: Message | undefined, count: number | undefined) => {
        output?.appendLine(`stopcheck server error: ${error.message}`);
        return { action: (count ?? 0) <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown };
      },
      closed: () => {
        restarts++;
        if (restarts <= 4) return { action: CloseAction.Restart };
        void vscode.window.showErrorMessage('The stopcheck language server stopped 5 times and will not be restarted. See the "stopcheck" output for details.', 'Show output')
          .then((pick) => pick && output?.show());
        return { action: CloseAction.DoNotRestart };
      },
    },
  };
  client = new LanguageClient('stopcheck', 'stopcheck', serverOptions, clientOptions);
  context.subscriptions.push(
    vscode.commands.registerCommand('stopcheck.showLaunchChain', async (uri?: vscode.Uri) => {
      const target = uri ?? vscode.window.activeTextEditor?.document.uri;
      if (!target || !client) {
        void vscode.window.showInformationMessage('Open a Dockerfile to see its launch chain.');
        return undefined;
      }
      const res = await client.sendRequest<{ chains?: Array<{ target: string; verdict: string; timeline: string[] }>; error?: string }>(
        'workspace/executeCommand', { command: DESCRIBE_COMMAND, arguments: [target.toString()] });
      if (res?.error) {
        void vscode.window.showErrorMessage(`stopcheck: ${res.error}`);
        return res;
      }
      timeline?.appendLine('');
      for (const c of res?.chains ?? []) c.timeline.forEach((l) => timeline?.appendLine(l));
      timeline?.show(true);
      return res;
    }),
    vscode.commands.registerCommand('stopcheck.simulate', async (uriArg?: vscode.Uri | string, index?: number) => {
      const uri = typeof uriArg === 'string' ? vscode.Uri.parse(uriArg) : uriArg ?? vscode.window.activeTextEditor?.document.uri;
      if (!uri) {
        void vscode.window.showInformationMessage('Open a Dockerfile, Compose file or Kubernetes manifest to simulate a stop.');
        return undefined;
      }
      const res = await simulate(uri, typeof index === 'number' ? index : undefined);
      if (res.error) {
        void vscode.window.showErrorMessage(`stopcheck: ${res.error}`);
        return res;
      }
      showTimeline(context, uri, index, res);
      return res;
    }),
    vscode.commands.registerCommand('stopcheck.simulateLive', (uriArg?: vscode.Uri | string, index?: number) => simulateLive(uriArg, index)),
    vscode.workspace.onDidGrantWorkspaceTrust(() => renderPanel()),
    vscode.commands.registerCommand('stopcheck.restartServer', async () => {
      restarts = 0;
      await client?.restart();
    }),
  );
  const serverStart = performance.now();
  try {
    await client.start();
  } catch (e) {
    void vscode.window.showErrorMessage(`stopcheck: the language server failed to start: ${(e as Error).message}`, 'Show output')
      .then((pick) => pick && output?.show());
  }
  const done = performance.now();
  const timings = { activateMs: done - activateStart, serverStartMs: done - serverStart };
  output.appendLine(`stopcheck: activated in ${Math.round(timings.activateMs)} ms (language server started and initialized in ${Math.round(timings.serverStartMs)} ms)`);
  return {
    timings: () => timings,
    ready: async () => {
      if (client && client.state !== State.Running) await client.start();
    },
    liveAvailability: (over) => liveGuard({
      trusted: over?.trusted ?? vscode.workspace.isTrusted, platform: over?.platform ?? process.platform, running: liveRun !== undefined,
    }),
  };
}

export async function deactivate(): Promise<void> {
  // The request is cancelled here, and the server aborts every run on shutdown in any case.
  liveRun?.cancel();
  if (client) await client.stop();
  client = undefined;
}

// VS Code client: starts the bundled language server over IPC and adds the commands.
import * as vscode from 'vscode';
import {
  LanguageClient, type LanguageClientOptions, type ServerOptions, TransportKind, State,
  CloseAction, ErrorAction, type Message,
} from 'vscode-languageclient/node';
import { timelineHtml, type Simulation } from './timeline';

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel | undefined;
let timeline: vscode.OutputChannel | undefined;

const DESCRIBE_COMMAND = 'stopcheck.server.describe';
const SIMULATE_COMMAND = 'stopcheck.server.simulate';
let panel: vscode.WebviewPanel | undefined;

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
  const live = { available: false, reason: vscode.workspace.isTrusted ? 'not available in this version' : 'disabled in Restricted Mode (trust the workspace to enable it)' };
  p.webview.html = timelineHtml(sims, p.webview.cspSource, live);
  const sub = p.webview.onDidReceiveMessage(async (msg: { type: string; index: number }) => {
    const sim = sims[msg.index];
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

export interface StopcheckApi {
  /** Resolves once the language server is running. */
  ready(): Promise<void>;
}

export async function activate(context: vscode.ExtensionContext): Promise<StopcheckApi> {
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
    vscode.commands.registerCommand('stopcheck.restartServer', async () => {
      restarts = 0;
      await client?.restart();
    }),
  );
  try {
    await client.start();
  } catch (e) {
    void vscode.window.showErrorMessage(`stopcheck: the language server failed to start: ${(e as Error).message}`, 'Show output')
      .then((pick) => pick && output?.show());
  }
  return {
    ready: async () => {
      if (client && client.state !== State.Running) await client.start();
    },
  };
}

export async function deactivate(): Promise<void> {
  if (client) await client.stop();
  client = undefined;
}

// VS Code client: starts the bundled language server over IPC and adds the commands.
import * as vscode from 'vscode';
import {
  LanguageClient, type LanguageClientOptions, type ServerOptions, TransportKind, State,
  CloseAction, ErrorAction, type Message,
} from 'vscode-languageclient/node';

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel | undefined;
let timeline: vscode.OutputChannel | undefined;

const DESCRIBE_COMMAND = 'stopcheck.server.describe';

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

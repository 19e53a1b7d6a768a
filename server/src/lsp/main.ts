// Entry point of the bundled server (dist/server.js). Transport from argv: --stdio, --node-ipc,
// --socket=N, or --pipe=NAME, as vscode-languageserver reads it; any LSP client can start it.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startServer } from './server';

if (!process.argv.some((a) => a === '--stdio' || a === '--node-ipc' || a.startsWith('--socket') || a.startsWith('--pipe') || a.startsWith('--clientProcessId'))) {
  process.stderr.write('stopcheck language server: start it with --stdio (or --node-ipc, --socket=PORT, --pipe=NAME)\n');
  process.exit(2);
}
const connection = createConnection(ProposedFeatures.all);
const debounce = Number(process.env.STOPCHECK_DEBOUNCE_MS ?? '');
startServer(connection, { debounceMs: Number.isFinite(debounce) && process.env.STOPCHECK_DEBOUNCE_MS ? debounce : undefined });

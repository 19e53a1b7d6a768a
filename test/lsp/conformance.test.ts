// LSP conformance of dist/server.js beyond the happy path: versions, closing mid-analysis, workspace
// folders coming and going, files deleted on disk, special files in the workspace, and the process
// lifecycle (shutdown/exit, exit without shutdown, the client going away).
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  LspClient, startClient, cleanup, tempDir, uriOf, writeTree, withTimeout, sleep, codes, childrenOf, alive, type Publish,
} from './client';

after(cleanup);

const SHELL_FORM = 'FROM node:20\nCMD npm start\n'; // STOP101 + STOP105
const EXEC_FORM = 'FROM node:20\nCMD ["node", "server.js"]\n'; // nothing
/** Slow to analyse on purpose (~1 s): 3000 chained stages, each with a COPY and a CMD. */
const SLOW = Array.from({ length: 3000 }, (_, i) => `FROM ${i ? 's' + (i - 1) : 'node:20'} AS s${i}\nCOPY a${i}.sh /a${i}.sh\nCMD npm start\n`).join('');

// ---- versions -------------------------------------------------------------------------------------

test('versions: publishes for a document never go back to an older version, and the last is the newest', async () => {
  const c = await startClient();
  const uri = uriOf(path.join(c.folders[0], 'Dockerfile'));
  const first = c.next(uri, (p) => p.version === 1);
  await c.open(uri, SHELL_FORM);
  await first;
  // Alternate between a text with findings and one without, quickly, with a slow text in between
  // so that analyses and edits overlap.
  let version = 1;
  for (let i = 0; i < 40; i++) {
    version++;
    const text = i === 20 ? SLOW : i % 2 ? EXEC_FORM : SHELL_FORM;
    await c.change(uri, version, [{ text }]);
    if (i % 7 === 0) await sleep(30);
  }
  version++;
  const final = c.next(uri, (p) => p.version === version, 30_000);
  await c.change(uri, version, [{ text: EXEC_FORM }]);
  assert.deepEqual(codes(await final), []);
  await c.settle(800);
  const versions = c.publishes.filter((p) => p.uri === uri).map((p) => p.version ?? -1);
  for (let i = 1; i < versions.length; i++) assert.ok(versions[i] >= versions[i - 1], `published v${versions[i]} after v${versions[i - 1]}: ${versions.join(',')}`);
  assert.equal(c.last(uri)?.version, version);
  assert.deepEqual(codes(c.last(uri)), []);
  c.kill();
});

test('versions: hover and code actions after an edit answer for the new text, not the last analysed one', async () => {
  const c = await startClient();
  const uri = uriOf(path.join(c.folders[0], 'Dockerfile'));
  const first = c.next(uri, (p) => p.version === 1);
  await c.open(uri, EXEC_FORM);
  await first;
  // Change and ask at once: the debounced analysis has not run yet.
  await c.change(uri, 2, [{ text: SHELL_FORM }]);
  const actions = await c.request<Array<{ title: string }>>('textDocument/codeAction', {
    textDocument: { uri }, range: { start: { line: 1, character: 4 }, end: { line: 1, character: 13 } }, context: { diagnostics: [] },
  });
  assert.ok(actions.some((a) => /exec form|exec/i.test(a.title)), JSON.stringify(actions.map((a) => a.title)));
  const hover = await c.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 6 } });
  assert.ok(hover && /npm/.test(hover.contents.value), JSON.stringify(hover));
  c.kill();
});

// ---- closing -------------------------------------------------------------------------------------

test('closing a document mid-analysis: its diagnostics end up cleared, and nothing is published after', async () => {
  const c = await startClient();
  for (const delay of [0, 5, 60, 250]) {
    const uri = uriOf(path.join(c.folders[0], `d${delay}`, 'Dockerfile')); // not on disk
    await c.open(uri, SLOW);
    await sleep(delay);
    await c.close(uri);
    await c.settle(1200);
    const last = c.last(uri);
    assert.ok(last === undefined || last.diagnostics.length === 0, `delay ${delay}: last publish has ${codes(last).length} diagnostic(s)`);
  }
  // An edit, then a close before the debounce fires.
  const uri = uriOf(path.join(c.folders[0], 'e', 'Dockerfile'));
  const first = c.next(uri, (p) => p.version === 1);
  await c.open(uri, EXEC_FORM);
  await first;
  await c.change(uri, 2, [{ text: SLOW }]);
  await c.close(uri);
  await c.settle(1200);
  assert.deepEqual(codes(c.last(uri)), []);
  // The server still answers.
  const u2 = uriOf(path.join(c.folders[0], 'f', 'Dockerfile'));
  const p2 = c.next(u2, (p) => p.version === 1);
  await c.open(u2, SHELL_FORM);
  assert.deepEqual(codes(await p2), ['STOP101', 'STOP105']);
  c.kill();
});

test('closing a document that exists on disk goes back to the disk text', async () => {
  const folder = tempDir();
  writeTree(folder, { Dockerfile: SHELL_FORM });
  const c = new LspClient({ folders: [folder] });
  const uri = uriOf(path.join(folder, 'Dockerfile'));
  const scanned = c.next(uri, (p) => p.diagnostics.length === 2);
  await c.initialize();
  await scanned;
  const fixed = c.next(uri, (p) => p.version === 1);
  await c.open(uri, EXEC_FORM);
  assert.deepEqual(codes(await fixed), []);
  const back = c.next(uri, (p) => p.diagnostics.length === 2);
  await c.close(uri);
  assert.deepEqual(codes(await back), ['STOP101', 'STOP105']);
  c.kill();
});

// ---- workspace folders -----------------------------------------------------------------------------

test('workspace folders added and removed publish and clear the diagnostics of the files in them', async () => {
  const a = tempDir();
  const b = tempDir();
  writeTree(a, { 'Dockerfile': SHELL_FORM });
  writeTree(b, { 'api/Dockerfile': 'FROM debian:12\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n', 'api/start.sh': '#!/bin/sh\nnode server.js\n', 'compose.yaml': 'services:\n  w:\n    image: debian:12\n    command: ["sleep", "infinity"]\n' });
  const c = new LspClient({ folders: [a] });
  const aUri = uriOf(path.join(a, 'Dockerfile'));
  const aFirst = c.next(aUri, (p) => p.diagnostics.length > 0);
  await c.initialize();
  await aFirst;
  const bDf = uriOf(path.join(b, 'api', 'Dockerfile'));
  const bSh = uriOf(path.join(b, 'api', 'start.sh'));
  const bCompose = uriOf(path.join(b, 'compose.yaml'));
  const added = [bDf, bSh, bCompose].map((u) => c.next(u, (p) => p.diagnostics.length > 0));
  await c.conn.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: [{ uri: uriOf(b), name: 'b' }], removed: [] } });
  const [df, sh, compose] = await Promise.all(added);
  assert.ok(codes(df).includes('STOP201'), codes(df).join());
  assert.ok(sh.diagnostics.length > 0);
  assert.ok(codes(compose).includes('STOP403'), codes(compose).join());
  const cleared = [bDf, bSh, bCompose].map((u) => c.next(u, (p) => p.diagnostics.length === 0));
  await c.conn.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: [], removed: [{ uri: uriOf(b), name: 'b' }] } });
  await Promise.all(cleared);
  // Folder a is untouched.
  await c.settle(500);
  assert.deepEqual(codes(c.last(aUri)), ['STOP101', 'STOP105']);
  c.kill();
});

test('a workspace folder added to a server started without any folder is scanned too', async () => {
  const b = tempDir();
  writeTree(b, { Dockerfile: SHELL_FORM });
  const c = await startClient({ folders: [] });
  const uri = uriOf(path.join(b, 'Dockerfile'));
  // Sent right after `initialized`: the server must already listen for it.
  const got = c.next(uri, (p) => p.diagnostics.length > 0, 8000);
  await c.conn.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: [{ uri: uriOf(b), name: 'b' }], removed: [] } });
  assert.deepEqual(codes(await got), ['STOP101', 'STOP105']);
  c.kill();
});

test('removing a folder keeps the diagnostics of a document still open from it', async () => {
  const b = tempDir();
  writeTree(b, { Dockerfile: SHELL_FORM });
  const c = await startClient({ folders: [tempDir()] });
  await c.conn.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: [{ uri: uriOf(b), name: 'b' }], removed: [] } });
  const uri = uriOf(path.join(b, 'Dockerfile'));
  const opened = c.next(uri, (p) => p.version === 1);
  await c.open(uri, SHELL_FORM);
  await opened;
  await c.conn.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: [], removed: [{ uri: uriOf(b), name: 'b' }] } });
  await c.settle(800);
  assert.deepEqual(codes(c.last(uri)), ['STOP101', 'STOP105']);
  c.kill();
});

// ---- files on disk -------------------------------------------------------------------------------------

test('didChangeWatchedFiles type 3: a deleted Dockerfile, Compose file and manifest lose their diagnostics', async () => {
  const folder = tempDir();
  writeTree(folder, {
    'Dockerfile': SHELL_FORM,
    'compose.yaml': 'services:\n  w:\n    image: debian:12\n    command: ["sleep", "infinity"]\n',
    'k8s/deploy.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: debian:12\n        command: ["sh", "-c", "./app"]\n',
  });
  const files = ['Dockerfile', 'compose.yaml', 'k8s/deploy.yaml'].map((f) => path.join(folder, f));
  const c = new LspClient({ folders: [folder] });
  const scanned = files.map((f) => c.next(uriOf(f), (p) => p.diagnostics.length > 0));
  await c.initialize();
  await Promise.all(scanned);
  for (const f of files) {
    fs.rmSync(f);
    const cleared = c.next(uriOf(f), (p) => p.diagnostics.length === 0);
    await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(f), type: 3 }] });
    await cleared;
  }
  // A deleted start script: the Dockerfile that ran it is re-analysed and the script's own diagnostics go.
  writeTree(folder, { 'api/Dockerfile': 'FROM debian:12\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n', 'api/start.sh': '#!/bin/sh\nnode server.js\n' });
  const sh = path.join(folder, 'api', 'start.sh');
  const df = path.join(folder, 'api', 'Dockerfile');
  const created = c.next(uriOf(sh), (p) => p.diagnostics.length > 0);
  await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(df), type: 1 }, { uri: uriOf(sh), type: 1 }] });
  await created;
  fs.rmSync(sh);
  const shCleared = c.next(uriOf(sh), (p) => p.diagnostics.length === 0);
  await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(sh), type: 3 }] });
  await shCleared;
  c.kill();
});

test('a .dockerignore created, then deleted, on disk re-checks the Dockerfile whose start script it excludes', async () => {
  const folder = tempDir();
  writeTree(folder, { 'Dockerfile': 'FROM debian:12\nCOPY . /app/\nCMD ["/app/docker/start.sh"]\n', 'docker/start.sh': '#!/bin/sh\n./migrate\n./app\n' });
  const df = uriOf(path.join(folder, 'Dockerfile'));
  const ignore = path.join(folder, '.dockerignore');
  const c = new LspClient({ folders: [folder] });
  const scanned = c.next(df, (p) => codes(p).includes('STOP201'));
  await c.initialize();
  await scanned;
  fs.writeFileSync(ignore, 'docker/\n');
  const excluded = c.next(df, (p) => !codes(p).includes('STOP201'));
  await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(ignore), type: 1 }] });
  await excluded;
  fs.rmSync(ignore);
  const back = c.next(df, (p) => codes(p).includes('STOP201'));
  await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(ignore), type: 3 }] });
  await back;
  c.kill();
});

test('FIFOs named Dockerfile, start.sh and .stopcheck.json in the workspace do not block the server', async () => {
  const folder = tempDir();
  writeTree(folder, { 'api/Dockerfile': 'FROM debian:12\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n', 'web/Dockerfile': SHELL_FORM });
  for (const f of ['Dockerfile', 'api/start.sh', '.stopcheck.json', 'compose.yaml']) execFileSync('mkfifo', [path.join(folder, f)]);
  fs.symlinkSync('/dev/zero', path.join(folder, 'web', 'start.sh'));
  const c = new LspClient({ folders: [folder] });
  const web = uriOf(path.join(folder, 'web', 'Dockerfile'));
  const got = c.next(web, (p) => p.diagnostics.length > 0);
  await c.initialize();
  assert.deepEqual(codes(await got), ['STOP101', 'STOP105']);
  // Requests on the FIFOs themselves answer.
  const fifo = uriOf(path.join(folder, 'Dockerfile'));
  const describe = await c.request<{ error?: string }>('workspace/executeCommand', { command: 'stopcheck.server.describe', arguments: [fifo] });
  assert.match(describe.error ?? '', /not a regular file|cannot read/);
  assert.deepEqual(await c.request('textDocument/codeLens', { textDocument: { uri: fifo } }), []);
  const api = uriOf(path.join(folder, 'api', 'Dockerfile'));
  const h = await c.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri: api }, position: { line: 2, character: 5 } });
  assert.ok(h === null || typeof h.contents.value === 'string');
  const watched = c.next(web, () => true);
  await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(path.join(folder, '.stopcheck.json')), type: 2 }, { uri: uriOf(path.join(folder, 'api', 'start.sh')), type: 2 }] });
  await watched;
  assert.equal(c.exitInfo, undefined);
  c.kill();
});

// ---- lifecycle ---------------------------------------------------------------------------------------------

async function exitCode(c: LspClient): Promise<number | null> {
  const { code, signal } = await withTimeout(c.exited, 'server exit', 8000);
  assert.equal(signal, null);
  return code;
}

test('shutdown, then requests are still answered, then exit: code 0 and no child process left', async () => {
  const c = await startClient();
  const pid = c.child.pid!;
  const uri = uriOf(path.join(c.folders[0], 'Dockerfile'));
  const p = c.next(uri, (x) => x.version === 1);
  await c.open(uri, SHELL_FORM);
  await p;
  assert.equal(await c.request('shutdown', undefined), null);
  // The spec says requests after shutdown get InvalidRequest; vscode-languageserver answers them. Either way: an answer.
  await c.request('textDocument/hover', { textDocument: { uri }, position: { line: 1, character: 5 } }).catch((e: Error) => e);
  await c.conn.sendNotification('exit');
  assert.equal(await exitCode(c), 0);
  assert.equal(alive(pid), false);
  assert.deepEqual(childrenOf(pid), []);
});

test('exit without shutdown: code 1, as the spec and vscode-languageserver say', async () => {
  const c = await startClient();
  const uri = uriOf(path.join(c.folders[0], 'Dockerfile'));
  const p = c.next(uri, (x) => x.version === 1);
  await c.open(uri, SLOW); // busy with work when told to exit
  await p;
  await c.conn.sendNotification('exit');
  assert.equal(await exitCode(c), 1);
});

test('exit right after initialize, while the workspace is still being scanned: code 1, promptly', async () => {
  const folder = tempDir();
  writeTree(folder, Object.fromEntries(Array.from({ length: 200 }, (_, i) => [`s${i}/Dockerfile`, SHELL_FORM])));
  const c = new LspClient({ folders: [folder] });
  await c.initialize();
  await c.conn.sendNotification('exit');
  assert.equal(await exitCode(c), 1);
});

test('the client closes stdin: the server exits (1 without shutdown, 0 after it)', async () => {
  const a = await startClient();
  a.child.stdin!.end();
  assert.equal(await exitCode(a), 1);
  const b = await startClient();
  assert.equal(await b.request('shutdown', undefined), null);
  b.child.stdin!.end();
  assert.equal(await exitCode(b), 0);
});

test('the client process dies (its processId is gone): the server exits on its own', async () => {
  // A process id that is certainly not running: a child that has already exited.
  const dead = execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const c = await startClient({ processId: Number(dead) });
  assert.equal(await withTimeout(c.exited.then((x) => x.code), 'exit after the parent check', 10_000), 1);
});

test('garbage on the wire: an unknown method gets MethodNotFound, and the server keeps running', async () => {
  const c = await startClient();
  const err = await c.request('stopcheck/nope', {}).catch((e: { code?: number }) => e);
  assert.equal((err as { code?: number }).code, -32601);
  // Requests with missing or wrong params get an answer (result or error), not a crash.
  for (const [m, params] of [
    ['textDocument/hover', {}], ['textDocument/hover', { textDocument: { uri: 'file:///nope' }, position: { line: -1, character: -1 } }],
    ['textDocument/codeAction', { textDocument: { uri: 'untitled:x' } }], ['textDocument/codeLens', { textDocument: { uri: '%%%' } }],
    ['workspace/executeCommand', { command: 'stopcheck.server.describe', arguments: [42] }],
    ['workspace/executeCommand', { command: 'stopcheck.server.simulate', arguments: ['file:///etc/passwd', 'x'] }],
  ] as Array<[string, unknown]>) {
    await c.request(m, params).catch((e: Error) => e);
  }
  await c.conn.sendNotification('textDocument/didChange', { textDocument: { uri: 'file:///never-opened', version: 3 }, contentChanges: [{ text: 'x' }] });
  await c.conn.sendNotification('textDocument/didClose', { textDocument: { uri: 'file:///never-opened' } });
  await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: 'file:///nope/Dockerfile', type: 3 }, { uri: 'not a uri', type: 1 }] });
  await sleep(300);
  assert.equal(c.exitInfo, undefined, `server died; stderr:\n${c.stderr}`);
  const uri = uriOf(path.join(c.folders[0], 'Dockerfile'));
  const p = c.next(uri, (x: Publish) => x.version === 1);
  await c.open(uri, SHELL_FORM);
  assert.deepEqual(codes(await p), ['STOP101', 'STOP105']);
  c.kill();
});

// Protocol tests: start the bundled language server (dist/server.js --stdio) as a child process and
// talk real JSON-RPC to it, the way any LSP client (VS Code, Neovim, Helix) does.
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  LspClient, startClient, cleanup, tempDir, uriOf, withTimeout, codes, type Rng,
} from './client';

let shared: LspClient | undefined;
async function sharedClient(): Promise<LspClient> {
  if (!shared) shared = await startClient();
  return shared;
}

/** A fresh file URI for a document that lives in its own temp dir (no .stopcheck.json near it). */
function docUri(name = 'Dockerfile'): string {
  return uriOf(path.join(tempDir(), name));
}

after(cleanup);

const SHELL_FORM = 'FROM node:20\nCMD npm start\n';

// ---------------------------------------------------------------------------------------------

test('initialize announces incremental sync, hover and the describe command', async () => {
  const c = new LspClient();
  const result = await c.initialize() as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  const caps = result.capabilities;
  const sync = typeof caps.textDocumentSync === 'number' ? caps.textDocumentSync : caps.textDocumentSync.change;
  assert.equal(sync, 2, 'TextDocumentSyncKind.Incremental');
  assert.equal(caps.textDocumentSync.openClose, true);
  assert.ok(caps.hoverProvider, 'hoverProvider');
  assert.ok(caps.executeCommandProvider, 'executeCommandProvider');
  assert.ok(caps.executeCommandProvider.commands.includes('stopcheck.server.describe'));
  assert.equal(result.serverInfo?.name, 'stopcheck');
  c.kill();
});

test('didOpen of a shell-form Dockerfile publishes STOP101 and STOP105 with ranges, severity and links', async () => {
  const c = await sharedClient();
  const uri = docUri();
  const next = c.nextDiagnostics(uri, { version: 1 });
  await c.open(uri, SHELL_FORM);
  const p = await next;
  assert.deepEqual(codes(p), ['STOP101', 'STOP105']);
  for (const d of p.diagnostics) {
    assert.equal(d.range.start.line, 1, `${d.code} starts on the CMD line`);
    assert.equal(d.range.end.line, 1, `${d.code} ends on the CMD line`);
    assert.ok(d.range.start.character >= 4 && d.range.end.character <= 'CMD npm start'.length, `${d.code} range within the CMD line`);
    assert.ok(d.range.start.character < d.range.end.character);
    assert.equal(d.severity, 2, 'warning');
    assert.equal(d.source, 'stopcheck');
    assert.ok(d.message.length > 0);
    assert.ok(Array.isArray(d.relatedInformation), 'relatedInformation is an array');
    assert.ok(d.codeDescription?.href.endsWith(`/${d.code}.md`), `href for ${d.code}: ${d.codeDescription?.href}`);
  }
  const s101 = p.diagnostics.find((d) => d.code === 'STOP101')!;
  assert.ok(s101.codeDescription!.href.endsWith('/STOP101.md'));
});

test('an incremental edit to exec form clears the diagnostics (publish carries the new version)', async () => {
  const c = await sharedClient();
  const uri = docUri();
  const first = c.nextDiagnostics(uri, { version: 1 });
  await c.open(uri, SHELL_FORM);
  assert.equal((await first).diagnostics.length, 2);

  const second = c.nextDiagnostics(uri, { version: 2 });
  // "CMD npm start": replace `npm start` (line 1, characters 4..13) only.
  await c.change(uri, 2, [{ range: { start: { line: 1, character: 4 }, end: { line: 1, character: 13 } }, text: '["node", "server.js"]' }]);
  const p = await second;
  assert.equal(p.version, 2);
  assert.deepEqual(p.diagnostics, []);

  // and back again, with an edit that spans a line break
  const third = c.nextDiagnostics(uri, { version: 3 });
  await c.change(uri, 3, [{ range: { start: { line: 0, character: 12 }, end: { line: 1, character: 25 } }, text: '\nCMD npm start' }]);
  assert.deepEqual(codes(await third), ['STOP101', 'STOP105']);
});

test('rapid successive edits: the diagnostics for the final version match the final text', async () => {
  const c = await sharedClient();
  const uri = docUri();
  const first = c.nextDiagnostics(uri, { version: 1 });
  await c.open(uri, 'FROM node:20\n');
  await first;

  // Type "CMD npm start" one character at a time, then turn it into exec form, without waiting.
  const typed = 'CMD npm start';
  let version = 1;
  const sends: Promise<void>[] = [];
  for (let i = 0; i < typed.length; i++) {
    version++;
    sends.push(c.change(uri, version, [{ range: { start: { line: 1, character: i }, end: { line: 1, character: i } }, text: typed[i] }]));
  }
  const midVersion = version;
  version++;
  sends.push(c.change(uri, version, [{ range: { start: { line: 1, character: 4 }, end: { line: 1, character: 13 } }, text: '["node", "server.js"]' }]));
  version++;
  sends.push(c.change(uri, version, [{ range: { start: { line: 0, character: 5 }, end: { line: 0, character: 12 } }, text: 'debian:bookworm' }]));
  const finalVersion = version;
  const last = c.nextDiagnostics(uri, { version: finalVersion });
  await Promise.all(sends);
  const p = await last;
  // Final text: FROM debian:bookworm / CMD ["node", "server.js"] — exec form, nothing to report.
  assert.deepEqual(p.diagnostics, [], `final diagnostics: ${JSON.stringify(p.diagnostics)}`);
  assert.ok(midVersion < finalVersion);
  // Whatever intermediate versions were published, none came after the final one.
  const mine = c.publishes.filter((x) => x.uri === uri);
  assert.equal(mine[mine.length - 1].version, finalVersion);

  // A full-text replacement (no range) is also accepted.
  const full = c.nextDiagnostics(uri, { version: finalVersion + 1 });
  await c.change(uri, finalVersion + 1, [{ text: SHELL_FORM }]);
  assert.deepEqual(codes(await full), ['STOP101', 'STOP105']);
});

test('hover on the CMD line shows the launch chain and the verdict; a RUN line has no hover', async () => {
  const c = await sharedClient();
  const uri = docUri();
  const opened = c.nextDiagnostics(uri, { version: 1 });
  await c.open(uri, 'FROM node:20\nRUN npm ci\nCMD npm start\n');
  await opened;

  const h = await c.hover(uri, 2, 6);
  assert.ok(h, 'hover on CMD');
  assert.equal(h.contents.kind, 'markdown');
  assert.match(h.contents.value, /PID 1/);
  assert.match(h.contents.value, /Verdict:/);
  assert.match(h.contents.value, /npm/);
  assert.equal(h.range?.start.line, 2);

  const from = await c.hover(uri, 0, 2);
  assert.ok(from, 'hover on FROM');
  assert.match(from.contents.value, /PID 1/);

  assert.equal(await c.hover(uri, 1, 5), null, 'RUN line');
  assert.equal(await c.hover(uri, 10, 0), null, 'past the end');
  assert.equal(await c.hover(docUri(), 0, 0), null, 'document that is not open');
});

test('a plaintext document named Dockerfile.prod is served; notes.txt is not', async () => {
  const c = await sharedClient();
  const prod = docUri('Dockerfile.prod');
  const served = c.nextDiagnostics(prod, { version: 1 });
  await c.open(prod, SHELL_FORM, 'plaintext');
  assert.deepEqual(codes(await served), ['STOP101', 'STOP105']);
  const h = await c.hover(prod, 1, 5);
  assert.ok(h && /PID 1/.test(h.contents.value), 'hover on Dockerfile.prod');

  const notes = docUri('notes.txt');
  await c.open(notes, SHELL_FORM, 'plaintext');
  // Positive control after the negative one: a Dockerfile opened afterwards is answered, so the
  // server has processed the notes.txt open by then (messages are handled in order).
  const control = docUri();
  const controlDone = c.nextDiagnostics(control, { version: 1 });
  await c.open(control, SHELL_FORM);
  await controlDone;
  // The one allowed wait-for-absence.
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(c.publishes.filter((p) => p.uri === notes), [], 'no diagnostics for notes.txt');
  assert.equal(await c.hover(notes, 1, 5), null, 'no hover for notes.txt');
});

test('settings: disabledRules via workspace/configuration + didChangeConfiguration removes STOP105', async () => {
  const c = await startClient({ settings: {} });
  const uri = docUri();
  const first = c.nextDiagnostics(uri, { version: 1 });
  await c.open(uri, SHELL_FORM);
  assert.deepEqual(codes(await first), ['STOP101', 'STOP105']);

  c.settings = { disabledRules: ['STOP105'] };
  const asked = c.configRequests.length;
  const next = c.nextDiagnostics(uri);
  await c.configChanged();
  const p = await next;
  assert.deepEqual(codes(p), ['STOP101']);
  assert.equal(p.version, 1);
  assert.ok(c.configRequests.length > asked, 'server pulled the settings again');

  // back on
  c.settings = {};
  const again = c.nextDiagnostics(uri);
  await c.configChanged();
  assert.deepEqual(codes(await again), ['STOP101', 'STOP105']);
  c.kill();
});

test('settings: severity override {STOP101: "error"} gives severity 1', async () => {
  const c = await startClient({ settings: {} });
  const uri = docUri();
  const first = c.nextDiagnostics(uri, { version: 1 });
  await c.open(uri, SHELL_FORM);
  await first;

  c.settings = { severity: { STOP101: 'error', STOP105: 'info' } };
  const next = c.nextDiagnostics(uri);
  await c.configChanged();
  const p = await next;
  const sev = Object.fromEntries(p.diagnostics.map((d) => [d.code, d.severity]));
  assert.deepEqual(sev, { STOP101: 1, STOP105: 3 });

  // Push model: settings sent inside didChangeConfiguration are used as they are.
  const pushed = c.nextDiagnostics(uri);
  await c.conn.sendNotification('workspace/didChangeConfiguration', { settings: { stopcheck: { severity: { STOP105: 'off' } } } });
  const q = await pushed;
  assert.deepEqual(codes(q), ['STOP101']);
  assert.equal(q.diagnostics[0].severity, 2);
  c.kill();
});

test('settings the client returns at startup apply to the first diagnostics', async () => {
  // A slow client (as editors can be): it answers workspace/configuration only once the server has
  // published for the document (a server that does not wait for its settings does so at once) or,
  // failing that, after a simulated 500 ms delay. The didOpen that follows `initialized` must not be
  // analysed with default settings and left that way.
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const c = new LspClient({ settings: { disabledRules: ['STOP105'] } });
  c.configGate = gate;
  const slow = setTimeout(() => release(), 500);
  try {
    await c.initialize();
    const uri = docUri();
    const first = c.nextDiagnostics(uri, { version: 1 });
    await c.open(uri, SHELL_FORM);
    const p = await first;
    release();
    assert.deepEqual(codes(p), ['STOP101'], 'the first publish already honours the settings');
    assert.ok(c.configRequests.length >= 1, 'the server asked for the settings');
    // Hover and describe see the same settings-aware analysis.
    const h = await c.hover(uri, 1, 5);
    assert.ok(h && /PID 1/.test(h.contents.value));
  } finally {
    clearTimeout(slow);
    release();
    c.kill();
  }
});

test('a .stopcheck.json at the workspace folder root is applied over editor settings', async () => {
  const folder = tempDir();
  fs.writeFileSync(path.join(folder, '.stopcheck.json'), JSON.stringify({ disabledRules: ['STOP105'], severity: { STOP101: 'info' } }));
  fs.mkdirSync(path.join(folder, 'api'));
  const c = await startClient({ folders: [folder], settings: { severity: { STOP101: 'error' } } });

  // The Dockerfile is in a subfolder: the config is found at the workspace folder root.
  const uri = uriOf(path.join(folder, 'api', 'Dockerfile'));
  const first = c.nextDiagnostics(uri, { version: 1 });
  await c.open(uri, SHELL_FORM);
  const p = await first;
  assert.deepEqual(codes(p), ['STOP101']);
  assert.equal(p.diagnostics[0].severity, 3, '.stopcheck.json (info) wins over the editor setting (error)');

  // A file outside the folder does not get the folder's config.
  const outside = docUri();
  const o = c.nextDiagnostics(outside, { version: 1 });
  await c.open(outside, SHELL_FORM);
  const op = await o;
  assert.deepEqual(codes(op), ['STOP101', 'STOP105']);
  assert.equal(op.diagnostics.find((d) => d.code === 'STOP101')!.severity, 1, 'editor setting applies outside');

  // Editing .stopcheck.json (reported by the client's file watcher) is picked up.
  fs.writeFileSync(path.join(folder, '.stopcheck.json'), JSON.stringify({ disabledRules: ['STOP101'] }));
  const changed = c.nextDiagnostics(uri);
  await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(path.join(folder, '.stopcheck.json')), type: 2 }] });
  assert.deepEqual(codes(await changed), ['STOP105']);
  c.kill();
});

test('didClose clears the diagnostics', async () => {
  const c = await sharedClient();
  const uri = docUri();
  const first = c.nextDiagnostics(uri, { version: 1 });
  await c.open(uri, SHELL_FORM);
  assert.equal((await first).diagnostics.length, 2);
  const cleared = c.nextDiagnostics(uri);
  await c.close(uri);
  assert.deepEqual((await cleared).diagnostics, []);
  assert.equal(await c.hover(uri, 1, 5), null, 'closed documents have no hover');
});

test('close right after an edit: the pending analysis does not resurrect diagnostics', async () => {
  const c = await startClient({ env: { STOPCHECK_DEBOUNCE_MS: '150' } });
  const uri = docUri();
  const first = c.nextDiagnostics(uri, { version: 1 });
  await c.open(uri, SHELL_FORM);
  await first;
  const cleared = c.nextDiagnostics(uri, { pred: (p) => p.diagnostics.length === 0 });
  await c.change(uri, 2, [{ range: { start: { line: 1, character: 13 }, end: { line: 1, character: 13 } }, text: ' --silent' }]);
  await c.close(uri);
  await cleared;
  // Reopen with other text: the next publish is for the new document, not the stale version 2.
  const reopened = c.nextDiagnostics(uri);
  await c.open(uri, 'FROM node:20\nCMD ["node", "server.js"]\n', 'dockerfile', 1);
  const p = await reopened;
  assert.equal(p.version, 1);
  assert.deepEqual(p.diagnostics, []);
  c.kill();
});

test('executeCommand stopcheck.server.describe returns chains with a timeline', async () => {
  const c = await sharedClient();
  const uri = docUri();
  const first = c.nextDiagnostics(uri, { version: 1 });
  await c.open(uri, SHELL_FORM);
  await first;
  const r = await c.describe(uri);
  assert.equal(r.error, undefined);
  assert.ok(r.chains && r.chains.length >= 1, 'at least one chain');
  const ch = r.chains[0];
  assert.equal(typeof ch.target, 'string');
  assert.equal(typeof ch.verdict, 'string');
  assert.notEqual(ch.verdict, 'graceful');
  assert.ok(Array.isArray(ch.timeline) && ch.timeline.length >= 3, 'timeline lines');
  assert.ok(ch.timeline.some((l) => /PID 1/.test(l)), 'timeline names PID 1');
  assert.ok(ch.timeline.some((l) => /t=\s*\d/.test(l)), 'timeline has timed events');
  assert.ok(ch.timeline.some((l) => l.includes(`verdict: ${ch.verdict}`)));

  // A Dockerfile on disk that is not open is read from disk.
  const dir = tempDir();
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'FROM node:20\nCMD ["node", "server.js"]\n');
  const disk = await c.describe(uriOf(path.join(dir, 'Dockerfile')));
  assert.equal(disk.chains?.[0]?.verdict, 'graceful');

  // A missing file or a non-file URI gets an error object, not a crash.
  const missing = await c.describe(uriOf(path.join(dir, 'nope', 'Dockerfile')));
  assert.ok(missing.error, 'error for a missing file');
  const untitled = await c.describe('untitled:Untitled-1');
  assert.ok(untitled.error, 'error for a non-file uri');
});

test('half-typed and binary-looking text gets an answer and the server keeps running', async () => {
  const c = await sharedClient();
  const samples = [
    'FROM\nCMD ["sh", "-c"',
    'FROM \u0000\u0000\u0001\u00ff node\nCMD \u0000 ["x\nRUN \u0000\u0000\n',
    'CMD',
    '',
    'FROM node:20 AS\nENTRYPOINT [\nSTOPSIGNAL\nSHELL ["/bin/bash"\n',
    'FROM node:20\nCMD ["node", "server.js"\\\n',
    'FROM alpine\n# stopcheck-disable\nCMD exec',
  ];
  for (const text of samples) {
    const uri = docUri();
    const pub = c.nextDiagnostics(uri, { version: 1 });
    await c.open(uri, text);
    const p = await pub;
    assert.ok(Array.isArray(p.diagnostics), `diagnostics for ${JSON.stringify(text)}`);
    // Hover everywhere on every line still answers (null or a hover), never an error.
    const lines = text.split('\n');
    for (let l = 0; l < lines.length; l++) {
      for (const ch of [0, Math.floor(lines[l].length / 2), lines[l].length]) {
        const h = await c.hover(uri, l, ch);
        assert.ok(h === null || typeof h.contents.value === 'string');
      }
    }
    const r = await c.describe(uri);
    assert.ok(r.chains || r.error);
    // incremental edit of garbage into garbage
    const v2 = c.nextDiagnostics(uri, { version: 2 });
    await c.change(uri, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '\u0000["' }]);
    await v2;
  }
  assert.equal(c.exitInfo, undefined, 'server still running');
  const uri = docUri();
  const pub = c.nextDiagnostics(uri, { version: 1 });
  await c.open(uri, SHELL_FORM);
  assert.deepEqual(codes(await pub), ['STOP101', 'STOP105']);
  const h = await c.hover(uri, 1, 5);
  assert.ok(h && /PID 1/.test(h.contents.value), 'hover still answers after garbage');
});

test('shutdown then exit: the server process exits with code 0', async () => {
  const c = await startClient();
  const uri = docUri();
  const pub = c.nextDiagnostics(uri, { version: 1 });
  await c.open(uri, SHELL_FORM);
  await pub;
  const res = await withTimeout(c.conn.sendRequest('shutdown'), 'shutdown response');
  assert.equal(res, null);
  await c.conn.sendNotification('exit');
  const { code, signal } = await withTimeout(c.exited, 'server exit', 5000);
  assert.equal(signal, null);
  assert.equal(code, 0, `exit code; stderr:\n${c.stderr}`);
});

// ---- cross-file: the workspace index ----

function writeTree(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
}

test('workspace scan: a Dockerfile and the script it runs get diagnostics without being opened, pointing at each other', async () => {
  const folder = tempDir();
  writeTree(folder, { 'api/Dockerfile': 'FROM debian:12\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n', 'api/start.sh': '#!/bin/sh\n./migrate\nnode server.js\n' });
  const dfUri = uriOf(path.join(folder, 'api', 'Dockerfile'));
  const shUri = uriOf(path.join(folder, 'api', 'start.sh'));
  const c = new LspClient({ folders: [folder] });
  const df = c.nextDiagnostics(dfUri, { pred: (p) => p.diagnostics.length > 0 });
  const sh = c.nextDiagnostics(shUri, { pred: (p) => p.diagnostics.length > 0 });
  await c.initialize();
  const [dp, sp] = await Promise.all([df, sh]);
  assert.deepEqual(codes(dp), ['STOP201']);
  assert.deepEqual(codes(sp), ['STOP201']);
  assert.equal(sp.diagnostics[0].range.start.line, 2);
  const rel = dp.diagnostics[0].relatedInformation as Array<{ location: { uri: string; range: Rng } }>;
  assert.equal(rel[0].location.uri, shUri);
  assert.equal(rel[0].location.range.start.line, 2);
  const srel = sp.diagnostics[0].relatedInformation as Array<{ location: { uri: string; range: Rng } }>;
  assert.equal(srel[0].location.uri, dfUri);
  c.kill();
});

test('editing the script (open, not saved) updates the Dockerfile\'s diagnostics', async () => {
  const folder = tempDir();
  writeTree(folder, { 'Dockerfile': 'FROM debian:12\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n', 'start.sh': '#!/bin/sh\nnode server.js\n' });
  const dfUri = uriOf(path.join(folder, 'Dockerfile'));
  const shUri = uriOf(path.join(folder, 'start.sh'));
  const c = new LspClient({ folders: [folder] });
  const first = c.nextDiagnostics(dfUri, { pred: (p) => p.diagnostics.length > 0 });
  await c.initialize();
  await first;
  await c.open(shUri, '#!/bin/sh\nnode server.js\n', 'shellscript');
  const cleared = c.nextDiagnostics(dfUri, { pred: (p) => p.diagnostics.length === 0 });
  const scriptCleared = c.nextDiagnostics(shUri, { pred: (p) => p.diagnostics.length === 0 });
  await c.change(shUri, 2, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 0 } }, text: 'exec ' }]);
  await Promise.all([cleared, scriptCleared]);
  // …and back: removing exec brings the finding back on the Dockerfile.
  const back = c.nextDiagnostics(dfUri, { pred: (p) => codes(p).includes('STOP201') });
  await c.change(shUri, 3, [{ range: { start: { line: 1, character: 0 }, end: { line: 1, character: 5 } }, text: '' }]);
  await back;
  c.kill();
});

test('editing the app (server.js, open, not saved) updates the Dockerfile\'s diagnostics: a SIGTERM handler clears STOP501', async () => {
  const folder = tempDir();
  const js = 'const http = require(\'http\');\nconst server = http.createServer((q, r) => r.end(\'ok\')).listen(3000);\n';
  writeTree(folder, { 'Dockerfile': 'FROM node:20-bookworm-slim\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n', 'server.js': js });
  const dfUri = uriOf(path.join(folder, 'Dockerfile'));
  const jsUri = uriOf(path.join(folder, 'server.js'));
  const c = new LspClient({ folders: [folder] });
  const first = c.nextDiagnostics(dfUri, { pred: (p) => codes(p).includes('STOP501') });
  await c.initialize();
  const d = await first;
  assert.match(d.diagnostics.find((x) => x.code === 'STOP501')!.message, /node server\.js.*PID 1.*No handler for SIGTERM in server\.js/s);
  await c.open(jsUri, js, 'javascript');
  const cleared = c.nextDiagnostics(dfUri, { pred: (p) => !codes(p).includes('STOP501') });
  await c.change(jsUri, 2, [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: 'process.on(\'SIGTERM\', () => server.close(() => process.exit(0)));\n' }]);
  await cleared;
  await c.open(dfUri, 'FROM node:20-bookworm-slim\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n');
  const h = await c.hover(dfUri, 3, 5);
  assert.match(h?.contents.value ?? '', /The app: process\.on\('SIGTERM', …\) in server\.js \(line 3\) handles SIGTERM/);
  // …and back: removing the handler brings the finding back.
  const back = c.nextDiagnostics(dfUri, { pred: (p) => codes(p).includes('STOP501') });
  await c.change(jsUri, 3, [{ text: js }]);
  await back;
  c.kill();
});

test('a script changed, deleted and recreated on disk (file watcher) re-diagnoses the Dockerfile', async () => {
  const folder = tempDir();
  writeTree(folder, { 'Dockerfile': 'FROM debian:12\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n', 'start.sh': '#!/bin/sh\nnode server.js\n' });
  const dfUri = uriOf(path.join(folder, 'Dockerfile'));
  const shPath = path.join(folder, 'start.sh');
  const c = new LspClient({ folders: [folder] });
  const first = c.nextDiagnostics(dfUri, { pred: (p) => p.diagnostics.length > 0 });
  await c.initialize();
  await first;
  fs.writeFileSync(shPath, '#!/bin/sh\nexec node server.js\n');
  const cleared = c.nextDiagnostics(dfUri, { pred: (p) => p.diagnostics.length === 0 });
  await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(shPath), type: 2 }] });
  await cleared;
  fs.rmSync(shPath);
  await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(shPath), type: 3 }] });
  const h = await c.hover(dfUri, 2, 5);
  assert.ok(h === null || /not analysed|not in the build context/.test(h.contents.value) || /PID 1/.test(h.contents.value));
  fs.writeFileSync(shPath, '#!/bin/sh\nnode server.js\n');
  const back = c.nextDiagnostics(dfUri, { pred: (p) => codes(p).includes('STOP201') });
  await c.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(shPath), type: 1 }] });
  await back;
  c.kill();
});

test('compose.yaml and a Deployment are served; hover on a service shows its chain', async () => {
  const folder = tempDir();
  const c = new LspClient({ folders: [folder] });
  await c.initialize();
  const cu = uriOf(path.join(folder, 'compose.yaml'));
  const p = c.nextDiagnostics(cu, { version: 1 });
  await c.open(cu, 'services:\n  web:\n    image: node:20\n    command: ./migrate && node server.js\n', 'dockercompose');
  assert.deepEqual(codes(await p), ['STOP401']);
  const h = await c.hover(cu, 1, 3);
  assert.ok(h && /launch chain/.test(h.contents.value), JSON.stringify(h));
  const ku = uriOf(path.join(folder, 'deploy.yaml'));
  const k = c.nextDiagnostics(ku, { version: 1 });
  await c.open(ku, 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: debian:12\n        command: ["sh", "-c", "./app"]\n', 'yaml');
  assert.deepEqual(codes(await k), ['STOP301']);
  c.kill();
});

test('code actions: quick fixes for a diagnostic (preferred first), and source.fixAll.stopcheck', async () => {
  const folder = tempDir();
  const c = new LspClient({ folders: [folder] });
  await c.initialize();
  const uri = uriOf(path.join(folder, 'Dockerfile'));
  const p = c.nextDiagnostics(uri, { version: 1 });
  await c.open(uri, 'FROM node:20\nCMD node server.js\n');
  const pub = await p;
  const diag = pub.diagnostics[0];
  const actions = await c.conn.sendRequest('textDocument/codeAction', {
    textDocument: { uri }, range: diag.range, context: { diagnostics: [diag], only: ['quickfix'] },
  }) as Array<{ title: string; kind: string; isPreferred?: boolean; edit: { changes: Record<string, Array<{ range: Rng; newText: string }>> } }>;
  assert.ok(actions.length >= 2, JSON.stringify(actions));
  const preferred = actions.filter((a) => a.isPreferred);
  assert.equal(preferred.length, 1);
  assert.equal(preferred[0].kind, 'quickfix');
  assert.equal(preferred[0].edit.changes[uri][0].newText, '["node", "server.js"]');
  assert.ok(actions.some((a) => /Ignore STOP101/.test(a.title)));
  const all = await c.conn.sendRequest('textDocument/codeAction', {
    textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, context: { diagnostics: [], only: ['source.fixAll.stopcheck'] },
  }) as Array<{ kind: string; edit: { changes: Record<string, unknown[]> } }>;
  assert.equal(all.length, 1);
  assert.equal(all[0].kind, 'source.fixAll.stopcheck');
  c.kill();
});

test('code lenses above the commands, and the simulate command with the fix that changes the verdict', async () => {
  const folder = tempDir();
  fs.writeFileSync(path.join(folder, 'Dockerfile'), 'FROM python:3.12-slim\nCMD cd /srv && python app.py\n');
  const c = new LspClient({ folders: [folder] });
  await c.initialize();
  const uri = uriOf(path.join(folder, 'Dockerfile'));
  const lenses = await c.conn.sendRequest('textDocument/codeLens', { textDocument: { uri } }) as Array<{ range: Rng; command: { title: string; command: string; arguments: unknown[] } }>;
  assert.equal(lenses.length, 1);
  assert.equal(lenses[0].range.start.line, 1);
  assert.equal(lenses[0].command.command, 'stopcheck.simulate');
  assert.match(lenses[0].command.title, /killed/);
  const r = await c.conn.sendRequest('workspace/executeCommand', { command: 'stopcheck.server.simulate', arguments: [uri, 0] }) as { simulations: Array<{ verdict: string; events: unknown[]; fixEdit: { title: string; edit: { changes: Record<string, unknown[]> } } | null; processes: unknown[] }> };
  assert.equal(r.simulations.length, 1);
  assert.equal(r.simulations[0].verdict, 'killed');
  assert.ok(r.simulations[0].fixEdit);
  assert.match(r.simulations[0].fixEdit!.title, /exec/);
  assert.ok(r.simulations[0].fixEdit!.edit.changes[uri]);
  const bad = await c.conn.sendRequest('workspace/executeCommand', { command: 'stopcheck.server.simulate', arguments: [uriOf(path.join(folder, 'notes.txt'))] }) as { error?: string };
  assert.ok(bad.error);
  c.kill();
});

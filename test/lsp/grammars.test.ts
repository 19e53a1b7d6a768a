// The server loads a grammar when an analysis first needs it, not at start-up: a workspace of YAML
// without containers never loads the shell's; a Dockerfile loads it; a Python app loads Python's.
// The first diagnostics published for a file are already the complete ones (the analysis that
// found a grammar missing is run again once it is loaded, and nothing of it is published).
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { startClient, cleanup, tempDir, uriOf, writeTree, codes } from './client';

after(cleanup);

const WORKFLOW = 'name: ci\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - run: npm test && sh -c "exec make"\n';
const CONFIGMAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  start.sh: |\n    exec app\n';
const loads = (logs: string[], g: string) => logs.filter((l) => l.includes(`loaded the ${g} grammar`)).length;

test('no grammar for YAML without containers; the shell grammar on the first Dockerfile; Python\'s on the first Python app', async () => {
  const ws = tempDir();
  writeTree(ws, {
    '.github/workflows/ci.yaml': WORKFLOW,
    'k8s/settings.yaml': CONFIGMAP,
    'py/app.py': 'import time\n\nwhile True:\n    time.sleep(1)\n',
  });
  const c = await startClient({ folders: [ws] });
  const wf = uriOf(path.join(ws, '.github/workflows/ci.yaml'));
  const published = c.next(wf);
  await c.open(wf, WORKFLOW, 'yaml');
  assert.deepEqual(codes(await published), []);
  await c.settle(800);
  assert.ok(c.logs.some((l) => /indexed \d+ file/.test(l)), `the workspace was indexed:\n${c.logs.join('\n')}`);
  assert.equal(loads(c.logs, 'bash'), 0, c.logs.join('\n'));
  assert.equal(loads(c.logs, 'python'), 0, c.logs.join('\n'));

  // A shell-form CMD needs the shell grammar: loaded, and the first publish already has the finding.
  const df = uriOf(path.join(ws, 'web', 'Dockerfile'));
  const first = c.next(df);
  await c.open(df, 'FROM node:20\nCMD npm start\n');
  assert.ok(codes(await first).includes('STOP101'), `first publish: ${codes(c.last(df))}`);
  assert.equal(loads(c.logs, 'bash'), 1, c.logs.join('\n'));
  assert.equal(loads(c.logs, 'python'), 0, 'a Node image needs no Python grammar');

  // A Python app without a SIGTERM handler: STOP501, found with the Python grammar loaded on demand.
  const pdf = uriOf(path.join(ws, 'py', 'Dockerfile'));
  const pyFirst = c.next(pdf);
  await c.open(pdf, 'FROM python:3.12-slim\nWORKDIR /app\nCOPY app.py .\nCMD ["python", "app.py"]\n');
  const got = await pyFirst;
  assert.ok(codes(got).includes('STOP501'), `first publish: ${codes(got)}\n${c.logs.join('\n')}`);
  assert.doesNotMatch(got.diagnostics.map((d) => d.message).join('\n'), /not loaded|could not be loaded/);
  assert.equal(loads(c.logs, 'python'), 1, c.logs.join('\n'));
  assert.equal(loads(c.logs, 'bash'), 1, 'each grammar is loaded once');
  // Every publish for the Python Dockerfile had the finding: no incomplete analysis went out first.
  const all = c.publishes.filter((p) => p.uri === pdf);
  assert.ok(all.length >= 1 && all.every((p) => codes(p).includes('STOP501')), all.map((p) => codes(p).join(',')).join(' | '));
});

test('a hover, a code lens and the describe command on a cold server load what they need and answer', async () => {
  const ws = tempDir();
  writeTree(ws, { 'Dockerfile': 'FROM debian:12\nFROM debian:12 AS unused\nCMD sleep infinity\nFROM debian:12\nCMD ["/bin/sh", "-c", "exec app"]\n' });
  const c = await startClient({ folders: [] });
  const uri = uriOf(path.join(ws, 'Dockerfile'));
  // Straight to a request, before any diagnostics: the describe command analyses the file on disk.
  const described = await c.request<{ chains: Array<{ verdict: string }> }>('workspace/executeCommand', { command: 'stopcheck.server.describe', arguments: [uri] });
  assert.ok(described.chains.length >= 1, JSON.stringify(described));
  assert.equal(loads(c.logs, 'bash'), 1, c.logs.join('\n'));
  const pub = c.next(uri);
  await c.open(uri, 'FROM debian:12\nFROM debian:12 AS unused\nCMD sleep infinity\nFROM debian:12\nCMD ["/bin/sh", "-c", "exec app"]\n');
  await pub;
  // Hover on the unused stage's CMD: a chain built on request.
  const hover = await c.request<{ contents: { value: string } } | null>('textDocument/hover', { textDocument: { uri }, position: { line: 2, character: 2 } });
  assert.match(hover?.contents.value ?? '', /sleep/);
  const lenses = await c.request<unknown[]>('textDocument/codeLens', { textDocument: { uri } });
  assert.ok(lenses.length >= 1);
  assert.equal(loads(c.logs, 'bash'), 1);
});

// LSP-level fuzz with a FIXED seed: open a Dockerfile, the start script it COPYs and runs, and a
// Compose file that builds it; send ~300 random incremental edits quickly (random ranges, some beyond
// the end or reversed, CRLF, binary-looking text, NUL bytes), interleaved with hover, codeAction and
// codeLens requests and a few $/cancelRequest. Then: every request got a response (result or error),
// the server is still running, and the diagnostics it published last for each file are what the same
// analysis says about the final texts in-process.
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { ResponseError } from 'vscode-jsonrpc/node';
import { startClient, cleanup, tempDir, uriOf, writeTree, withTimeout, sleep, childrenOf, alive, type Rng as LspRange, type Diag } from './client';
import { rng, randomBytesAsText, type Rng } from '../unit/fuzzlib';
import { initParsers } from '../../server/src/core/runtime';
import { WorkspaceIndex } from '../../server/src/lsp/workspace';
import { DEFAULT_CONFIG } from '../../server/src/core/config';
import { toDiagnostic } from '../../server/src/lsp/server';

/** Fixed in CI; STOPCHECK_FUZZ_SEED=N tries another sequence locally. */
const SEED = Number(process.env.STOPCHECK_FUZZ_SEED ?? 424242);
const EDITS = 300;

before(async () => {
  await initParsers();
});
after(cleanup);

const TOKENS = ['exec ', 'CMD ', 'npm start', '["sh", "-c", "', '"]', '\n', '\r\n', '\r', '\\\n', '&& ', '&', '|', '$(', ')', '"', '\'', '#',
  'FROM node:20 AS x\n', 'COPY start.sh /start.sh\n', 'trap "kill $p" TERM\n', 'wait\n', 'init: true\n', '  ', '- ', ': ', '*a', '&a ', '<<EOF\n',
  'EOF\n', '\0', '\uFFFD', '\uD800', '😀', 'ﬁ', '\t', 'services:\n', 'command: ', 'sleep infinity', ''];

function randomPos(r: Rng, doc: TextDocument): { line: number; character: number } {
  const lines = doc.lineCount;
  // Mostly inside the text; sometimes past the last line or the end of a line.
  const line = r() < 0.1 ? lines + Math.floor(r() * 3) : Math.floor(r() * lines);
  const len = doc.getText({ start: { line, character: 0 }, end: { line, character: 10_000 } }).length;
  const character = r() < 0.1 ? len + Math.floor(r() * 20) : Math.floor(r() * (len + 1));
  return { line, character };
}

function randomEdit(r: Rng, doc: TextDocument, gentle = false): { range: LspRange; text: string } {
  const a = randomPos(r, doc);
  if (gentle) return { range: { start: a, end: a }, text: Buffer.from(TOKENS[Math.floor(r() * TOKENS.length)], 'utf8').toString('utf8') };
  let b = r() < 0.5 ? a : randomPos(r, doc);
  if (r() < 0.9 && (b.line < a.line || (b.line === a.line && b.character < a.character))) b = a; // a few stay reversed
  let text = '';
  const x = r();
  if (doc.getText().length > 6000) text = ''; // keep the documents small: delete
  else if (x < 0.55) text = TOKENS[Math.floor(r() * TOKENS.length)];
  else if (x < 0.7) text = randomBytesAsText(r, 1 + Math.floor(r() * 24));
  else if (x < 0.8) text = doc.getText().slice(0, Math.floor(r() * 80)).replace(/\n/g, r() < 0.5 ? '\r\n' : '\n');
  // JSON-RPC carries UTF-8: a lone surrogate arrives as U+FFFD, so send (and mirror) what arrives.
  return { range: { start: a, end: b }, text: Buffer.from(text, 'utf8').toString('utf8') };
}

const key = (d: Diag) => `${d.code}|${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character}|${d.severity}|${d.message}`;

test(`${EDITS} random incremental edits with requests and cancellations: every request answered, final diagnostics match the final text`, async (t) => {
  const folder = tempDir();
  const initial: Record<string, [string, string]> = {
    Dockerfile: ['dockerfile', 'FROM debian:12\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n'],
    'start.sh': ['shellscript', '#!/bin/sh\nset -e\n./migrate\nnode server.js\n'],
    'compose.yaml': ['dockercompose', 'services:\n  api:\n    build: .\n    init: true\n  w:\n    image: debian:12\n    command: ["sleep", "infinity"]\n'],
  };
  writeTree(folder, Object.fromEntries(Object.entries(initial).map(([k, [, t]]) => [k, t])));
  const c = await startClient({ folders: [folder] });
  const pid = c.child.pid!;
  const docs = new Map<string, TextDocument>();
  for (const [name, [lang, text]] of Object.entries(initial)) {
    const uri = uriOf(path.join(folder, name));
    docs.set(uri, TextDocument.create(uri, lang, 1, text));
    await c.open(uri, text, lang);
  }
  const uris = [...docs.keys()];
  const r = rng(SEED);
  const requests: Array<{ what: string; p: Promise<unknown> }> = [];
  let cancelled = 0;
  for (let i = 0; i < EDITS; i++) {
    if (i % 75 === 0 || i === EDITS - 10) {
      // Back to meaningful texts now and then (a range running past the end), so analyses have
      // something to find — and the final texts are a few random edits away from real files.
      for (const [u, d] of docs) {
        const [, text] = initial[path.basename(u)];
        const range = { start: { line: 0, character: 0 }, end: { line: d.lineCount + 3, character: 0 } };
        docs.set(u, TextDocument.update(d, [{ range, text }], d.version + 1));
        void c.change(u, d.version + 1, [{ range, text }]);
      }
      continue;
    }
    const uri = uris[Math.floor(r() * uris.length)];
    const doc = docs.get(uri)!;
    const gentle = i > EDITS - 10; // the last few only insert, so the final texts still say something
    const changes = Array.from({ length: r() < 0.2 ? 2 : 1 }, () => randomEdit(r, doc, gentle));
    // Apply one by one, as the protocol says (each change against the text after the previous one).
    // TextDocument.update mutates: work on a copy to pick the second change.
    let mirror = TextDocument.create(doc.uri, doc.languageId, doc.version, doc.getText());
    const sent: Array<{ range: LspRange; text: string }> = [];
    for (const ch of changes) {
      const again = randomEdit(r, mirror, gentle);
      const use = r() < 0.5 ? ch : again;
      sent.push(use);
      mirror = TextDocument.update(mirror, [use], mirror.version);
    }
    const version = doc.version + 1;
    docs.set(uri, TextDocument.update(doc, sent, version));
    void c.change(uri, version, sent);
    if (i % 7 === 3) {
      const target = uris[Math.floor(r() * uris.length)];
      const td = docs.get(target)!;
      const kind = Math.floor(r() * 3);
      const cancel = i % 35 === 3 ? Math.floor(r() * 3) : undefined;
      if (cancel !== undefined) cancelled++;
      const params = kind === 0 ? { textDocument: { uri: target }, position: randomPos(r, td) }
        : kind === 1 ? { textDocument: { uri: target }, range: { start: randomPos(r, td), end: randomPos(r, td) }, context: { diagnostics: [], only: r() < 0.3 ? ['source.fixAll.stopcheck'] : undefined } }
          : { textDocument: { uri: target } };
      const method = ['textDocument/hover', 'textDocument/codeAction', 'textDocument/codeLens'][kind];
      requests.push({ what: `${method} #${i}${cancel !== undefined ? ' (cancelled)' : ''}`, p: c.request(method, params, cancel) });
    }
    if (i % 10 === 9) await sleep(Math.floor(r() * 60)); // let some analyses run between bursts
  }
  // Every request gets a response: a result, or an error response (RequestCancelled, …) — not silence.
  const settled = await withTimeout(Promise.allSettled(requests.map((x) => x.p)), 'all requests', 60_000);
  const silent = settled.map((s, i) => ({ s, what: requests[i].what }))
    .filter(({ s }) => s.status === 'rejected' && !(s.reason instanceof ResponseError));
  assert.deepEqual(silent.map(({ what, s }) => `${what}: ${(s as PromiseRejectedResult).reason}`), []);
  assert.ok(requests.length >= 40, `${requests.length} requests`);
  assert.ok(cancelled >= 3, `${cancelled} cancellations`);

  await c.settle(1500, 60_000);
  assert.equal(c.exitInfo, undefined, `the server died:\n${c.stderr}`);

  /** The diagnostics last published for each document = the same analysis in-process over the texts now. */
  const compare = (when: string): number => {
    const byPath = new Map([...docs.values()].map((d) => [new URL(d.uri).pathname, d]));
    const index = new WorkspaceIndex({
      openText: (f) => { const d = byPath.get(f); return d ? { text: d.getText(), version: d.version } : undefined; },
      configFor: () => DEFAULT_CONFIG,
      rootFor: () => folder,
      log: () => undefined,
      kindOf: (f) => (byPath.get(f)?.languageId === 'dockerfile' ? 'dockerfile' : byPath.get(f)?.languageId === 'dockercompose' ? 'yaml' : undefined),
    });
    for (const f of index.scan([folder])) index.analyse(f);
    let n = 0;
    for (const uri of uris) {
      const file = new URL(uri).pathname;
      const expected = index.findingsFor(file).map((f) => key(toDiagnostic(f) as Diag)).sort();
      const last = c.last(uri);
      const got = (last?.diagnostics ?? []).map(key).sort();
      n += got.length;
      assert.deepEqual(got, expected, `${when}: ${path.basename(file)} (version ${docs.get(uri)!.version}, last published v${last?.version}):\n${docs.get(uri)!.getText().slice(0, 400)}`);
      if (index.isSource(file)) assert.equal(last?.version, docs.get(uri)!.version, `${when}: ${path.basename(file)}: the last publish is for the latest version`);
    }
    return n;
  };
  // STOPCHECK_FUZZ_DEBUG=1: the last publishes and the final texts, to see why a comparison fails.
  if (process.env.STOPCHECK_FUZZ_DEBUG) for (const p of c.publishes.slice(-25)) t.diagnostic(`publish ${path.basename(p.uri)} v${p.version}: ${p.diagnostics.map((d) => `${d.code}@${d.range.start.line}:${d.range.start.character}`).join(' ')}`);
  if (process.env.STOPCHECK_FUZZ_DEBUG) for (const d of docs.values()) t.diagnostic(`final ${path.basename(d.uri)} v${d.version}: ${JSON.stringify(d.getText())}`);
  compare('after the random edits');

  // Then back to the real files through a few quick edits (full-range replacements running past the
  // end, CRLF in between) — the diagnostics must come back exactly.
  for (const [u, d0] of docs) {
    let d = d0;
    const [, text] = initial[path.basename(u)];
    for (const t2 of [text.replace(/\n/g, '\r\n'), text + '\0', text]) {
      const range = { start: { line: 0, character: 0 }, end: { line: d.lineCount + 5, character: 99 } };
      d = TextDocument.update(d, [{ range, text: t2 }], d.version + 1);
      void c.change(u, d.version, [{ range, text: t2 }]);
    }
    docs.set(u, d);
  }
  await c.settle(1500, 60_000);
  assert.ok(compare('back to the real files') > 0, 'the real files have findings');

  const errors = settled.filter((s) => s.status === 'rejected').length;
  t.diagnostic(`${EDITS} edits, ${requests.length} requests (${cancelled} cancelled, ${errors} answered with an error), ${c.publishes.length} publishes; `
    + `final diagnostics: ${uris.map((u) => `${path.basename(u)} [${(c.last(u)?.diagnostics ?? []).map((d) => d.code).join(', ')}]`).join(', ')}`);

  // Still healthy, and it ends cleanly.
  const h = await c.request('textDocument/hover', { textDocument: { uri: uris[0] }, position: { line: 0, character: 0 } });
  assert.ok(h === null || typeof h === 'object');
  assert.equal(await c.request('shutdown', undefined), null);
  await c.conn.sendNotification('exit');
  const { code } = await withTimeout(c.exited, 'exit', 8000);
  assert.equal(code, 0, c.stderr);
  assert.equal(alive(pid), false);
  assert.deepEqual(childrenOf(pid), [], 'no process left behind');
  assert.doesNotMatch(c.stderr, /stopcheck: .*failed|internal error|Maximum call stack/);
  assert.ok(!c.logs.some((l) => /failed:|Error:/.test(l)), `server log:\n${c.logs.join('\n')}`);
  fs.rmSync(folder, { recursive: true, force: true });
});

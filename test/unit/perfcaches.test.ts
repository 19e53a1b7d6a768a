// The shortcuts that keep a Dockerfile's analysis cheap must not change a single answer:
// - dockerfile-ast's arguments, kept per parsed instruction (core/astMemo.ts), equal what the library
//   computes afresh, and every caller gets a list of its own;
// - file texts kept between analyses (adapters/diskFiles.ts) are re-read when the file changes, are
//   never kept while the file is younger than the racy window, and never let a symlink swapped in
//   afterwards lead outside the build context.
import { test, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import './helpers';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { argumentsMemoised, computeRawArguments } from '../../server/src/core/astMemo';
import '../../server/src/core/dockerfile';
import { diskFiles } from '../../server/src/adapters/diskFiles';
import { clearTextCaches, textCacheStats } from '../../server/src/core/cache';
import { analyzeDockerfile } from '../../server/src/core/analyze';

const ROOT = path.resolve(__dirname, '..', '..', '..'); // the repository (tests run from out/test/unit)

function dockerfilesUnder(dir: string, out: string[] = []): string[] {
  if (!fs.existsSync(dir)) return out;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) dockerfilesUnder(p, out);
    else if (/^(Dockerfile|Containerfile)/.test(e.name) || e.name.endsWith('.dockerfile')) out.push(p);
  }
  return out;
}

const EDGE_CASES = [
  'FROM alpine\nCOPY --from=build --chown=app:app --chmod=755 a b /dst/\nADD --checksum=sha256:0 https://x/y /y\n',
  'FROM alpine\nCOPY ["a b", "c", "/dst/"]\nCMD [ "sh", "-c", "exec app \\"$@\\"" ]\nENTRYPOINT ["tini", "--"\n',
  'FROM alpine\nRUN echo a \\\n  # comment in the middle\n  && echo b\nCMD echo \\\n  hello\n',
  '# escape=`\nFROM mcr.microsoft.com/windows\nRUN dir `\n  c:\\\nCMD ["a"]\n',
  'FROM alpine\nCOPY <<EOF /start.sh\n#!/bin/sh\nexec app\nEOF\nRUN <<A <<B cat\nx\nA\ny\nB\n',
  'FROM alpine\nHEALTHCHECK --interval=5s CMD curl -f http://localhost/ || exit 1\nONBUILD COPY --from=x a /b\nSTOPSIGNAL SIGQUIT\nCMD []\n',
  'FROM alpine\nENV A=1 B="two words" C\nLABEL a=b\nEXPOSE 80/tcp\nUSER app\nWORKDIR /srv\nSHELL ["/bin/bash", "-c"]\nCMD\n',
];

function describeArgs(ins: Instruction): unknown {
  return {
    raw: computeRawArguments(ins).map((a) => [a.getValue(), a.getRange()]),
    args: ins.getArguments().map((a) => [a.getValue(), a.getRange()]),
    content: ins.getArgumentsContent(),
    range: ins.getArgumentsRange(),
    ranges: ins.getArgumentsRanges(),
  };
}

test('kept instruction arguments equal dockerfile-ast\'s own, over every Dockerfile in the repository and edge cases', () => {
  assert.ok(argumentsMemoised(), 'the memo is installed once stopcheck\'s Dockerfile model is loaded');
  const texts = [...dockerfilesUnder(path.join(ROOT, 'examples')), ...dockerfilesUnder(path.join(ROOT, 'test', 'fixtures'))]
    .map((f) => fs.readFileSync(f, 'utf8'));
  texts.push(...EDGE_CASES);
  assert.ok(texts.length >= 20, `found ${texts.length} Dockerfiles`);
  let compared = 0;
  for (const text of texts) {
    const instructions = DockerfileParser.parse(text).getInstructions();
    for (const ins of instructions) {
      const fresh = computeRawArguments(ins).map((a) => [a.getValue(), a.getRange()]);
      const kept = (ins as unknown as { getRawArguments(): ReturnType<typeof computeRawArguments> }).getRawArguments().map((a) => [a.getValue(), a.getRange()]);
      assert.deepEqual(kept, fresh, ins.getTextContent());
      // Asked twice, the public answers do not drift (flags are shifted off a copy each time).
      assert.deepEqual(describeArgs(ins), describeArgs(ins), ins.getTextContent());
      compared++;
    }
  }
  assert.ok(compared > 100, `compared ${compared} instructions`);
});

test('a caller that changes the list it got does not change what the next caller gets', () => {
  const ins = DockerfileParser.parse('FROM alpine\nCOPY --chown=a:b x y /dst/\n').getInstructions()[1];
  const first = ins.getArguments();
  assert.deepEqual(first.map((a) => a.getValue()), ['x', 'y', '/dst/']);
  first.length = 0;
  first.push(...ins.getArguments().slice(0, 1));
  assert.deepEqual(ins.getArguments().map((a) => a.getValue()), ['x', 'y', '/dst/']);
  const raw = (ins as unknown as { getRawArguments(): unknown[] }).getRawArguments();
  raw.splice(0);
  assert.equal((ins as unknown as { getRawArguments(): unknown[] }).getRawArguments().length, 4);
});

// ---- file texts kept between analyses -----------------------------------------------------------

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'stopcheck-filecache-')));
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// eslint-disable-next-line @typescript-eslint/no-require-imports
const realFs = require('fs') as typeof fs;
function countOpens<T>(fn: () => T): { value: T; opens: number } {
  const original = realFs.openSync;
  let opens = 0;
  realFs.openSync = ((...a: Parameters<typeof fs.openSync>) => {
    opens++;
    return original(...a);
  }) as typeof fs.openSync;
  try {
    return { value: fn(), opens };
  } finally {
    realFs.openSync = original;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a file is read again when it changes, not while it stays the same, and never while it is younger than the racy window', async () => {
  const ctx = path.join(tmp, 'ctx');
  fs.mkdirSync(ctx);
  const file = path.join(ctx, 'start.sh');
  fs.writeFileSync(file, '#!/bin/sh\nexec app-one\n');
  // Just written: read from disk every time.
  assert.equal(countOpens(() => diskFiles(ctx).read(file)).opens, 1);
  assert.equal(countOpens(() => diskFiles(ctx).read(file)).opens, 1);
  await sleep(2200);
  // Old enough: the first read keeps it, the next one is answered without opening the file.
  assert.equal(countOpens(() => diskFiles(ctx).read(file)).opens, 1);
  const again = countOpens(() => diskFiles(ctx).read(file));
  assert.equal(again.opens, 0);
  assert.equal(again.value, '#!/bin/sh\nexec app-one\n');
  // Same size, new content: its ctime (and mtime) moved, so it is read again.
  fs.writeFileSync(file, '#!/bin/sh\nexec app-two\n');
  const changed = countOpens(() => diskFiles(ctx).read(file));
  assert.equal(changed.opens, 1);
  assert.equal(changed.value, '#!/bin/sh\nexec app-two\n');
  // Emptying the caches (what the benchmark's "cold" does) drops kept file texts too.
  await sleep(2200);
  diskFiles(ctx).read(file);
  assert.equal(countOpens(() => diskFiles(ctx).read(file)).opens, 0);
  assert.ok(textCacheStats()['file-text'].entries >= 1);
  clearTextCaches();
  assert.equal(textCacheStats()['file-text'].entries, 0);
  assert.equal(countOpens(() => diskFiles(ctx).read(file)).opens, 1);
});

test('a kept file replaced by a symlink that points outside the context is refused, not answered from the cache', async () => {
  const ctx = path.join(tmp, 'swap');
  const outside = path.join(tmp, 'outside');
  fs.mkdirSync(ctx);
  fs.mkdirSync(outside);
  const file = path.join(ctx, 'start.sh');
  fs.writeFileSync(file, '#!/bin/sh\nexec inside-app\n');
  fs.writeFileSync(path.join(outside, 'start.sh'), '#!/bin/sh\nexec OUTSIDE-SECRET\n');
  await sleep(2200);
  assert.match(diskFiles(ctx).read(file) ?? '', /inside-app/);
  assert.equal(countOpens(() => diskFiles(ctx).read(file)).opens, 0, 'kept');
  fs.rmSync(file);
  fs.symlinkSync(path.join(outside, 'start.sh'), file);
  assert.equal(diskFiles(ctx).read(file), undefined);
  const df = 'FROM debian:12\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n';
  const r = analyzeDockerfile(path.join(ctx, 'Dockerfile'), df, { files: diskFiles(ctx) });
  assert.doesNotMatch(JSON.stringify(r.chains.map((c) => c.scripts.map((s) => s.source.text))), /OUTSIDE-SECRET/);
  // A symlink inside the context is still followed, and a folder reached through one too.
  fs.rmSync(file);
  fs.writeFileSync(path.join(ctx, 'real.sh'), '#!/bin/sh\nexec linked-app\n');
  fs.symlinkSync('real.sh', file);
  assert.match(diskFiles(ctx).read(file) ?? '', /linked-app/);
  fs.mkdirSync(path.join(ctx, 'realdir'));
  fs.writeFileSync(path.join(ctx, 'realdir', 'run.sh'), '#!/bin/sh\nexec dir-app\n');
  fs.symlinkSync('realdir', path.join(ctx, 'bin'));
  const files = diskFiles(ctx);
  assert.match(files.read(path.join(ctx, 'bin', 'run.sh')) ?? '', /dir-app/);
  assert.equal(files.isDirectory?.(path.join(ctx, 'bin')), true);
  assert.deepEqual(files.list?.(path.join(ctx, 'bin')), ['run.sh']);
  fs.symlinkSync(outside, path.join(ctx, 'out'));
  assert.equal(files.read(path.join(ctx, 'out', 'start.sh')), undefined);
  assert.equal(files.isDirectory?.(path.join(ctx, 'out')), false);
  assert.equal(files.list?.(path.join(ctx, 'out')), undefined);
});

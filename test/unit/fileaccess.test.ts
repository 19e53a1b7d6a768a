// Cross-file resolution on a real disk never reads outside the build context or the workspace, and
// never blocks: `COPY ../x`, absolute sources, symlinks that point out, FIFOs and device files named
// like the start script, files over the size cap, and `images` in .stopcheck.json pointing out.
// Every test spies on fs.readFileSync/openSync, so "not read" means no file outside was opened.
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync, execFileSync } from 'node:child_process';
import './helpers';
import { analyzeDockerfile, analyzeYaml } from '../../server/src/core/analyze';
import { diskFiles, MAX_READ_BYTES } from '../../server/src/adapters/diskFiles';
import { WorkspaceIndex } from '../../server/src/lsp/workspace';
import { DEFAULT_CONFIG, type StopcheckConfig } from '../../server/src/core/config';
import { main } from '../../server/src/cli/main';
import type { DockerChain } from '../../server/src/core/dockerfile';

const OUT_ROOT = path.resolve(__dirname, '..', '..'); // out/
let tmp: string;
let ws: string; // the workspace / build context
let outside: string; // a sibling folder with a tempting start.sh and Dockerfile

const SECRET_SCRIPT = '#!/bin/sh\n# OUTSIDE-SECRET\nexec ./outside-app\n';
const SECRET_DF = 'FROM debian:12\n# OUTSIDE-SECRET\nSTOPSIGNAL SIGUSR2\nCMD ["./outside-app"]\n';

function write(rel: string, text: string, root = ws): string {
  const p = path.join(root, rel);
  fs.mkdirSync(path.dirname(p), { recursive: true });
  fs.writeFileSync(p, text);
  return p;
}

/** Fresh build context per test. */
function context(name: string): string {
  const d = path.join(ws, name);
  fs.mkdirSync(d, { recursive: true });
  return d;
}

// ---- spying on what is opened ------------------------------------------------------------------

const opened: string[] = [];
// eslint-disable-next-line @typescript-eslint/no-require-imports
const realFs = require('fs') as typeof fs & Record<string, unknown>;
const originals = { readFileSync: realFs.readFileSync, openSync: realFs.openSync };

function spyOn(): void {
  opened.length = 0;
  realFs.readFileSync = ((p: fs.PathOrFileDescriptor, ...rest: unknown[]) => {
    if (typeof p === 'string' || p instanceof URL || Buffer.isBuffer(p)) opened.push(path.resolve(String(p)));
    return (originals.readFileSync as (...a: unknown[]) => unknown)(p, ...rest);
  }) as typeof fs.readFileSync;
  realFs.openSync = ((p: fs.PathLike, ...rest: unknown[]) => {
    opened.push(path.resolve(String(p)));
    return (originals.openSync as (...a: unknown[]) => unknown)(p, ...rest);
  }) as typeof fs.openSync;
}
function spyOff(): void {
  realFs.readFileSync = originals.readFileSync;
  realFs.openSync = originals.openSync;
}

function assertOpenedOnlyInside(root: string): void {
  const real = fs.realpathSync(root);
  const bad = opened.filter((p) => {
    const rel = path.relative(real, fs.existsSync(p) ? fs.realpathSync(p) : p);
    return rel.startsWith('..') || path.isAbsolute(rel);
  });
  assert.deepEqual(bad, [], `opened outside ${root}`);
}

before(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'stopcheck-fileaccess-')));
  ws = path.join(tmp, 'ws');
  outside = path.join(tmp, 'outside');
  write('start.sh', SECRET_SCRIPT, outside);
  write('Dockerfile', SECRET_DF, outside);
  write('bin/start.sh', SECRET_SCRIPT, outside);
});

after(() => {
  spyOff();
  fs.rmSync(tmp, { recursive: true, force: true });
});

function lintDir(dir: string, dockerfile: string): { chain: DockerChain; rules: string[]; text: string } {
  write(path.relative(ws, path.join(dir, 'Dockerfile')), dockerfile);
  spyOn();
  try {
    const r = analyzeDockerfile(path.join(dir, 'Dockerfile'), dockerfile, { files: diskFiles(dir) });
    const chain = r.chains[r.chains.length - 1];
    const text = JSON.stringify({ scripts: chain.scripts.map((s) => s.source.text), assumptions: chain.assumptions, problems: chain.fileProblems, findings: r.findings.map((f) => f.message) });
    return { chain, rules: r.findings.map((f) => f.rule), text };
  } finally {
    spyOff();
  }
}

// ---- the build context ------------------------------------------------------------------------

test('COPY ../start.sh is reported as outside the build context and not read', () => {
  const dir = context('dotdot');
  const r = lintDir(dir, 'FROM debian:12\nCOPY ../../outside/start.sh /start.sh\nCOPY ../start.sh /other.sh\nCMD ["/start.sh"]\n');
  assert.doesNotMatch(r.text, /OUTSIDE-SECRET/);
  assert.equal(r.chain.scripts.length, 0);
  assert.match(r.chain.fileProblems.map((p) => p.message).join('\n'), /points outside the build context/);
  assert.ok(r.rules.includes('STOP111'), `rules: ${r.rules}`);
  assertOpenedOnlyInside(dir);
});

test('an absolute COPY source is a path in the build context, not on the host', () => {
  const dir = context('absolute');
  const hostScript = path.join(outside, 'start.sh');
  // Docker reads `/x/start.sh` as <context>/x/start.sh.
  write(path.relative(ws, path.join(dir, hostScript)), '#!/bin/sh\nexec ./inside-app\n');
  const r = lintDir(dir, `FROM debian:12\nCOPY ${hostScript} /start.sh\nCMD ["/start.sh"]\n`);
  assert.doesNotMatch(r.text, /OUTSIDE-SECRET/);
  assert.equal(r.chain.scripts[0]?.source.file, path.join(dir, hostScript));
  assert.match(r.chain.processes.map((p) => p.label).join(' '), /inside-app/);
  assertOpenedOnlyInside(dir);
});

test('symlinks inside the context that point out (file, directory, absolute, chained) are not followed', () => {
  const dir = context('symlinks');
  fs.symlinkSync(path.join(outside, 'start.sh'), path.join(dir, 'abs.sh'));
  fs.symlinkSync(path.relative(dir, path.join(outside, 'start.sh')), path.join(dir, 'rel.sh'));
  fs.symlinkSync(path.join(outside, 'bin'), path.join(dir, 'bin'));
  fs.symlinkSync('rel.sh', path.join(dir, 'chained.sh')); // inside → inside → outside
  for (const [src, run] of [['abs.sh', '/abs.sh'], ['rel.sh', '/rel.sh'], ['bin/', '/usr/local/bin/start.sh'], ['chained.sh', '/chained.sh'], ['.', '/app/bin/start.sh']]) {
    const r = lintDir(dir, `FROM debian:12\nCOPY ${src} ${src === '.' ? '/app/' : src === 'bin/' ? '/usr/local/bin/' : run}\nCMD ["${run}"]\n`);
    assert.doesNotMatch(r.text, /OUTSIDE-SECRET/, src);
    assert.equal(r.chain.scripts.length, 0, src);
    assertOpenedOnlyInside(dir);
  }
  // A symlink that stays inside is followed.
  write(path.relative(ws, path.join(dir, 'real.sh')), '#!/bin/sh\nexec ./inside-app\n');
  fs.symlinkSync('real.sh', path.join(dir, 'inside.sh'));
  const ok = lintDir(dir, 'FROM debian:12\nCOPY inside.sh /inside.sh\nCMD ["/inside.sh"]\n');
  assert.equal(ok.chain.scripts.length, 1);
});

test('the context folder itself reached through a symlink works, and .. inside it is still refused', () => {
  const real = context('realctx');
  write(path.relative(ws, path.join(real, 'start.sh')), '#!/bin/sh\nexec ./inside-app\n');
  const link = path.join(ws, 'linkctx');
  fs.symlinkSync(real, link);
  const text = 'FROM debian:12\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n';
  write('realctx/Dockerfile', text);
  const r = analyzeDockerfile(path.join(link, 'Dockerfile'), text, { files: diskFiles(link) });
  assert.equal(r.chains[0].scripts.length, 1);
  const files = diskFiles(link);
  assert.equal(files.read(path.join(link, '..', '..', 'outside', 'start.sh')), undefined);
  assert.equal(files.read(path.join(outside, 'start.sh')), undefined);
  assert.equal(files.exists('/etc/passwd'), false);
  assert.equal(files.list?.('/etc'), undefined);
  assert.equal(files.isDirectory?.(outside), false);
});

test('a FIFO named like the start script: the analysis returns (it is never opened)', () => {
  const dir = context('fifo');
  execFileSync('mkfifo', [path.join(dir, 'start.sh')]);
  execFileSync('mkfifo', [path.join(dir, 'entrypoint.sh')]);
  const df = write('fifo/Dockerfile', 'FROM debian:12\nCOPY . /app/\nENTRYPOINT ["/app/entrypoint.sh"]\nCMD ["sh", "/app/start.sh"]\n');
  // In a child process: if anything opened the FIFO for reading it would block, and the timeout tells.
  const code = `
    const { initParsers } = require(${JSON.stringify(path.join(OUT_ROOT, 'server/src/core/runtime.js'))});
    const { analyzeDockerfile } = require(${JSON.stringify(path.join(OUT_ROOT, 'server/src/core/analyze.js'))});
    const { diskFiles } = require(${JSON.stringify(path.join(OUT_ROOT, 'server/src/adapters/diskFiles.js'))});
    const fs = require('fs');
    initParsers().then(() => {
      const r = analyzeDockerfile(${JSON.stringify(df)}, fs.readFileSync(${JSON.stringify(df)}, 'utf8'), { files: diskFiles(${JSON.stringify(dir)}) });
      process.stdout.write(JSON.stringify({ scripts: r.chains[0].scripts.length, assumptions: r.chains[0].assumptions }));
    });`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.signal, null, `analysis blocked on the FIFO (killed by the timeout); stderr: ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.scripts, 0);
  assert.match(out.assumptions.join('\n'), /not in the build context/);
  // diskFiles itself: a FIFO is neither read nor listed as a file to read.
  const files = diskFiles(dir);
  assert.equal(files.read(path.join(dir, 'start.sh')), undefined);
  assert.equal(files.isDirectory?.(path.join(dir, 'start.sh')), false);
});

test('/dev/zero and other device files: a symlink to one, and a device node inside the context, are not read', (t) => {
  const dir = context('devices');
  fs.symlinkSync('/dev/zero', path.join(dir, 'start.sh'));
  fs.symlinkSync('/dev/urandom', path.join(dir, 'entry.sh'));
  let node = false;
  try {
    execFileSync('mknod', [path.join(dir, 'zero.sh'), 'c', '1', '5'], { stdio: 'ignore' }); // /dev/zero's numbers
    node = true;
  } catch {
    t.diagnostic('mknod not permitted here: the device-node case is covered by the symlinks only');
  }
  const started = Date.now();
  for (const s of ['start.sh', 'entry.sh', ...(node ? ['zero.sh'] : [])]) {
    const r = lintDir(dir, `FROM debian:12\nCOPY ${s} /${s}\nCMD ["/${s}"]\n`);
    assert.equal(r.chain.scripts.length, 0, s);
    assert.ok(!opened.some((p) => p.startsWith('/dev/') || p.endsWith('/zero.sh') || p.endsWith(`/${s}`)), `opened: ${opened}`);
  }
  assert.ok(Date.now() - started < 10_000);
});

test('a start script over the size cap is not read; one just under it is', () => {
  const dir = context('size');
  const body = '#!/bin/sh\n# ' + 'x'.repeat(MAX_READ_BYTES) + '\nexec ./app\n';
  write('size/big.sh', body);
  const sparse = path.join(dir, 'sparse.sh');
  fs.writeFileSync(sparse, '#!/bin/sh\n');
  fs.truncateSync(sparse, 10 * 1024 * 1024 * 1024); // 10 GiB, sparse: stat says so, nothing is read
  write('size/small.sh', '#!/bin/sh\n# ' + 'x'.repeat(MAX_READ_BYTES - 100) + '\nexec ./app\n');
  for (const s of ['big.sh', 'sparse.sh']) {
    const started = Date.now();
    const r = lintDir(dir, `FROM debian:12\nCOPY ${s} /start.sh\nCMD ["/start.sh"]\n`);
    assert.equal(r.chain.scripts.length, 0, s);
    assert.ok(!opened.some((p) => p.endsWith(`/${s}`)), `${s} was opened`);
    assert.ok(Date.now() - started < 5000, `${s}: ${Date.now() - started} ms`);
  }
  const ok = lintDir(dir, 'FROM debian:12\nCOPY small.sh /start.sh\nCMD ["/start.sh"]\n');
  assert.equal(ok.chain.scripts.length, 1);
});

test('a script with NUL bytes is not read as text', () => {
  const dir = context('binary');
  fs.writeFileSync(path.join(dir, 'start.sh'), Buffer.from('#!/bin/sh\n\0\0\0exec ./app\n'));
  const r = lintDir(dir, 'FROM debian:12\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n');
  assert.equal(r.chain.scripts.length, 0);
});

// ---- Compose and manifests ----------------------------------------------------------------------

test('Compose build: pointing out of the workspace (relative, absolute, through a symlink) reads nothing there', () => {
  const dir = context('compose');
  fs.symlinkSync(outside, path.join(dir, 'linked'));
  const cases = ['build: ../../outside', `build: ${outside}`, `build: {context: ., dockerfile: ${path.join(outside, 'Dockerfile')}}`,
    'build: {context: ., dockerfile: ../../outside/Dockerfile}', 'build: ./linked', 'build: {context: /, dockerfile: etc/passwd}'];
  for (const b of cases) {
    const text = `services:\n  api:\n    ${b}\n`;
    spyOn();
    let r;
    try {
      r = analyzeYaml(path.join(dir, 'compose.yaml'), text, { files: diskFiles(dir) });
    } finally {
      spyOff();
    }
    assert.equal(r.chains[0].dockerfile, undefined, b);
    assert.doesNotMatch(JSON.stringify(r.findings), /OUTSIDE-SECRET|SIGUSR2/, b);
    assertOpenedOnlyInside(dir);
  }
});

function config(images: Record<string, string>): StopcheckConfig {
  return { ...DEFAULT_CONFIG, images };
}

test('language server index: `images` in the settings naming a Dockerfile outside the folder is not read', () => {
  const dir = context('lspimages');
  fs.symlinkSync(outside, path.join(dir, 'linked'));
  write('lspimages/inside/Dockerfile', 'FROM debian:12\nCMD ["./inside-app"]\n');
  const compose = write('lspimages/compose.yaml', 'services:\n  a:\n    image: registry.example/out1\n  b:\n    image: registry.example/out2\n  c:\n    image: registry.example/out3\n  d:\n    image: registry.example/in\n');
  const cfg = config({
    'registry.example/out1': '../../outside/Dockerfile', 'registry.example/out2': path.join(outside, 'Dockerfile'),
    'registry.example/out3': 'linked/Dockerfile', 'registry.example/in': 'inside/Dockerfile',
  });
  const index = new WorkspaceIndex({ openText: () => undefined, configFor: () => cfg, rootFor: () => dir, log: () => undefined });
  spyOn();
  try {
    index.analyse(compose);
  } finally {
    spyOff();
  }
  const r = index.results.get(compose)!;
  const byService = new Map(r.chains.map((c) => [(c as { service?: { name: { value: string } } }).service!.name.value, (c as { dockerfile?: { file: string } }).dockerfile?.file]));
  assert.deepEqual(Object.fromEntries(byService), { a: undefined, b: undefined, c: undefined, d: path.join(dir, 'inside', 'Dockerfile') });
  assert.deepEqual([...r.deps].filter((d) => !d.startsWith(dir + path.sep)), []);
  assertOpenedOnlyInside(dir);
});

test('CLI: `images` in .stopcheck.json naming a Dockerfile outside the repository is not read (lint and simulate)', async () => {
  const repo = context('cliimages');
  execFileSync('git', ['init', '-q'], { cwd: repo });
  write('cliimages/.stopcheck.json', JSON.stringify({ images: { 'registry.example/app': '../../outside/Dockerfile', 'registry.example/abs': path.join(outside, 'Dockerfile') } }));
  write('cliimages/compose.yaml', 'services:\n  a:\n    image: registry.example/app\n  b:\n    image: registry.example/abs\n');
  const out: string[] = [];
  const err: string[] = [];
  spyOn();
  let codes: number[];
  try {
    codes = [
      await main(['lint', '.', '--format', 'json'], repo, (s) => out.push(s), (s) => err.push(s)),
      await main(['simulate', 'compose.yaml', '--format', 'json'], repo, (s) => out.push(s), (s) => err.push(s)),
    ];
  } finally {
    spyOff();
  }
  assert.deepEqual(codes, [0, 0], err.join('\n'));
  assert.doesNotMatch(out.join('\n'), /outside|SIGUSR2|OUTSIDE-SECRET/);
  assert.ok(!opened.some((p) => p.startsWith(outside)), `opened: ${opened.filter((p) => p.startsWith(outside))}`);
});

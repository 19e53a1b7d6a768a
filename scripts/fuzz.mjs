#!/usr/bin/env node
// Long fuzz runs of the core (`npm run fuzz -- --seconds 600 --seed 7`, or `node scripts/fuzz.mjs …`).
// The CI target (test/unit/fuzz.test.ts) tries a fixed set; this tries the same kinds of input for as
// long as you like, with any seed, and prints counts:
//
//   inputs tried, crashes (an exception escaped analyzeDockerfile/analyzeYaml), invalid findings,
//   hangs (over the per-input bound, or no answer at all: the watchdog ends the worker and goes on),
//   preferred fixes whose result no longer parses, and child processes left running.
//
// Order: the examples with every encoding, truncation at every character, the large and deep inputs
// (scale 1 and 3, plus a 10 MB shell-form CMD), then random inputs until the time is up: generated
// files, mutants of the examples and of generated files, and binary data. Input #k depends only on
// (seed, k), so `--seed N --only K` replays one input. Inputs that crash or hang are saved as JSON
// under --out (default fuzz-out/).
//
// Options: --seconds N (default 60)  --seed N (default: from the clock)  --only K  --out DIR  --quiet
// Needs the TypeScript output (out/); it runs `tsc -p .` when out/ is missing.
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const LIB = path.join(ROOT, 'out', 'test', 'unit', 'fuzzlib.js');
const SELF = fileURLToPath(import.meta.url);
/** No message from the worker for this long: it is stuck inside one input. */
const WATCHDOG_MS = 60_000;

if (isMainThread) await main();
else await worker();

function parseArgs(argv) {
  const o = { seconds: 60, seed: Date.now() % 2147483647, only: undefined, out: path.join(ROOT, 'fuzz-out'), quiet: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => {
      const x = argv[++i];
      if (x === undefined) usage(`${a} needs a value`);
      return x;
    };
    if (a === '--seconds') o.seconds = Number(v());
    else if (a === '--seed') o.seed = Number(v());
    else if (a === '--only') o.only = Number(v());
    else if (a === '--out') o.out = path.resolve(v());
    else if (a === '--quiet') o.quiet = true;
    else if (a === '-h' || a === '--help') usage();
    else usage(`unknown option ${a}`);
  }
  if (!Number.isFinite(o.seconds) || o.seconds <= 0) usage('--seconds takes a positive number');
  if (!Number.isInteger(o.seed)) usage('--seed takes an integer');
  return o;
}

function usage(msg) {
  if (msg) process.stderr.write(`fuzz: ${msg}\n`);
  process.stderr.write('usage: node scripts/fuzz.mjs [--seconds N] [--seed N] [--only K] [--out DIR] [--quiet]\n');
  process.exit(2);
}

function childPids() {
  const r = spawnSync('ps', ['-o', 'pid=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n').map((s) => s.trim()).filter(Boolean).map(Number).filter((p) => p !== r.pid);
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(LIB)) {
    process.stderr.write('fuzz: building out/ (tsc -p .)\n');
    execFileSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', '.'], { cwd: ROOT, stdio: 'inherit' });
  }
  const started = Date.now();
  const deadline = started + o.seconds * 1000;
  const counts = { inputs: 0, crashes: 0, invalid: 0, hangs: 0, unanswered: 0, fixBreaks: 0, bytes: 0 };
  const fixKinds = new Map();
  let slowest = { ms: 0, name: '' };
  let next = o.only ?? 0;
  const saved = [];
  const save = (k, kind, detail, files) => {
    fs.mkdirSync(o.out, { recursive: true });
    const f = path.join(o.out, `seed${o.seed}-input${k}-${kind}.json`);
    fs.writeFileSync(f, JSON.stringify({ seed: o.seed, input: k, kind, detail, files }, null, 1));
    saved.push(f);
  };
  const log = (s) => { if (!o.quiet) process.stdout.write(s + '\n'); };
  log(`fuzz: seed ${o.seed}, ${o.seconds} s${o.only !== undefined ? `, only input ${o.only}` : ''}`);

  // One worker at a time; a stuck worker is terminated by the watchdog and a new one resumes after it.
  while (Date.now() < deadline && (o.only === undefined || next === o.only)) {
    const done = await new Promise((resolve) => {
      const w = new Worker(SELF, { workerData: { seed: o.seed, from: next, deadline, only: o.only } });
      let current = { k: next, name: '?' };
      let timer;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          counts.hangs++;
          counts.unanswered++;
          log(`HANG  #${current.k} ${current.name}: no answer in ${WATCHDOG_MS / 1000} s`);
          save(current.k, 'hang', `no answer in ${WATCHDOG_MS} ms`, null);
          next = current.k + 1;
          void w.terminate().then(() => resolve(false));
        }, WATCHDOG_MS);
      };
      arm();
      w.on('message', (m) => {
        arm();
        if (m.type === 'start') current = m;
        else if (m.type === 'result') {
          const r = m.result;
          counts.inputs++;
          counts.bytes += r.bytes;
          next = m.k + 1;
          if (r.ms > slowest.ms) slowest = { ms: r.ms, name: r.name };
          if (r.crash) { counts.crashes++; log(`CRASH #${m.k} ${r.name}\n  ${r.crash.split('\n').slice(0, 6).join('\n  ')}`); save(m.k, 'crash', r.crash, m.files); }
          if (r.invalid) { counts.invalid++; log(`INVALID #${m.k} ${r.name}: ${r.invalid}`); save(m.k, 'invalid', r.invalid, m.files); }
          if (r.hang) { counts.hangs++; log(`SLOW  #${m.k} ${r.name}: ${Math.round(r.ms)} ms (bound ${m.limitMs} ms)`); save(m.k, 'slow', `${r.ms} ms`, m.files); }
          if (r.fixBreaks.length) {
            counts.fixBreaks++;
            for (const b of r.fixBreaks) { const kind = b.replace(/ on .*$/, '').replace(/\d+/g, 'N'); fixKinds.set(kind, (fixKinds.get(kind) ?? 0) + 1); }
          }
        }
      });
      w.on('error', (e) => {
        counts.crashes++;
        log(`WORKER ERROR at #${current.k} ${current.name}: ${e.stack ?? e}`);
        save(current.k, 'worker-error', String(e.stack ?? e), null);
        next = current.k + 1;
      });
      w.on('exit', () => { clearTimeout(timer); resolve(true); });
    });
    if (done && o.only === undefined && Date.now() >= deadline) break;
    if (o.only !== undefined) break;
  }
  // Analysis starts no processes; check that nothing was left behind anyway.
  const leaked = childPids();
  const secs = ((Date.now() - started) / 1000).toFixed(0);
  const lines = [
    `fuzz: seed ${o.seed}, ${secs} s`,
    `  inputs tried:      ${counts.inputs} (${(counts.bytes / 1e6).toFixed(1)} MB)`,
    `  crashes:           ${counts.crashes}`,
    `  invalid findings:  ${counts.invalid}`,
    `  hangs:             ${counts.hangs} (${counts.unanswered} never answered)`,
    `  leaked processes:  ${leaked.length}`,
    `  fixes that break parsing: ${counts.fixBreaks} input(s)${[...fixKinds].map(([k, n]) => `\n    ${n}× ${k}`).join('')}`,
    `  slowest input:     ${Math.round(slowest.ms)} ms, ${slowest.name}`,
  ];
  if (saved.length) lines.push(`  saved: ${saved.length} file(s) in ${path.relative(process.cwd(), o.out) || '.'}`);
  process.stdout.write(lines.join('\n') + '\n');
  process.exitCode = counts.crashes || counts.invalid || counts.hangs || leaked.length ? 1 : 0;
}

async function worker() {
  const require = createRequire(import.meta.url);
  const L = require(LIB);
  await require(path.join(ROOT, 'out', 'server', 'src', 'core', 'runtime.js')).initParsers();
  const { seed, from, deadline, only } = workerData;
  const fixed = fixedInputs(L, seed);
  const seeds = [...L.exampleInputs()];
  const g = L.rng(seed);
  for (let i = 0; i < 80; i++) seeds.push(i % 2 ? L.genDockerfile(g, i) : L.genYaml(g, i));
  for (let k = from; Date.now() < deadline || k === only; k++) {
    const input = k < fixed.length ? fixed[k] : randomInput(L, seed, k, seeds);
    parentPort.postMessage({ type: 'start', k, name: input.name });
    const result = L.runInput(input);
    const bad = result.crash || result.invalid || result.hang;
    parentPort.postMessage({ type: 'result', k, result, limitMs: input.limitMs ?? L.HANG_MS, files: bad && result.bytes < 2e6 ? input.files : null });
    if (k === only) break;
  }
}

function fixedInputs(L, seed) {
  const r = L.rng(seed);
  const out = [];
  for (const e of L.exampleInputs()) {
    out.push(e);
    for (const [how, enc] of Object.entries(L.ENCODINGS)) for (const f of L.mutableFiles(e)) out.push(L.withFile(e, f, enc(e.files[f], r), how));
    if (e.files[e.rel].length < 1000) {
      out.push(...L.truncations(e));
      for (const f of L.mutableFiles(e)) if (f.endsWith('.sh') && f.startsWith(e.rel.split('/')[0] + '/')) out.push(...L.truncations(e, f));
    }
  }
  out.push(...L.stressInputs(1, true), ...L.stressInputs(3, false));
  // dockerfile-ast re-tokenises an instruction's arguments on every accessor call (~1 µs per byte,
  // about ten calls for a CMD): a 10 MB shell-form CMD takes seconds. Linear, so a size-scaled bound.
  out.push({ name: 'stress: Dockerfile with a 10 MB single-line shell-form CMD', kind: 'dockerfile', rel: 'Dockerfile',
    files: { Dockerfile: `FROM debian\nCMD ${'a'.repeat(10 * 1024 * 1024)}\n` }, limitMs: 5000 + 10 * 2500 });
  return out;
}

function randomInput(L, seed, k, seeds) {
  const r = L.rng((seed * 1000003 + k) >>> 0);
  const x = r();
  if (x < 0.25) return r() < 0.5 ? L.genDockerfile(r, k) : L.genYaml(r, k);
  if (x < 0.92) {
    // Mutants of mutants too: up to three rounds.
    let m = L.mutant(r, seeds, k);
    for (let i = Math.floor(r() * 3); i > 0; i--) m = L.mutant(r, [m], k);
    return m;
  }
  const n = 1 + Math.floor(r() * 8192);
  const bin = L.randomBytesAsText(r, n);
  const shapes = [
    { kind: 'dockerfile', rel: 'Dockerfile', files: { Dockerfile: bin } },
    { kind: 'dockerfile', rel: 'Dockerfile', files: { Dockerfile: 'FROM debian\nCOPY start.sh /\nCMD ["/start.sh"]\n', 'start.sh': '#!/bin/sh\n' + bin } },
    { kind: 'yaml', rel: 'compose.yaml', files: { 'compose.yaml': bin } },
    { kind: 'yaml', rel: 'k8s.yaml', files: { 'k8s.yaml': 'kind: Pod\nspec:\n  containers:\n  - name: a\n    command: ' + bin } },
  ];
  return { name: `binary #${k} (${n} bytes)`, ...shapes[Math.floor(r() * shapes.length)] };
}

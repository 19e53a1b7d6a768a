// Fuzz target for CI: a FIXED seed and bounded counts, so every run tries the same inputs (the whole
// file takes well under 30 s on 2 cores). For longer runs with other seeds: scripts/fuzz.mjs.
//
// For every input: no exception escapes analyzeDockerfile/analyzeYaml (start scripts are reached
// through a Dockerfile that COPYs and runs them), every finding can be shown (valid rule id and range),
// and the input finishes within a generous bound — a hang detector, not a speed goal.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import './helpers';
import {
  rng, exampleInputs, genDockerfile, genYaml, mutant, truncations, stressInputs, runInput, tally, withFile, mutableFiles,
  randomBytesAsText, ENCODINGS, HANG_MS, type FuzzInput, type FuzzResult, type Tally,
} from './fuzzlib';

const SEED = 20240611;

/**
 * Fixes whose result is allowed not to parse: none. (Fixes that set a key the mapping already has —
 * `init: true` beside `init: false`, a grace period beside one that is not a number — replace its
 * value; they used to add a duplicate key.) Any fix that breaks parsing fails here.
 */
const KNOWN_FIX_BREAKS = /(?!)/;

function check(results: FuzzResult[], what: string, ctx?: { diagnostic(msg: string): void }): Tally {
  const t = tally(results);
  const show = (rs: FuzzResult[], f: (r: FuzzResult) => string) => rs.slice(0, 5).map((r) => `  ${r.name}: ${f(r)}`).join('\n');
  assert.equal(t.crashes.length, 0, `${what}: exceptions escaped on ${t.crashes.length} input(s):\n${show(t.crashes, (r) => r.crash!.split('\n').slice(0, 6).join('\n    '))}`);
  assert.equal(t.invalid.length, 0, `${what}: findings that cannot be shown:\n${show(t.invalid, (r) => r.invalid!)}`);
  assert.equal(t.hangs.length, 0, `${what}: inputs over their time bound:\n${show(t.hangs, (r) => `${Math.round(r.ms)} ms`)}`);
  const unknown = t.fixBreaks.filter((r) => r.fixBreaks.some((b) => !KNOWN_FIX_BREAKS.test(b)));
  assert.equal(unknown.length, 0, `${what}: preferred fixes whose result no longer parses:\n${show(unknown, (r) => r.fixBreaks.join('; '))}`);
  ctx?.diagnostic(`${t.inputs} inputs, ${t.crashes.length} crashes, ${t.hangs.length} hangs, ${t.fixBreaks.length} with a known fix that breaks parsing; `
    + `${Math.round(t.totalMs)} ms in all, slowest ${Math.round(t.slowest?.ms ?? 0)} ms (${t.slowest?.name})`);
  return t;
}

function runAll(inputs: FuzzInput[]): FuzzResult[] {
  return inputs.map((i) => runInput(i));
}

test('the examples workspace, each file with CRLF, CR-only, BOM, NUL bytes, invalid UTF-8 …', (t) => {
  const r = rng(SEED);
  const inputs: FuzzInput[] = [];
  for (const e of exampleInputs()) {
    inputs.push(e);
    for (const [how, enc] of Object.entries(ENCODINGS)) {
      // The analysed file and every script or Dockerfile next to it, one at a time.
      for (const f of mutableFiles(e)) inputs.push(withFile(e, f, enc(e.files[f], r), how));
    }
  }
  assert.ok(inputs.length > 500, `${inputs.length} inputs`);
  check(runAll(inputs), 'examples', t);
});

test('truncation at every character of a Dockerfile, its start script, a Compose file and a manifest', (t) => {
  const ex = new Map(exampleInputs().map((e) => [e.rel, e]));
  const inputs: FuzzInput[] = [];
  const df = ex.get('start-script/Dockerfile')!;
  inputs.push(...truncations(df), ...truncations(df, 'start-script/start.sh'));
  const tini = ex.get('tini-script/Dockerfile')!;
  inputs.push(...truncations(tini), ...truncations(tini, 'tini-script/entrypoint.sh'));
  inputs.push(...truncations(ex.get('compose.yaml')!), ...truncations(ex.get('k8s/deployment.yaml')!));
  assert.ok(inputs.length > 1500, `${inputs.length} inputs`);
  check(runAll(inputs), 'truncations', t);
});

test('generated Dockerfiles, scripts, Compose files and manifests, and random edits of them', (t) => {
  const r = rng(SEED + 1);
  const generated: FuzzInput[] = [];
  for (let i = 0; i < 300; i++) generated.push(i % 2 ? genDockerfile(r, i) : genYaml(r, i));
  const seeds = [...exampleInputs(), ...generated.slice(0, 60)];
  const mutants: FuzzInput[] = [];
  for (let i = 0; i < 1500; i++) mutants.push(mutant(r, seeds, i));
  check(runAll([...generated, ...mutants]), 'generated and mutated', t);
});

test('random binary data as a Dockerfile, a start script, a Compose file and a manifest', (t) => {
  const r = rng(SEED + 2);
  const inputs: FuzzInput[] = [];
  for (let i = 0; i < 60; i++) {
    const n = 1 + Math.floor(r() * (i < 50 ? 512 : 16384));
    const bin = randomBytesAsText(r, n);
    inputs.push({ name: `binary Dockerfile #${i} (${n} bytes)`, kind: 'dockerfile', rel: 'Dockerfile', files: { Dockerfile: bin } });
    inputs.push({ name: `binary start.sh #${i}`, kind: 'dockerfile', rel: 'Dockerfile', files: { Dockerfile: 'FROM debian\nCOPY start.sh /\nCMD ["/start.sh"]\n', 'start.sh': bin } });
    inputs.push({ name: `binary after a shebang #${i}`, kind: 'dockerfile', rel: 'Dockerfile', files: { Dockerfile: 'FROM alpine\nCOPY . /app\nCMD ["sh", "/app/start.sh"]\n', 'start.sh': '#!/bin/sh\n' + bin } });
    inputs.push({ name: `binary compose.yaml #${i}`, kind: 'yaml', rel: 'compose.yaml', files: { 'compose.yaml': bin } });
    inputs.push({ name: `binary in a manifest #${i}`, kind: 'yaml', rel: 'k8s.yaml', files: { 'k8s.yaml': `kind: Pod\nspec:\n  containers:\n  - name: a\n    command: ["${bin.replace(/["\\\n]/g, '')}"]\n` } });
  }
  check(runAll(inputs), 'binary', t);
});

// Found by `node scripts/fuzz.mjs --seconds 600 --seed 1` (inputs #226869 and #431569): a COPY whose
// words follow a line continuation and whose source is a heredoc left copyEntry without a destination,
// and resolving the start script threw a TypeError out of analyzeDockerfile.
test('regression: COPY \\⏎ <<EOF /start.sh (words on the continuation line) does not throw', () => {
  const inputs: FuzzInput[] = [
    { name: 'COPY \\⏎ <<EOF', kind: 'dockerfile', rel: 'Dockerfile', files: { Dockerfile: 'FROM alpine\nCOPY \\\n<<EOF /start.sh\n#!/bin/sh\nexec ./app\nEOF\nCMD ["/start.sh"]\n' } },
    { name: 'CO\\⏎PY <<EOF', kind: 'dockerfile', rel: 'Dockerfile', files: { Dockerfile: 'FROM alpine\nCO\\\nPY <<EOF /start.sh\n#!/bin/sh\nsleep infinity\nEOF\nCMD ["/start.sh"]\n' } },
    { name: 'seed 1 input #226869', kind: 'dockerfile', rel: 'Dockerfile', files: {"start.sh": "#!/bin/bash\nexec su-exec app \"$@\"\nset -e\nsh -c ./inner.sh\n", "Dockerfile": "FROM scratych\n# stopcheck-disable-next-line \nENV PATH=/x:$PATH\nCMD postgres\nCMD [\"busybox\",\"sh\",\"-c\",\"./app\"]\nCOPY --chmod=755 start.sh /start.sh\nCO\\\nPY <<EOF /start.sh\n#!/bin/sh\nsleep infinity\nEOF\nFROM alpine:3.20 AS s1\nCOPY start.sh /app/\nCOPY /etc/passwd /start.sh\nwd /start.sh\n"} },
    { name: 'seed 1 input #431569', kind: 'dockerfile', rel: 'Dockerfile', files: {"start.sh": "#!/bin/sh -e\nwhile true; do sleep 1; done\ntrap 'kill $child; wait $child' TERM\nf() { exec ./app; }\nf() { exec ./app; }\napp & pid=$!\nsh -c ./inner.sh\n", "Dockerfile": "FROM registry.example.com/team/app:1 AS s0\nCMD python app.py\nCOPY \\\n<<EOF /start.sh\n#!/bin/sh\ntail -f /dev/null\nEOF\nCMD sudo -u app ./app\nFROM ${BASE}\nFROM gcr.io/distrole\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000ss/nodejs20-debian12 AS s2\n# stopcheck-disable-nee STOP101\nENV A=1\nENV B\n"} },
  ];
  check(runAll(inputs), 'regressions');
});

// One test per large or deep input, so a regression names its shape.
for (const input of stressInputs(1, true)) {
  test(input.name, (t) => {
    const res = runInput(input, false);
    check([res], input.name);
    t.diagnostic(`${Math.round(res.ms)} ms (bound ${input.limitMs ?? HANG_MS} ms)`);
  });
}

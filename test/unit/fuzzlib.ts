// Shared by the CI fuzz target (test/unit/fuzz.test.ts) and the long-running fuzzer (scripts/fuzz.mjs):
// a seeded input generator and one "run this input" function that catches what escapes the core
// and measures wall time. Not a test file itself (no `.test.` in the name).
//
// An input is a Dockerfile or a YAML file plus the in-memory build context it can reach, so start
// scripts are fuzzed through the Dockerfile that COPYs and runs them — the only way the core reads them.
import * as fs from 'fs';
import * as path from 'path';
import { analyzeDockerfile, analyzeYaml } from '../../server/src/core/analyze';
import { matchImageToDockerfile } from '../../server/src/core/platforms';
import { applyEdits } from '../../server/src/core/fixes';
import { LineIndex } from '../../server/src/core/text';
import { withShellTree } from '../../server/src/core/shell';
import { DockerfileParser } from 'dockerfile-ast';
import { parseAllDocuments } from 'yaml';
import type { Finding } from '../../server/src/core/types';
import { memFiles } from './memfs';

export const FUZZ_ROOT = '/ws';
const REPO = path.resolve(__dirname, '..', '..', '..');

export interface FuzzInput {
  /** What it is, for reports: `examples/start-script/Dockerfile +crlf`, `stress: 3000 stages`. */
  name: string;
  kind: 'dockerfile' | 'yaml';
  /** Path of the analysed file relative to FUZZ_ROOT. */
  rel: string;
  /** Every file of the in-memory workspace (relative paths), the analysed one included. */
  files: Record<string, string>;
  /** Hang bound for this input (ms); default HANG_MS. */
  limitMs?: number;
}

export interface FuzzResult {
  name: string;
  ms: number;
  bytes: number;
  findings: number;
  /** Message and stack of an exception that escaped analyzeDockerfile/analyzeYaml. */
  crash?: string;
  /** A finding the editor could not show: bad rule id, negative or reversed range, empty message. */
  invalid?: string;
  /** Took longer than its bound. */
  hang?: boolean;
  /** Preferred fixes whose result no longer parses (the CLI's --fix guard refuses those). */
  fixBreaks: string[];
}

/** Per-input bound: a hang detector, not a speed goal. */
export const HANG_MS = 5000;

// ---- seeded randomness ------------------------------------------------------------------------

export type Rng = () => number;

/** mulberry32: small, fast, and the same sequence on every platform. */
export function rng(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const int = (r: Rng, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rng, xs: readonly T[]): T => xs[int(r, xs.length)];

// ---- seeds: the examples workspace and small generated files --------------------------------------

/** Every file under examples/, relative to it. */
export function exampleFiles(): Record<string, string> {
  const dir = path.join(REPO, 'examples');
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out[path.relative(dir, p).split(path.sep).join('/')] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

function kindOf(rel: string): 'dockerfile' | 'yaml' | undefined {
  const base = rel.split('/').pop()!;
  if (/^(Dockerfile|Containerfile)(\..+)?$/.test(base)) return 'dockerfile';
  if (/\.ya?ml$/.test(base)) return 'yaml';
  return undefined;
}

/** One input per analysable file of the examples, each seeing the whole examples workspace. */
export function exampleInputs(): FuzzInput[] {
  const files = exampleFiles();
  return Object.keys(files).filter((k) => kindOf(k)).sort().map((rel) => ({ name: `examples/${rel}`, kind: kindOf(rel)!, rel, files }));
}

const IMAGES = ['node:20', 'node:20-alpine', 'alpine:3.20', 'debian:12', 'ubuntu:24.04', 'python:3.12-slim', 'nginx:1.27', 'busybox',
  'gcr.io/distroless/nodejs20-debian12', 'scratch', 'postgres:16', 'registry.example.com/team/app:1', '${BASE}', 'base', '0'];
const COMMANDS = ['node server.js', 'npm start', 'npm run start', 'yarn start', 'python app.py', 'gunicorn app:app', './start.sh', '/start.sh',
  'sh -c "exec node a.js"', 'sh -c "./migrate && ./app"', 'bash -c \'trap "kill $p" TERM; ./app & p=$!; wait\'', 'tini -- ./start.sh',
  'dumb-init node a.js', 'su app -c ./app', 'gosu app ./app', 'sleep infinity', 'tail -f /dev/null', 'nginx -g "daemon off;"',
  'exec ./app', './app > /log 2>&1', 'timeout 10 ./app', 'sudo -u app ./app', 'env A=1 ./app', '$APP', 'postgres', '/init', 'busybox sh -c ./app'];
const SCRIPT_LINES = ['set -e', 'exec "$@"', 'exec node server.js', './migrate', 'node server.js', 'trap "kill -TERM $pid" TERM INT',
  'trap \'kill $child; wait $child\' TERM', 'app & pid=$!', 'wait $pid', 'wait', 'exit 0', 'sleep infinity', 'tail -f /dev/null',
  'if [ -n "$X" ]; then exec ./a; fi', 'case "$1" in a) exec ./a;; *) ./b;; esac', 'while true; do sleep 1; done', 'f() { exec ./app; }', 'f',
  'service nginx start', 'sh -c ./inner.sh', 'cat <<EOF\nhello\nEOF', '( exec ./app )', './app | tee log', './app &', 'exec >/log 2>&1',
  'export A=1', 'cd /srv', '. ./env.sh', 'exec su-exec app "$@"', 'gosu app ./app'];

function shellOrExec(r: Rng, cmd: string): string {
  if (r() < 0.5) return cmd;
  return JSON.stringify(cmd.split(' ').filter(Boolean));
}

/** A small Dockerfile with its start scripts. */
export function genDockerfile(r: Rng, id: number): FuzzInput {
  const files: Record<string, string> = {};
  const lines: string[] = [];
  const stages = 1 + int(r, 3);
  for (let s = 0; s < stages; s++) {
    if (r() < 0.2) lines.push(`ARG BASE=${pick(r, IMAGES)}`);
    lines.push(`FROM ${pick(r, IMAGES)}${r() < 0.5 ? ` AS s${s}` : ''}`);
    for (let i = int(r, 7); i > 0; i--) {
      switch (int(r, 11)) {
        case 0: lines.push(`WORKDIR ${pick(r, ['/app', 'srv', '/', '"/a b"', '..'])}`); break;
        case 1: lines.push(`COPY ${pick(r, ['start.sh', '.', 'bin/', '*.sh', '../x.sh', '/etc/passwd', '--from=s0 /start.sh', '--chmod=755 start.sh'])} ${pick(r, ['/start.sh', '/app/', '.', '/usr/local/bin/'])}`); break;
        case 2: lines.push('COPY <<EOF /start.sh\n#!/bin/sh\n' + pick(r, SCRIPT_LINES) + '\nEOF'); break;
        case 3: lines.push(`RUN ${pick(r, ['apt-get update', 'chmod +x /start.sh', 'echo hi \\\n  && true', 'apk add tini'])}`); break;
        case 4: lines.push(`SHELL ${pick(r, ['["/bin/bash", "-c"]', '["/bin/sh", "-ec"]', '["cmd", "/S", "/C"]', '[]', '["'])}`); break;
        case 5: lines.push(`STOPSIGNAL ${pick(r, ['SIGQUIT', 'SIGINT', '9', 'TERM', 'SIGRTMIN+3', 'bogus', ''])}`); break;
        case 6: lines.push(`ENTRYPOINT ${shellOrExec(r, pick(r, COMMANDS))}`); break;
        case 7: lines.push(`CMD ${shellOrExec(r, pick(r, COMMANDS))}`); break;
        case 8: lines.push(`# stopcheck-disable-next-line ${pick(r, ['STOP101', 'STOP1', 'all', ''])}`); break;
        case 9: lines.push(`ENV ${pick(r, ['A=1', 'PATH=/x:$PATH', 'B'])}`); break;
        default: lines.push(`CMD ${shellOrExec(r, pick(r, COMMANDS))}`);
      }
    }
  }
  files['start.sh'] = scriptText(r);
  if (r() < 0.5) files['bin/run.sh'] = scriptText(r);
  files['Dockerfile'] = lines.join('\n') + '\n';
  return { name: `generated Dockerfile #${id}`, kind: 'dockerfile', rel: 'Dockerfile', files };
}

export function scriptText(r: Rng): string {
  const out = [pick(r, ['#!/bin/sh', '#!/bin/bash', '#!/usr/bin/env bash', '#!/bin/busybox sh', '', '#!/bin/sh -e'])];
  for (let i = 1 + int(r, 6); i > 0; i--) out.push(pick(r, SCRIPT_LINES));
  return out.join('\n') + '\n';
}

/** A small Compose file or Kubernetes manifest, with a Dockerfile some images resolve to. */
export function genYaml(r: Rng, id: number): FuzzInput {
  const files: Record<string, string> = { 'app/Dockerfile': genDockerfile(r, id).files['Dockerfile'], 'app/start.sh': scriptText(r) };
  const cmd = () => (r() < 0.5 ? JSON.stringify(pick(r, COMMANDS).split(' ')) : JSON.stringify(pick(r, COMMANDS)));
  let text: string;
  if (r() < 0.5) {
    const svcs: string[] = [];
    for (let i = 1 + int(r, 3); i > 0; i--) {
      const keys = [`    image: ${pick(r, [...IMAGES, 'app', 'registry.example.com/x/app:2'])}`];
      if (r() < 0.3) keys.push(`    build: ${pick(r, ['./app', '{context: app, dockerfile: Dockerfile, target: s0}', '../outside', '/etc'])}`);
      if (r() < 0.6) keys.push(`    command: ${cmd()}`);
      if (r() < 0.3) keys.push(`    entrypoint: ${cmd()}`);
      if (r() < 0.3) keys.push(`    init: ${pick(r, ['true', 'false', 'yes', '"true"'])}`);
      if (r() < 0.3) keys.push(`    stop_signal: ${pick(r, ['SIGQUIT', 'SIGKILL', '15', 'x'])}`);
      if (r() < 0.3) keys.push(`    stop_grace_period: ${pick(r, ['1m30s', '10s', '500ms', 'x', '-1s', '99999999999h'])}`);
      svcs.push(`  s${i}:\n${keys.join('\n')}`);
    }
    text = `${r() < 0.2 ? 'x-base: &base\n  image: debian\n' : ''}services:\n${svcs.join('\n')}\n`;
    return { name: `generated compose #${id}`, kind: 'yaml', rel: 'compose.yaml', files: { ...files, 'compose.yaml': text } };
  }
  const kind = pick(r, ['Pod', 'Deployment', 'StatefulSet', 'CronJob', 'Job', 'List', 'DaemonSet']);
  const container = `- name: c\n  image: ${pick(r, [...IMAGES, 'app'])}\n  command: ${cmd()}\n  args: ${r() < 0.5 ? '["a"]' : '[]'}\n`
    + (r() < 0.5 ? `  lifecycle:\n    preStop:\n      ${pick(r, ['exec: {command: ["sleep", "5"]}', 'sleep: {seconds: 40}', 'httpGet: {path: /x, port: 80}', 'bogus: 1'])}\n` : '');
  const spec = `terminationGracePeriodSeconds: ${pick(r, ['30', '0', '-5', '1e9', 'x'])}\nshareProcessNamespace: ${pick(r, ['true', 'false'])}\ncontainers:\n${container}`;
  const indent = (s: string, n: number) => s.split('\n').map((l) => (l ? ' '.repeat(n) + l : l)).join('\n');
  const body = kind === 'Pod' ? `spec:\n${indent(spec, 2)}`
    : kind === 'CronJob' ? `spec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n${indent(spec, 10)}`
      : kind === 'List' ? `items:\n- kind: Pod\n  spec:\n${indent(spec, 4)}`
        : `spec:\n  template:\n    spec:\n${indent(spec, 6)}`;
  text = `apiVersion: v1\nkind: ${kind}\nmetadata:\n  name: m${id}\n${body}\n`;
  return { name: `generated ${kind} #${id}`, kind: 'yaml', rel: 'k8s.yaml', files: { ...files, 'k8s.yaml': text } };
}

// ---- mutations --------------------------------------------------------------------------------------

const TOKENS = ['"', '\'', '\\', '\\\n', '$(', ')', '`', '${', '}', '[', ']', '{', '&', '|', ';', '&&', '||', '\n', '\r', '\r\n', '\t', ' ',
  'exec ', 'sh -c ', 'FROM x AS y\n', 'COPY --from=0 / /\n', 'COPY <<EOF /start.sh\n', 'EOF\n', '<<EOF\n', '<<-EOF\n', '*a', '&a ', '<<: *a\n',
  '---\n', '- ', ': ', '#', '\0', '\uFEFF', '\uD800', '\uDC00', '😀', '\u2028', '\u00e9', 'ﬀ', '\u0085', '\x1b[0m', 'CMD ', 'ENTRYPOINT ',
  'STOPSIGNAL ', 'SHELL ', '["a", ', 'trap ', 'wait', ' &\n', 'if ', 'then ', 'fi', 'case ', 'esac', 'function ', '() {', '# stopcheck-disable\n'];

/** One random edit of `text`: bytes, lines or tokens. */
export function mutateText(r: Rng, text: string, donor: string): string {
  const at = int(r, text.length + 1);
  const lines = text.split('\n');
  switch (int(r, 10)) {
    case 0: return text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + int(r, 16))); // delete a span
    case 1: return text.slice(0, at) + pick(r, TOKENS) + text.slice(at); // insert a token
    case 2: return text.slice(0, at) + String.fromCharCode(int(r, 256)) + text.slice(at + 1); // replace a char
    case 3: { // duplicate a line
      const i = int(r, lines.length);
      lines.splice(i, 0, lines[i]);
      return lines.join('\n');
    }
    case 4: { // delete a line
      lines.splice(int(r, lines.length), 1);
      return lines.join('\n');
    }
    case 5: { // swap two lines
      const i = int(r, lines.length);
      const j = int(r, lines.length);
      [lines[i], lines[j]] = [lines[j], lines[i]];
      return lines.join('\n');
    }
    case 6: { // a line from another file
      const d = donor.split('\n');
      lines.splice(int(r, lines.length + 1), 0, d[int(r, d.length)]);
      return lines.join('\n');
    }
    case 7: return text.slice(0, at) + randomBytesAsText(r, 1 + int(r, 32)) + text.slice(at); // binary splice
    case 8: return text.slice(0, at) + text.slice(at).repeat(1 + int(r, 3)); // repeat the tail
    default: return text.slice(0, at); // truncate
  }
}

/** Bytes decoded as UTF-8 the way the server reads files (invalid sequences become U+FFFD). */
export function randomBytesAsText(r: Rng, n: number): string {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i++) b[i] = int(r, 256);
  return b.toString('utf8');
}

/** Whole-file transformations: line endings, BOM, NUL bytes, invalid UTF-8. */
export const ENCODINGS: Record<string, (t: string, r: Rng) => string> = {
  crlf: (t) => t.replace(/\r?\n/g, '\r\n'),
  'cr-only': (t) => t.replace(/\r?\n/g, '\r'),
  bom: (t) => '\uFEFF' + t,
  'bom+crlf': (t) => '\uFEFF' + t.replace(/\r?\n/g, '\r\n'),
  nul: (t, r) => { const at = int(r, t.length + 1); return t.slice(0, at) + '\0' + t.slice(at); },
  'nul-run': (t, r) => { const at = int(r, t.length + 1); return t.slice(0, at) + '\0'.repeat(64) + t.slice(at); },
  'invalid-utf8': (t, r) => {
    const b = Buffer.from(t, 'utf8');
    for (let k = 0; k < 1 + b.length / 16; k++) b[int(r, b.length)] = 0x80 + int(r, 128);
    return b.toString('utf8');
  },
  latin1: (t) => Buffer.from(t, 'utf8').toString('latin1'),
  'lone-surrogates': (t, r) => { const at = int(r, t.length + 1); return t.slice(0, at) + '\uD83D' + t.slice(at) + '\uDE00'; },
  'tabs-for-spaces': (t) => t.replace(/ {2}/g, '\t'),
  'no-final-newline': (t) => t.replace(/\s+$/, ''),
};

/** `input` with one of its files (the analysed one or a file it reaches) replaced. */
export function withFile(input: FuzzInput, rel: string, text: string, how: string): FuzzInput {
  return { ...input, name: `${input.name} [${rel === input.rel ? '' : rel + ' '}${how}]`, files: { ...input.files, [rel]: text } };
}

/** Files of `input` worth mutating: the analysed file and the scripts/Dockerfiles near it. */
export function mutableFiles(input: FuzzInput): string[] {
  const dir = input.rel.includes('/') ? input.rel.slice(0, input.rel.lastIndexOf('/') + 1) : '';
  return Object.keys(input.files).filter((k) => k === input.rel || (k.startsWith(dir) && /\.sh$|Dockerfile/.test(k)));
}

/** A mutant: 1–4 random edits to one file of a random seed. */
export function mutant(r: Rng, seeds: FuzzInput[], id: number): FuzzInput {
  const s = pick(r, seeds);
  const target = pick(r, mutableFiles(s));
  let text = s.files[target];
  const donor = pick(r, seeds).files[pick(r, seeds).rel] ?? '';
  for (let k = 1 + int(r, 4); k > 0; k--) text = mutateText(r, text, donor);
  if (r() < 0.15) text = ENCODINGS[pick(r, Object.keys(ENCODINGS))](text, r);
  return withFile(s, target, text, `mutant #${id}`);
}

/** Every prefix of one file of `input` (truncation at every UTF-16 unit). */
export function truncations(input: FuzzInput, rel = input.rel): FuzzInput[] {
  const text = input.files[rel];
  const out: FuzzInput[] = [];
  for (let n = 0; n <= text.length; n++) out.push(withFile(input, rel, text.slice(0, n), `truncated at ${n}`));
  return out;
}

// ---- stress inputs: size and depth ----------------------------------------------------------------

const SCRIPT_DF = 'FROM debian:12\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n';
const script = (name: string, text: string, limitMs?: number): FuzzInput =>
  ({ name: `stress: script with ${name}`, kind: 'dockerfile', rel: 'Dockerfile', files: { Dockerfile: SCRIPT_DF, 'start.sh': '#!/bin/sh\n' + text }, limitMs });
const dockerfile = (name: string, text: string, files: Record<string, string> = {}, limitMs?: number): FuzzInput =>
  ({ name: `stress: Dockerfile with ${name}`, kind: 'dockerfile', rel: 'Dockerfile', files: { ...files, Dockerfile: text }, limitMs });
const yaml = (name: string, rel: string, text: string, limitMs?: number): FuzzInput =>
  ({ name: `stress: YAML with ${name}`, kind: 'yaml', rel, files: { [rel]: text, 'app/Dockerfile': SCRIPT_DF, 'app/start.sh': '#!/bin/sh\nexec ./app\n' }, limitMs });

function billionLaughs(levels: number): string {
  let y = 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n';
  for (let i = 1; i < levels; i++) y += `a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(', ')}]\n`;
  return y;
}

/**
 * Large and deep inputs. `scale` 1 is the CI set (each a few hundred ms at most); the long fuzzer
 * also runs scale 3. `huge` adds the 10 MB single lines.
 */
export function stressInputs(scale = 1, huge = true): FuzzInput[] {
  const n = (k: number) => Math.round(k * scale);
  const out: FuzzInput[] = [
    dockerfile(`(((…))) ${n(5000)} deep in a shell-form CMD`, `FROM debian\nCMD ${'('.repeat(n(5000))}exec x${')'.repeat(n(5000))}\n`),
    dockerfile(`$( $( … ) ) ${n(3000)} deep in sh -c`, `FROM debian\nCMD ["sh", "-c", ${JSON.stringify('echo ' + '$('.repeat(n(3000)) + 'x' + ')'.repeat(n(3000)))}]\n`),
    dockerfile(`an && list of ${n(20000)} commands run in the background`, `FROM debian\nCMD ["sh", "-c", ${JSON.stringify('a && '.repeat(n(20000)) + 'exec b &')}]\n`),
    script(`${n(5000)} nested if`, 'if true; then '.repeat(n(5000)) + 'exec x' + '; fi'.repeat(n(5000)) + '\n'),
    script(`${n(5000)} nested { }`, '{ '.repeat(n(5000)) + 'x; ' + '} '.repeat(n(5000)) + '\n'),
    script(`${n(5000)} nested ( )`, '('.repeat(n(5000)) + 'x' + ')'.repeat(n(5000)) + '\n'),
    script(`${n(2000)} nested case`, 'case x in a) '.repeat(n(2000)) + 'x' + ';; esac'.repeat(n(2000)) + '\n'),
    script(`an && list of ${n(20000)}`, 'a && '.repeat(n(20000)) + 'b\n'),
    script(`an && list of ${n(20000)} in the background`, 'a && '.repeat(n(20000)) + 'exec b &\nwait\n'),
    script(`${n(3000)} functions calling each other`, Array.from({ length: n(3000) }, (_, i) => `f${i}() { f${i + 1}; }`).join('\n') + '\nf0\n'),
    script('functions fanning out (10 branches × 10 levels)', Array.from({ length: 10 }, (_, i) => `f${i}() { case $1 in ${Array.from({ length: 10 }, (_, j) => `${j}) f${i + 1};;`).join(' ')} esac; }`).join('\n') + '\nf0\n'),
    script('mutually recursive functions', 'a() { b; b; }\nb() { a; a; }\na\n'),
    script(`${n(3000)} heredocs`, Array.from({ length: n(3000) }, (_, i) => `cat <<EOF${i}\nline\nEOF${i}`).join('\n') + '\nexec ./app\n'),
    script('an unterminated heredoc', 'cat <<EOF\n' + 'x\n'.repeat(n(20000))),
    script(`${n(20000)} statements`, 'a; '.repeat(n(20000)) + '\nexec b\n'),
    script(`${n(10000)} background jobs and waits`, 'a &\nwait\n'.repeat(n(10000)) + 'exec b\n'),
    script(`${n(5000)} traps`, 'trap "kill -TERM $p" TERM\n'.repeat(n(5000)) + './app & p=$!\nwait $p\nwait $p\n'),
    script(`a run of ${n(80000)} NUL bytes`, '\0'.repeat(n(80000)) + '\nexec ./app\n'),
    script(`a run of ${n(12000)} ")" (tree-sitter's quadratic error recovery)`, ')'.repeat(n(12000)) + '\n'),
    dockerfile(`a shell-form CMD of ${n(80000)} NUL bytes`, `FROM debian\nCMD ${'\0'.repeat(n(80000))}\n`),
    dockerfile(`${n(3000)} chained stages, each with COPY and CMD`, Array.from({ length: n(3000) }, (_, i) => `FROM ${i ? 's' + (i - 1) : 'debian'} AS s${i}\nCOPY a${i}.sh /a${i}.sh\nCMD ["/a${i}.sh"]\n`).join(''), { 'a0.sh': '#!/bin/sh\nexec x\n' }),
    dockerfile(`${n(30000)} chained stages with COPY`, Array.from({ length: n(30000) }, (_, i) => `FROM ${i ? 's' + (i - 1) : 'debian'} AS s${i}\nCOPY a${i} /a${i}\n`).join('') + 'CMD ["/start.sh"]\n', { 'start.sh': '#!/bin/sh\nexec x\n' }),
    dockerfile(`${n(3000)} independent stages`, Array.from({ length: n(3000) }, (_, i) => `FROM alpine AS s${i}\nCMD sleep ${i}\n`).join('')),
    dockerfile('COPY --from cycles and self references', 'FROM b AS a\nCOPY --from=b /s.sh /s.sh\nFROM a AS b\nCOPY --from=a /s.sh /s.sh\nCOPY --from=b /x /x\nCOPY --from=1 /y /y\nCMD ["/s.sh"]\n'),
    dockerfile(`${n(2000)} COPY heredocs`, 'FROM debian\n' + Array.from({ length: n(2000) }, (_, i) => `COPY <<EOF${i} /s${i}.sh\n#!/bin/sh\nexec x\nEOF${i}\n`).join('') + 'CMD ["/s1.sh"]\n'),
    dockerfile(`${n(20000)} line continuations`, 'FROM debian\nCMD a' + ' \\\n'.repeat(n(20000)) + 'b\n'),
    yaml(`[[[…]]] ${n(5000)} deep`, 'compose.yaml', 'services:\n  a:\n    image: debian\n    command: ' + '['.repeat(n(5000)) + ']'.repeat(n(5000)) + '\n'),
    yaml(`{a: {a: …}} ${n(5000)} deep`, 'compose.yaml', 'services:\n  a:\n    command: ' + '{a: '.repeat(n(5000)) + '1' + '}'.repeat(n(5000)) + '\n'),
    yaml(`block lists ${n(3000)} deep`, 'k8s.yaml', 'kind: Pod\nspec:\n  containers:\n' + Array.from({ length: n(3000) }, (_, i) => ' '.repeat(i + 2) + '- ').join('\n') + 'x\n'),
    yaml(`block maps ${n(3000)} deep`, 'k8s.yaml', 'kind: Pod\nspec:\n' + Array.from({ length: n(3000) }, (_, i) => ' '.repeat(i + 2) + 'k:').join('\n') + ' x\n'),
    yaml('a billion-laughs alias bomb under containers:', 'k8s.yaml', billionLaughs(10) + 'kind: Pod\nspec:\n  containers: *a9\n'),
    yaml('a billion-laughs alias bomb as services:', 'compose.yaml', billionLaughs(10) + 'services: *a9\n'),
    yaml('an alias bomb inside command:', 'compose.yaml', billionLaughs(10) + 'services:\n  s:\n    image: debian\n    command: *a9\n'),
    yaml('merge keys fanning out (10 × 10 levels)', 'compose.yaml', 'x0: &x0 {image: debian}\n' + Array.from({ length: 10 }, (_, i) => `x${i + 1}: &x${i + 1}\n  <<: [${Array(10).fill(`*x${i}`).join(', ')}]\n`).join('') + 'services:\n  s:\n    <<: *x10\n'),
    yaml('an alias to its own anchor', 'compose.yaml', 'services: &s\n  a: *s\n  b:\n    <<: *s\n'),
    yaml(`${n(3000)} documents`, 'k8s.yaml', Array.from({ length: n(3000) }, (_, i) => `---\nkind: Pod\nmetadata: {name: p${i}}\nspec:\n  containers:\n  - name: c\n    image: node:20\n    command: ["npm", "start"]\n`).join('')),
    yaml(`${n(50000)} empty documents`, 'k8s.yaml', '---\n'.repeat(n(50000))),
    yaml(`${n(3000)} Compose services`, 'compose.yaml', 'services:\n' + Array.from({ length: n(3000) }, (_, i) => `  s${i}:\n    image: app\n    command: sh -c "./a && ./b"\n`).join('')),
  ];
  if (huge) {
    const big = 'a'.repeat(10 * 1024 * 1024);
    out.push(yaml('a 10 MB single-line command', 'compose.yaml', `services:\n  a:\n    image: debian\n    command: ${big}\n`));
    out.push(dockerfile('a 10 MB single-line comment', `FROM debian\n# ${big}\nCMD ["./app"]\n`));
  }
  return out;
}

// ---- running one input -------------------------------------------------------------------------------

function dockerfilesOf(files: Record<string, string>): string[] {
  return Object.keys(files).filter((k) => kindOf(k) === 'dockerfile').map((k) => `${FUZZ_ROOT}/${k}`);
}

/** Analyse `input` as the CLI and the server do; never throws. */
export function runInput(input: FuzzInput, checkFixes = true): FuzzResult {
  const abs = `${FUZZ_ROOT}/${input.rel}`;
  const text = input.files[input.rel];
  const files = memFiles(FUZZ_ROOT, input.files);
  const bytes = Object.values(input.files).reduce((n, t) => n + t.length, 0);
  const started = process.hrtime.bigint();
  let findings: Finding[] = [];
  let crash: string | undefined;
  try {
    if (input.kind === 'dockerfile') {
      findings = analyzeDockerfile(abs, text, { files }).findings;
    } else {
      const dockerfiles = dockerfilesOf(input.files);
      findings = analyzeYaml(abs, text, {
        files,
        dockerfileForImage: (image) => {
          const df = matchImageToDockerfile(image, dockerfiles, {}, FUZZ_ROOT);
          const t = df ? files.read(df) : undefined;
          return df && t !== undefined ? { file: df, text: t, contextDir: df.slice(0, df.lastIndexOf('/')), how: df } : undefined;
        },
      }).findings;
    }
  } catch (e) {
    crash = (e as Error)?.stack ?? String(e);
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const invalid = findings.map(invalidFinding).find((x) => x !== undefined);
  const fixBreaks = !crash && checkFixes ? brokenFixes(findings, (f) => files.read(f) ?? (f === abs ? text : undefined)) : [];
  return { name: input.name, ms, bytes, findings: findings.length, crash, invalid, hang: ms > (input.limitMs ?? HANG_MS), fixBreaks };
}

function invalidFinding(f: Finding): string | undefined {
  const { start, end } = f.range;
  const ok = (n: number) => Number.isInteger(n) && n >= 0;
  if (!/^STOP\d{3}$/.test(f.rule)) return `rule id ${f.rule}`;
  if (![start.line, start.character, end.line, end.character].every(ok)) return `${f.rule}: range ${JSON.stringify(f.range)}`;
  if (start.line > end.line || (start.line === end.line && start.character > end.character)) return `${f.rule}: reversed range ${JSON.stringify(f.range)}`;
  if (!f.message || !f.file) return `${f.rule}: empty message or file`;
  for (const fix of f.fixes) for (const e of fix.edits) if (![e.range.start.line, e.range.start.character, e.range.end.line, e.range.end.character].every(ok)) return `${f.rule}: fix range ${JSON.stringify(e.range)}`;
  return undefined;
}

/** The CLI's --fix guard, restated: a fix must not make a file parse worse than before. */
export function stillParses(file: string, before: string, after: string): boolean {
  if (kindOf(file) === 'yaml') {
    const errs = (t: string) => parseAllDocuments(t).reduce((n, d) => n + d.errors.length, 0);
    return errs(after) <= errs(before);
  }
  if (kindOf(file) === 'dockerfile') {
    const count = (t: string) => DockerfileParser.parse(t).getInstructions().length;
    return count(after) >= count(before);
  }
  const broken = (t: string) => withShellTree(t, (tree) => tree.rootNode.hasError);
  return broken(before) || !broken(after);
}

/** Apply each finding's preferred fix on its own; list those whose result parses worse. */
function brokenFixes(findings: Finding[], read: (file: string) => string | undefined): string[] {
  const out: string[] = [];
  // Each check re-parses the whole file: only the first 100 (3000 stages × 3000 parses is the harness's hang).
  for (const f of findings.slice(0, 100)) {
    const fix = f.fixes.find((x) => x.preferred);
    if (!fix) continue;
    for (const file of new Set(fix.edits.map((e) => e.file))) {
      const before = read(file);
      if (before === undefined || before.length > 200_000) continue;
      const after = applyEdits(before, new LineIndex(before), fix.edits.filter((e) => e.file === file));
      if (!stillParses(file, before, after)) out.push(`${f.rule} "${fix.title}" on ${file}`);
    }
  }
  return out;
}

/** Totals for a report line. */
export interface Tally { inputs: number; crashes: FuzzResult[]; invalid: FuzzResult[]; hangs: FuzzResult[]; fixBreaks: FuzzResult[]; slowest?: FuzzResult; totalMs: number }

export function tally(results: Iterable<FuzzResult>, into: Tally = { inputs: 0, crashes: [], invalid: [], hangs: [], fixBreaks: [], totalMs: 0 }): Tally {
  for (const r of results) {
    into.inputs++;
    into.totalMs += r.ms;
    if (r.crash) into.crashes.push(r);
    if (r.invalid) into.invalid.push(r);
    if (r.hang) into.hangs.push(r);
    if (r.fixBreaks.length) into.fixBreaks.push(r);
    if (!into.slowest || r.ms > into.slowest.ms) into.slowest = r;
  }
  return into;
}

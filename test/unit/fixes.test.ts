// Every offered fix: golden outputs, and the four conditions (finding gone, file still parses, no other
// finding appears, applying it again changes nothing) over the examples and the rule inputs.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import './helpers';
import { analyzeDockerfile, analyzeYaml, fileKind } from '../../server/src/core/analyze';
import { applyEdits } from '../../server/src/core/fixes';
import { LineIndex } from '../../server/src/core/text';
import { withShellTree } from '../../server/src/core/shell';
import { parseAllDocuments } from 'yaml';
import type { Finding, Fix } from '../../server/src/core/types';
import { memFiles } from './memfs';
import { DEFAULT_CONFIG } from '../../server/src/core/config';

type Files = Record<string, string>; // path relative to /ws → text

function analyse(files: Files, entry: string): Finding[] {
  const fa = memFiles('/ws', files);
  const file = `/ws/${entry}`;
  const text = files[entry];
  return fileKind(file) === 'dockerfile' ? analyzeDockerfile(file, text, { files: fa }).findings
    : analyzeYaml(file, text, {
      files: fa,
      dockerfileForImage: (img) => {
        const dir = Object.keys(files).find((k) => k.endsWith('/Dockerfile') && img.includes(path.basename(path.dirname(k))));
        return dir ? { file: `/ws/${dir}`, text: files[dir], contextDir: `/ws/${path.dirname(dir)}`, how: dir } : undefined;
      },
    }).findings;
}

function apply(files: Files, fix: Fix): Files {
  const out = { ...files };
  const byFile = new Map<string, typeof fix.edits>();
  for (const e of fix.edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  for (const [abs, edits] of byFile) {
    const rel = abs.replace('/ws/', '');
    assert.ok(rel in out, `fix edits a file that does not exist: ${abs}`);
    out[rel] = applyEdits(out[rel], new LineIndex(out[rel]), edits);
  }
  return out;
}

function parses(rel: string, before: string, after: string): boolean {
  if (fileKind(rel) === 'yaml') return parseAllDocuments(after).every((d) => d.errors.length === 0) || !parseAllDocuments(before).every((d) => d.errors.length === 0);
  if (fileKind(rel) === 'dockerfile') return true; // dockerfile-ast accepts anything; instruction checks below
  const had = withShellTree(before, (t) => t.rootNode.hasError);
  return had || !withShellTree(after, (t) => t.rootNode.hasError);
}

const key = (f: Finding) => `${f.rule}|${f.file}`;
function counts(fs: Finding[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const f of fs) m.set(key(f), (m.get(key(f)) ?? 0) + 1);
  return m;
}

/** The four conditions for one fix of one finding. */
function check(files: Files, entry: string, f: Finding, fix: Fix): void {
  const before = analyse(files, entry);
  const after = apply(files, fix);
  for (const rel of Object.keys(files)) {
    if (after[rel] !== files[rel]) assert.ok(parses(rel, files[rel], after[rel]), `${fix.title}: ${rel} no longer parses:\n${after[rel]}`);
  }
  const res = analyse(after, entry);
  const b = counts(before);
  const a = counts(res);
  assert.ok((a.get(key(f)) ?? 0) < (b.get(key(f)) ?? 0), `${fix.title}: ${f.rule} still reported\n${JSON.stringify(after, null, 1)}`);
  for (const [k, n] of a) assert.ok(n <= (b.get(k) ?? 0), `${fix.title}: new finding ${k}: ${res.filter((x) => key(x) === k).map((x) => x.message).join(' / ')}\n${JSON.stringify(after, null, 1)}`);
  // Applying it again changes nothing: the finding (and so its fix) is gone from the new analysis.
  const again = res.filter((x) => x.rule === f.rule && x.file === f.file).flatMap((x) => x.fixes).filter((x) => x.title === fix.title);
  for (const g of again) assert.equal(JSON.stringify(apply(after, g)), JSON.stringify(after), `${fix.title} applies twice`);
}

// ---- golden tests: input → applied edits → expected output ----
const golden: Array<[string, Files, string, string, string, string]> = [
  // [name, files, entry, rule, fix title prefix, expected text of the edited file (rel:path = text)]
  ['exec form for a plain shell-form CMD', { Dockerfile: 'FROM node:20\nCMD node server.js --port 80\n' }, 'Dockerfile', 'STOP101', 'Convert to exec form',
    'Dockerfile=FROM node:20\nCMD ["node", "server.js", "--port", "80"]\n'],
  ['exec prefix where the command needs the shell', { Dockerfile: 'FROM python:3.12-slim\nCMD cd /srv && python app.py --port $PORT\n' }, 'Dockerfile', 'STOP101', 'Prefix the final command with exec',
    'Dockerfile=FROM python:3.12-slim\nCMD cd /srv && exec python app.py --port $PORT\n'],
  ['exec prefix keeps assignments and redirects', { Dockerfile: 'FROM fedora:40\nCMD FOO=1 ./app 2>&1\n' }, 'Dockerfile', 'STOP101', 'Prefix the final command with exec',
    'Dockerfile=FROM fedora:40\nCMD FOO=1 exec ./app 2>&1\n'],
  ['exec inside sh -c', { Dockerfile: 'FROM debian\nCMD ["sh", "-c", "./migrate && ./server"]\n' }, 'Dockerfile', 'STOP103', 'Prefix the final command with exec inside the string',
    'Dockerfile=FROM debian\nCMD ["sh", "-c", "./migrate && exec ./server"]\n'],
  ['insert exec in the script, every branch', { Dockerfile: 'FROM debian\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n', 'start.sh': '#!/bin/sh\nif [ -n "$DEBUG" ]; then\n  DEBUG=1 ./app --debug >/log\nelse\n  ./app\nfi\n' },
    'Dockerfile', 'STOP201', 'Start the final command with exec', 'start.sh=#!/bin/sh\nif [ -n "$DEBUG" ]; then\n  DEBUG=1 exec ./app --debug >/log\nelse\n  exec ./app\nfi\n'],
  ['add tini on Debian', { Dockerfile: 'FROM debian:12\nCMD ["sleep", "infinity"]\n' }, 'Dockerfile', 'STOP107', 'Add tini',
    'Dockerfile=FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/*\nENTRYPOINT ["/usr/bin/tini", "--"]\nCMD ["sleep", "infinity"]\n'],
  ['add tini on Alpine, prepended to an exec-form ENTRYPOINT', { Dockerfile: 'FROM alpine:3.20\nENTRYPOINT ["sleep"]\nCMD ["infinity"]\n' }, 'Dockerfile', 'STOP107', 'Add tini',
    'Dockerfile=FROM alpine:3.20\nRUN apk add --no-cache tini\nENTRYPOINT ["/sbin/tini", "--", "sleep"]\nCMD ["infinity"]\n'],
  ['STOPSIGNAL for nginx', { Dockerfile: 'FROM debian\nCMD ["nginx", "-g", "daemon off;"]\n' }, 'Dockerfile', 'STOP109', 'Add STOPSIGNAL SIGQUIT',
    'Dockerfile=FROM debian\nSTOPSIGNAL SIGQUIT\nCMD ["nginx", "-g", "daemon off;"]\n'],
  ['suppress below the parser directives', { Dockerfile: '# syntax=docker/dockerfile:1\nFROM debian\nCMD ./app\n' }, 'Dockerfile', 'STOP101', 'Ignore STOP101 on this line',
    'Dockerfile=# syntax=docker/dockerfile:1\nFROM debian\n# stopcheck ignore=STOP101\nCMD ./app\n'],
  ['compose: init: true', { 'compose.yaml': 'services:\n  w:\n    image: debian:12   # keep me\n    command: ["sleep", "infinity"]\n' }, 'compose.yaml', 'STOP403', 'Add init: true',
    'compose.yaml=services:\n  w:\n    init: true\n    image: debian:12   # keep me\n    command: ["sleep", "infinity"]\n'],
  ['compose: stop_grace_period', { 'compose.yaml': 'services:\n  w:\n    image: python:3.12\n    command: ["gunicorn", "--graceful-timeout", "30", "a:b"]\n    stop_grace_period: 10s\n' }, 'compose.yaml', 'STOP407', 'Set stop_grace_period',
    'compose.yaml=services:\n  w:\n    image: python:3.12\n    command: ["gunicorn", "--graceful-timeout", "30", "a:b"]\n    stop_grace_period: 40s\n'],
  ['compose: a unit for a bare stop_grace_period', { 'compose.yaml': 'services:\n  w:\n    image: debian:12\n    stop_grace_period: 30   # seconds\n' }, 'compose.yaml', 'STOP408', 'Write stop_grace_period: 30s',
    'compose.yaml=services:\n  w:\n    image: debian:12\n    stop_grace_period: 30s   # seconds\n'],
  ['compose: a bare stop_grace_period from a merge key is overridden in the service', { 'compose.yaml': 'x-base: &base\n  stop_grace_period: 20\nservices:\n  w:\n    <<: *base\n    image: debian:12\n' }, 'compose.yaml', 'STOP408', 'Write stop_grace_period: 20s',
    'compose.yaml=x-base: &base\n  stop_grace_period: 20\nservices:\n  w:\n    stop_grace_period: 20s\n    <<: *base\n    image: debian:12\n'],
  ['kubernetes: sh -c exec', { 'k.yaml': 'kind: Pod\nspec:\n  containers:\n  - name: a\n    image: debian:12\n    command: ["sh", "-c", "./m && ./app"]\n' }, 'k.yaml', 'STOP301', 'Prefix the final command with exec',
    'k.yaml=kind: Pod\nspec:\n  containers:\n  - name: a\n    image: debian:12\n    command: ["sh", "-c", "./m && exec ./app"]\n'],
  ['kubernetes: raise the grace period', { 'k.yaml': 'kind: Pod\nspec:\n  containers:\n  - name: a\n    image: nginx\n    lifecycle:\n      preStop:\n        sleep:\n          seconds: 45\n' }, 'k.yaml', 'STOP303', 'Raise terminationGracePeriodSeconds',
    'k.yaml=kind: Pod\nspec:\n  terminationGracePeriodSeconds: 75\n  containers:\n  - name: a\n    image: nginx\n    lifecycle:\n      preStop:\n        sleep:\n          seconds: 45\n'],
  ['kubernetes: add a preStop sleep to a container', { 'k.yaml': 'kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: a   # the API\n        image: python:3.12-slim\n        command: ["gunicorn", "app:app"]\n        ports:\n        - containerPort: 8000\n' }, 'k.yaml', 'STOP310', 'Add preStop: sleep 5 s',
    'k.yaml=kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: a   # the API\n        lifecycle:\n          preStop:\n            sleep:\n              seconds: 5\n        image: python:3.12-slim\n        command: ["gunicorn", "app:app"]\n        ports:\n        - containerPort: 8000\n'],
  ['kubernetes: preStop into an existing lifecycle, four-space indent, grace raised', { 'k.yaml': 'kind: Deployment\nspec:\n    template:\n        spec:\n            terminationGracePeriodSeconds: 12\n            containers:\n                -   image: python:3.12-slim\n                    name: a\n                    command: ["gunicorn", "app:app"]\n                    ports: [{containerPort: 8000}]\n                    lifecycle:\n                        postStart:\n                            exec: {command: ["true"]}\n' }, 'k.yaml', 'STOP310', 'Add preStop: sleep 5 s and raise terminationGracePeriodSeconds to 17',
    'k.yaml=kind: Deployment\nspec:\n    template:\n        spec:\n            terminationGracePeriodSeconds: 17\n            containers:\n                -   image: python:3.12-slim\n                    name: a\n                    command: ["gunicorn", "app:app"]\n                    ports: [{containerPort: 8000}]\n                    lifecycle:\n                        preStop:\n                            sleep:\n                                seconds: 5\n                        postStart:\n                            exec: {command: ["true"]}\n'],
  ['kubernetes: preStop in a flow-style container', { 'k.yaml': 'kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - {name: a, image: "python:3.12-slim", command: [gunicorn, "app:app"], ports: [{containerPort: 8000}]}\n' }, 'k.yaml', 'STOP310', 'Add preStop',
    'k.yaml=kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - {lifecycle: { preStop: { sleep: { seconds: 5 } } }, name: a, image: "python:3.12-slim", command: [gunicorn, "app:app"], ports: [{containerPort: 8000}]}\n'],
];

for (const [name, files, entry, rule, title, expected] of golden) {
  test(`fix golden: ${name}`, () => {
    const f = analyse(files, entry).find((x) => x.rule === rule);
    assert.ok(f, `${rule} not reported`);
    const fix = f.fixes.find((x) => x.title.startsWith(title));
    assert.ok(fix, `no fix "${title}" among ${f.fixes.map((x) => x.title).join(' | ')}`);
    const [rel, text] = [expected.slice(0, expected.indexOf('=')), expected.slice(expected.indexOf('=') + 1)];
    assert.equal(apply(files, fix)[rel], text);
    check(files, entry, f, fix);
  });
}

test('the preferred fix is marked, and only one per finding', () => {
  const f = analyse({ Dockerfile: 'FROM node:20\nCMD node server.js\n' }, 'Dockerfile')[0];
  assert.equal(f.fixes.filter((x) => x.preferred).length, 1);
  assert.match(f.fixes.find((x) => x.preferred)!.title, /exec form/);
});

test('no add-tini fix for a script without exec (it would make things worse)', () => {
  const files = { Dockerfile: 'FROM debian\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n', 'start.sh': '#!/bin/sh\n./app\n' };
  for (const f of analyse(files, 'Dockerfile')) assert.ok(!f.fixes.some((x) => /tini/i.test(x.title)), f.rule);
});

// ---- property test: every fix offered on the examples and on rule inputs satisfies the conditions ----
function examplesWorkspace(): Array<[Files, string]> {
  const root = path.resolve(__dirname, '..', '..', '..', 'examples');
  const all: Files = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else all[path.relative(root, p).split(path.sep).join('/')] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(root);
  return Object.keys(all).filter((k) => fileKind(k) === 'dockerfile' || fileKind(k) === 'yaml').map((k) => [all, k]);
}

const extra: Array<[Files, string]> = [
  [{ Dockerfile: 'FROM debian\nENTRYPOINT ["tini", "--"]\nCMD ./app --x\n' }, 'Dockerfile'],
  [{ Dockerfile: 'FROM alpine\nCMD ./app | tee /log\n' }, 'Dockerfile'],
  [{ Dockerfile: 'FROM debian\nCMD ["bash", "-c", "cd /x && ./app >>/log 2>&1"]\n' }, 'Dockerfile'],
  [{ Dockerfile: 'FROM nginx:1.27\nSTOPSIGNAL SIGTERM\nCMD ["nginx", "-g", "daemon off;"]\n' }, 'Dockerfile'],
  [{ Dockerfile: 'FROM debian\nCMD sleep infinity\n' }, 'Dockerfile'],
  [{ Dockerfile: 'FROM debian\nCOPY s.sh /s.sh\nCMD ["/s.sh"]\n', 's.sh': '#!/bin/bash\nset -e\nmain() {\n  ./prepare\n  node server.js\n}\nmain "$@"\n' }, 'Dockerfile'],
  [{ Dockerfile: 'FROM debian\nCOPY s.sh /s.sh\nCMD ["/s.sh"]\n', 's.sh': '#!/bin/sh\r\nexec ./app\r\n' }, 'Dockerfile'],
  [{ 'compose.yaml': 'services:\n  a:\n    image: debian\n    init: true\n    command: ["sh", "-c", "./app"]\n  b:\n    image: node:20\n    command: npm start && x\n' }, 'compose.yaml'],
  // Keys the fix sets already there (with a value the rule does not use): replaced, never duplicated.
  [{ 'compose.yaml': 'services:\n  a:\n    image: debian\n    init: false\n    command: ["sleep", "infinity"]\n  b:\n    image: python:3.12\n    init: "no"\n    command: ["gunicorn", "--graceful-timeout=30", "a:b"]\n    stop_grace_period: [10s]\n' }, 'compose.yaml'],
  [{ 'k.yaml': 'kind: Pod\nspec:\n  terminationGracePeriodSeconds: 30s\n  containers:\n  - name: a\n    image: nginx\n    lifecycle:\n      preStop:\n        sleep:\n          seconds: 45\n' }, 'k.yaml'],
  [{ 'k.yaml': 'kind: Pod\nspec:\n  terminationGracePeriodSeconds:\n  containers:\n  - name: a\n    image: nginx\n    lifecycle:\n      preStop:\n        exec:\n          command: ["sleep", "40"]\n' }, 'k.yaml'],
  // Merge keys: the fix goes into the service or pod spec, not into the shared anchor.
  [{ 'compose.yaml': 'x: &b\n  image: debian:12\n  init: false\n  command: ["sleep", "infinity"]\nservices:\n  a:\n    <<: *b\n' }, 'compose.yaml'],
];

test('property: every offered fix removes its finding, keeps files parsing, adds nothing, is idempotent', () => {
  let n = 0;
  for (const [files, entry] of [...examplesWorkspace(), ...extra]) {
    for (const f of analyse(files, entry)) {
      for (const fix of f.fixes) {
        check(files, entry, f, fix);
        n++;
      }
    }
  }
  assert.ok(n > 40, `only ${n} fixes checked`);
});

test('add preStop before Kubernetes 1.30: exec sleep where the image has sleep, no fix where it has none', () => {
  const text = (image: string) => `kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: ${image}\n        command: ["/app"]\n        ports:\n        - containerPort: 80\n`;
  const config = { ...DEFAULT_CONFIG, kubernetesVersion: '1.29' };
  const debian = analyzeYaml('/ws/k.yaml', text('debian:12'), { config }).findings.find((f) => f.rule === 'STOP310');
  assert.ok(debian, 'STOP310 not reported');
  assert.equal(debian.fixes[0]?.title, 'Add preStop: exec sleep 5');
  const after = applyEdits(text('debian:12'), new LineIndex(text('debian:12')), debian.fixes[0].edits);
  assert.match(after, /\n {8}lifecycle:\n {10}preStop:\n {12}exec:\n {14}command: \[ sleep, "5" \]\n/);
  assert.ok(parseAllDocuments(after).every((d) => d.errors.length === 0));
  assert.ok(!analyzeYaml('/ws/k.yaml', after, { config }).findings.some((f) => f.rule === 'STOP310'));
  const distroless = analyzeYaml('/ws/k.yaml', text('gcr.io/distroless/static-debian12'), { config }).findings.find((f) => f.rule === 'STOP310');
  assert.ok(distroless, 'STOP310 not reported on distroless');
  assert.equal(distroless.fixes.filter((f) => f.title.startsWith('Add preStop')).length, 0);
  assert.match(distroless.message, /1\.30/);
});

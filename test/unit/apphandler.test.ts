// The app at the end of the launch chain: its code is read from the build context (runtime.ts through
// the Dockerfile's COPY/ADD), and the chain's verdict, STOP501 and its fixes follow from it.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import './helpers';
import { analyzeDockerfile, analyzeYaml, fileKind } from '../../server/src/core/analyze';
import { applyEdits } from '../../server/src/core/fixes';
import { LineIndex } from '../../server/src/core/text';
import { goBuildOutputs } from '../../server/src/core/appFacts';
import { parseAllDocuments } from 'yaml';
import type { Finding, Fix } from '../../server/src/core/types';
import type { LaunchChain } from '../../server/src/core/chain';
import { memFiles } from './memfs';

type Files = Record<string, string>; // path relative to /ws → text

function analyse(files: Files, entry = 'Dockerfile'): { findings: Finding[]; chains: LaunchChain[] } {
  const fa = memFiles('/ws', files);
  const file = `/ws/${entry}`;
  const text = files[entry];
  if (fileKind(file) === 'dockerfile') return analyzeDockerfile(file, text, { files: fa });
  return analyzeYaml(file, text, {
    files: fa,
    // image "api" → api/Dockerfile
    dockerfileForImage: (img) => (files[`${img}/Dockerfile`] !== undefined
      ? { file: `/ws/${img}/Dockerfile`, text: files[`${img}/Dockerfile`], contextDir: `/ws/${img}`, how: `${img}/Dockerfile` } : undefined),
  });
}

function last(files: Files, entry = 'Dockerfile'): LaunchChain {
  const r = analyse(files, entry);
  return r.chains[r.chains.length - 1];
}

const ids = (files: Files, entry = 'Dockerfile') => analyse(files, entry).findings.map((f) => f.rule);

function apply(files: Files, fix: Fix): Files {
  const out = { ...files };
  for (const e of fix.edits) {
    const rel = e.file.replace('/ws/', '');
    assert.ok(rel in out, `fix edits a file that does not exist: ${e.file}`);
  }
  const byFile = new Map<string, Fix['edits']>();
  for (const e of fix.edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  for (const [abs, edits] of byFile) {
    const rel = abs.replace('/ws/', '');
    out[rel] = applyEdits(out[rel], new LineIndex(out[rel]), edits);
  }
  return out;
}

/** Apply a fix, re-analyse: the finding is gone, YAML still parses, the verdict is graceful; applying twice changes nothing. */
function fixClears(files: Files, entry: string, rule: string, title: RegExp): { after: Files; chain: LaunchChain } {
  const f = analyse(files, entry).findings.find((x) => x.rule === rule);
  assert.ok(f, `${rule} not reported`);
  const fix = f.fixes.find((x) => title.test(x.title));
  assert.ok(fix, `no fix ${title} among ${f.fixes.map((x) => x.title).join(' | ')}`);
  const after = apply(files, fix);
  if (fileKind(entry) === 'yaml') assert.ok(parseAllDocuments(after[entry]).every((d) => d.errors.length === 0), after[entry]);
  const res = analyse(after, entry);
  assert.ok(!res.findings.some((x) => x.rule === rule), `${rule} still reported after "${fix.title}":\n${JSON.stringify(after, null, 1)}`);
  const before = new Set(analyse(files, entry).findings.map((x) => x.rule));
  for (const x of res.findings) assert.ok(before.has(x.rule), `new finding ${x.rule}: ${x.message}`);
  const chain = res.chains[res.chains.length - 1];
  assert.equal(chain.outcome.verdict, 'graceful', chain.outcome.summary);
  return { after, chain };
}

const NODE_DF = 'FROM node:20-bookworm-slim\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n';
const SERVER = 'const http = require(\'http\');\nconst server = http.createServer((q, r) => r.end(\'ok\')).listen(3000);\n';
const HANDLER = 'process.on(\'SIGTERM\', () => server.close(() => process.exit(0)));\n';
const PY_DF = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY app.py .\nCMD ["python", "app.py"]\n';
const PY_NONE = 'import time\n\nwhile True:\n    time.sleep(1)\n';
const PY_HANDLER = 'import signal\nimport sys\nimport time\n\nsignal.signal(signal.SIGTERM, lambda *_: sys.exit(0))\nwhile True:\n    time.sleep(1)\n';

// ---- Node.js ----

test('node server.js without process.on(SIGTERM) as PID 1: killed, STOP501 on the CMD', () => {
  const files = { Dockerfile: NODE_DF, 'server.js': SERVER };
  const { findings, chains } = analyse(files);
  const c = chains[0];
  const a = c.processes[0];
  assert.equal(a.runtime, 'node');
  assert.equal(a.handler, 'none');
  assert.equal(c.outcome.verdict, 'killed');
  const f = findings.find((x) => x.rule === 'STOP501');
  assert.ok(f, findings.map((x) => x.rule).join());
  assert.equal(f.file, '/ws/Dockerfile');
  assert.equal(f.range.start.line, 3);
  assert.match(f.message, /`node server\.js` runs as PID 1 and ignores SIGTERM/);
  assert.match(f.message, /No handler for SIGTERM in server\.js/);
  assert.match(f.message, /SIGKILLed after 10 s/);
  assert.match(f.message, /process\.on\('SIGTERM', …\)/);
  assert.equal(f.fixes.find((x) => x.preferred)?.title.startsWith('Add tini'), true);
});

test('node server.js with process.on(SIGTERM): graceful, no finding, evidence points at the handler', () => {
  const files = { Dockerfile: NODE_DF, 'server.js': SERVER + HANDLER };
  const c = last(files);
  assert.equal(c.processes[0].handler, 'yes');
  assert.equal(c.processes[0].handlerEvidence?.file, '/ws/server.js');
  assert.equal(c.processes[0].handlerEvidence?.range.start.line, 2);
  assert.equal(c.outcome.verdict, 'graceful');
  assert.ok(!ids(files).includes('STOP501'));
});

test('a handler registered in an imported module counts', () => {
  const files = {
    Dockerfile: NODE_DF,
    'server.js': 'const { install } = require(\'./lib/shutdown\');\nrequire(\'http\').createServer().listen(3000);\ninstall();\n',
    'lib/shutdown.js': 'exports.install = () => {\n  for (const s of [\'SIGINT\', \'SIGTERM\']) process.once(s, () => process.exit(0));\n};\n',
  };
  const c = last(files);
  assert.equal(c.outcome.verdict, 'graceful');
  assert.equal(c.processes[0].handlerEvidence?.file, '/ws/lib/shutdown.js');
  assert.ok(!ids(files).includes('STOP501'));
  // The imported module missing from the context: unknown, so no finding either.
  const missing = { Dockerfile: NODE_DF, 'server.js': files['server.js'] };
  assert.equal(last(missing).processes[0].handler, 'unknown');
  assert.ok(!ids(missing).includes('STOP501'));
});

test('the entry file missing from the build context: unknown, no finding', () => {
  const files = { Dockerfile: NODE_DF, 'other.js': SERVER };
  const c = last(files);
  assert.equal(c.processes[0].handler, 'unknown');
  assert.ok(!ids(files).includes('STOP501'));
  // No build context at all (nothing is read).
  assert.equal(analyzeDockerfile('/ws/Dockerfile', NODE_DF).chains[0].processes[0].handler, 'unknown');
});

test('a Dockerfile never reads outside its build context', () => {
  const files = { 'app/Dockerfile': 'FROM node:20\nWORKDIR /app\nCOPY ../server.js .\nCMD ["node", "server.js"]\n', 'server.js': SERVER };
  const read: string[] = [];
  const fa = memFiles('/ws', files);
  const tracked = { ...fa, read: (f: string) => { read.push(f); return fa.read(f); } };
  const r = analyzeDockerfile('/ws/app/Dockerfile', files['app/Dockerfile'], { files: tracked });
  assert.ok(!read.some((f) => !f.startsWith('/ws/app/')), read.join());
  assert.ok(!r.findings.some((x) => x.rule === 'STOP501'));
});

test('tini in front of a node app without a handler: graceful (it dies by the default action), no finding', () => {
  const files = { Dockerfile: 'FROM node:20-bookworm-slim\nRUN apt-get update && apt-get install -y tini\nWORKDIR /app\nCOPY . .\nENTRYPOINT ["/usr/bin/tini", "--"]\nCMD ["node", "server.js"]\n', 'server.js': SERVER };
  const c = last(files);
  assert.equal(c.outcome.verdict, 'graceful');
  assert.match(c.outcome.events.map((e) => e.what).join('\n'), /dies at once \(it has no handler, so no cleanup\)/);
  assert.ok(!ids(files).includes('STOP501'));
});

test('fix: add tini for node → re-analysed graceful, finding gone', () => {
  const { after } = fixClears({ Dockerfile: NODE_DF, 'server.js': SERVER }, 'Dockerfile', 'STOP501', /^Add tini/);
  assert.match(after.Dockerfile, /ENTRYPOINT \["\/usr\/bin\/tini", "--"\]\nCMD \["node", "server\.js"\]/);
});

test('shell form on Debian: STOP101\'s fix adds exec form and tini together for a node app without a handler', () => {
  const files = { Dockerfile: 'FROM node:20-bookworm-slim\nWORKDIR /app\nCOPY . .\nCMD node server.js\n', 'server.js': SERVER };
  const f = analyse(files).findings.find((x) => x.rule === 'STOP101');
  assert.ok(f);
  assert.match(f.fixes.find((x) => x.preferred)?.title ?? '', /exec form.*tini/);
  fixClears(files, 'Dockerfile', 'STOP101', /tini/);
});

// ---- Python ----

test('python app.py without a SIGTERM handler: killed; STOP501 prefers STOPSIGNAL SIGINT', () => {
  const files = { Dockerfile: PY_DF, 'app.py': PY_NONE };
  const c = last(files);
  assert.equal(c.processes[0].runtime, 'python');
  assert.equal(c.processes[0].handler, 'none');
  assert.deepEqual(c.processes[0].gracefulSignals, ['SIGINT']);
  assert.equal(c.outcome.verdict, 'killed');
  const f = analyse(files).findings.find((x) => x.rule === 'STOP501');
  assert.ok(f);
  assert.match(f.message, /signal\.signal\(signal\.SIGTERM, …\)/);
  assert.match(f.message, /STOPSIGNAL SIGINT/);
  assert.equal(f.fixes.find((x) => x.preferred)?.title, 'Add STOPSIGNAL SIGINT');
  assert.ok(f.fixes.some((x) => x.title.startsWith('Add tini') && !x.preferred));
});

test('python app.py with signal.signal(SIGTERM): graceful, no finding', () => {
  const files = { Dockerfile: PY_DF, 'app.py': PY_HANDLER };
  const c = last(files);
  assert.equal(c.processes[0].handler, 'yes');
  assert.equal(c.outcome.verdict, 'graceful');
  assert.ok(!ids(files).includes('STOP501'));
});

test('python + STOPSIGNAL SIGINT: graceful (KeyboardInterrupt), no finding; both fixes clear it', () => {
  const files = { Dockerfile: PY_DF.replace('CMD', 'STOPSIGNAL SIGINT\nCMD'), 'app.py': PY_NONE };
  assert.equal(last(files).outcome.verdict, 'graceful');
  assert.ok(!ids(files).includes('STOP501'));
  const { after } = fixClears({ Dockerfile: PY_DF, 'app.py': PY_NONE }, 'Dockerfile', 'STOP501', /^Add STOPSIGNAL SIGINT/);
  assert.match(after.Dockerfile, /STOPSIGNAL SIGINT\nCMD \["python", "app\.py"\]/);
  fixClears({ Dockerfile: PY_DF, 'app.py': PY_NONE }, 'Dockerfile', 'STOP501', /^Add tini/);
});

test('a background python that a trap sends SIGINT to: ignored when its code installs no SIGINT handler; graceful when it does', () => {
  const df = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nCMD ["/app/start.sh"]\n';
  const sh = '#!/bin/sh\npython app.py & pid=$!\ntrap \'kill -INT $pid\' TERM\nwait $pid\nwait $pid\n';
  const none = last({ Dockerfile: df, 'start.sh': sh, 'app.py': PY_NONE });
  assert.equal(none.outcome.verdict, 'killed', none.outcome.summary);
  assert.match(none.outcome.events.map((e) => e.what).join('\n'), /default handler for it is not installed/);
  const own = last({ Dockerfile: df, 'start.sh': sh, 'app.py': 'import signal, sys, time\nsignal.signal(signal.SIGINT, lambda *_: sys.exit(0))\nwhile True:\n    time.sleep(1)\n' });
  assert.equal(own.outcome.verdict, 'graceful', own.outcome.summary);
  // app.py not in the context: whether it installs its own handler is unknown.
  assert.equal(last({ Dockerfile: df, 'start.sh': sh }).outcome.verdict, 'unknown');
});

// ---- Go ----

const GO_DF = 'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN CGO_ENABLED=0 go build -ldflags "-s -w" -o /out/server ./cmd/server\n\n'
  + 'FROM gcr.io/distroless/static-debian12\nCOPY --from=build /out/server /server\nCMD ["/server"]\n';

test('a go build output as PID 1: the Go runtime exits on SIGTERM → graceful, "no cleanup" unless it handles it; no finding', () => {
  const files = { Dockerfile: GO_DF, 'cmd/server/main.go': 'package main\n\nfunc main() { select {} }\n' };
  const r = analyse(files);
  const c = r.chains[r.chains.length - 1];
  const a = c.processes[0];
  assert.equal(a.runtime, 'go');
  assert.equal(a.handler, 'unknown');
  assert.equal(c.outcome.verdict, 'graceful');
  assert.match(c.outcome.summary, /exits at once/);
  assert.match(c.outcome.events.map((e) => e.what).join('\n'), /no deferred cleanup runs/);
  assert.match(a.handlerNote ?? '', /`go build` on line 4/);
  assert.ok(!c.assumptions.some((x) => /handles SIGTERM itself/.test(x)), c.assumptions.join('\n'));
  assert.ok(!r.findings.some((x) => x.rule === 'STOP501'));
  // An unknown binary (not built here) stays unknown.
  const other = last({ Dockerfile: 'FROM debian:12\nCOPY server /server\nCMD ["/server"]\n', server: 'x' });
  assert.equal(other.processes[0].runtime, undefined);
});

test('go build -o: file, directory, cd, relative to WORKDIR', () => {
  assert.deepEqual(goBuildOutputs('go build -o /out/app .', '/src'), ['/out/app']);
  assert.deepEqual(goBuildOutputs('cd cmd && go build -o ../bin/app', '/src'), ['/src/bin/app']);
  assert.deepEqual(goBuildOutputs('go build -o bin/ ./cmd/api ./cmd/worker', '/src'), ['/src/bin/api', '/src/bin/worker']);
  assert.deepEqual(goBuildOutputs('go mod download && GOOS=linux go build -trimpath -o=/app .', '/'), ['/app']);
  assert.deepEqual(goBuildOutputs('go build -o $OUT .', '/'), []);
  assert.deepEqual(goBuildOutputs('go test ./...', '/'), []);
  // Same stage: the binary is run from the WORKDIR.
  const c = last({ Dockerfile: 'FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN go build -o app .\nCMD ["./app"]\n', 'main.go': 'package main\nfunc main() {}\n' });
  assert.equal(c.processes[0].runtime, 'go');
});

// ---- keep-alives ----

test('sleep infinity / tail -f as PID 1: STOP107 (not STOP501, no code was read); tini in front clears it', () => {
  for (const cmd of ['["sleep", "infinity"]', '["tail", "-f", "/dev/null"]']) {
    const files = { Dockerfile: `FROM debian:12\nCMD ${cmd}\n` };
    assert.equal(last(files).outcome.verdict, 'killed');
    assert.ok(ids(files).includes('STOP107'), cmd);
    assert.ok(!ids(files).includes('STOP501'), cmd);
    const tini = { Dockerfile: `FROM debian:12\nENTRYPOINT ["tini", "--"]\nCMD ${cmd}\n` };
    assert.equal(last(tini).outcome.verdict, 'graceful');
    assert.ok(!ids(tini).includes('STOP107'));
  }
});

// ---- Compose and Kubernetes ----

test('compose: a python service built from the workspace: STOP501 with stop_signal: SIGINT preferred; both fixes clear it', () => {
  const files = { 'compose.yaml': 'services:\n  api:\n    build: ./api\n', 'api/Dockerfile': PY_DF, 'api/app.py': PY_NONE };
  const f = analyse(files, 'compose.yaml').findings.find((x) => x.rule === 'STOP501');
  assert.ok(f, analyse(files, 'compose.yaml').findings.map((x) => x.rule).join());
  assert.match(f.message, /`python app\.py` is PID 1 of service api and ignores SIGTERM/);
  assert.match(f.message, /stop_signal: SIGINT/);
  assert.equal(f.fixes.find((x) => x.preferred)?.title, 'Set stop_signal: SIGINT for the service');
  const { after } = fixClears(files, 'compose.yaml', 'STOP501', /stop_signal/);
  assert.equal(after['compose.yaml'], 'services:\n  api:\n    stop_signal: SIGINT\n    build: ./api\n');
  fixClears(files, 'compose.yaml', 'STOP501', /init: true/);
  // A node service: init: true is the preferred fix.
  const node = { 'compose.yaml': 'services:\n  web:\n    build: web\n', 'web/Dockerfile': NODE_DF, 'web/server.js': SERVER };
  const g = analyse(node, 'compose.yaml').findings.find((x) => x.rule === 'STOP501');
  assert.equal(g?.fixes.find((x) => x.preferred)?.title, 'Add init: true to the service');
  // An explicit stop_signal: SIGTERM is replaced, not duplicated.
  const explicit = { ...files, 'compose.yaml': 'services:\n  api:\n    build: ./api\n    stop_signal: SIGTERM\n' };
  assert.equal(fixClears(explicit, 'compose.yaml', 'STOP501', /stop_signal/).after['compose.yaml'], 'services:\n  api:\n    build: ./api\n    stop_signal: SIGINT\n');
  // init: true already there: nothing to say.
  assert.ok(!ids({ ...files, 'compose.yaml': 'services:\n  api:\n    build: ./api\n    init: true\n' }, 'compose.yaml').includes('STOP501'));
  const handled = { ...node, 'web/server.js': SERVER + HANDLER };
  assert.ok(!ids(handled, 'compose.yaml').includes('STOP501'));
});

test('kubernetes: a command in the manifest runs the app of the matched Dockerfile: STOP501 on the manifest', () => {
  const k = 'kind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n  - name: api\n    image: api\n    command: ["node", "server.js"]\n';
  const files = { 'k.yaml': k, 'api/Dockerfile': NODE_DF, 'api/server.js': SERVER };
  const r = analyse(files, 'k.yaml');
  const f = r.findings.find((x) => x.rule === 'STOP501');
  assert.ok(f, r.findings.map((x) => x.rule).join());
  assert.equal(f.file, '/ws/k.yaml');
  assert.match(f.message, /SIGKILLed after 30 s/);
  const ok = { ...files, 'api/server.js': SERVER + HANDLER };
  assert.ok(!ids(ok, 'k.yaml').includes('STOP501'));
  assert.equal(last(ok, 'k.yaml').outcome.verdict, 'graceful');
});

// ---- a program that keeps running whatever is in front of it ----

test('a signal the app ignores (SIG_IGN) or handles without stopping (the JVM\'s SIGQUIT): killed also behind tini, no tini fix', () => {
  const ign = 'import signal, time\nsignal.signal(signal.SIGTERM, signal.SIG_IGN)\nwhile True:\n    time.sleep(1)\n';
  const behindTini = { Dockerfile: PY_DF.replace('CMD', 'ENTRYPOINT ["/usr/bin/tini", "--"]\nCMD'), 'app.py': ign };
  assert.equal(last(behindTini).outcome.verdict, 'killed', last(behindTini).outcome.summary);
  const f = analyse({ Dockerfile: PY_DF, 'app.py': ign }).findings.find((x) => x.rule === 'STOP501');
  assert.ok(f);
  assert.ok(!f.fixes.some((x) => /tini/.test(x.title)), f.fixes.map((x) => x.title).join());
  assert.equal(f.fixes.find((x) => x.preferred)?.title, 'Add STOPSIGNAL SIGINT');
  const jvm = { Dockerfile: 'FROM eclipse-temurin:21\nSTOPSIGNAL SIGQUIT\nCMD ["java", "-jar", "/app.jar"]\n' };
  const g = analyse(jvm).findings.find((x) => x.rule === 'STOP501');
  assert.ok(g);
  assert.match(g.message, /thread dump/);
  assert.deepEqual(g.fixes.filter((x) => x.preferred).map((x) => x.title), ['Set STOPSIGNAL SIGTERM']);
  assert.ok(!g.fixes.some((x) => /tini/.test(x.title)));
  fixClears(jvm, 'Dockerfile', 'STOP501', /^Set STOPSIGNAL SIGTERM/);
  // A plain JVM on SIGTERM runs its shutdown hooks: no finding.
  assert.ok(!ids({ Dockerfile: 'FROM eclipse-temurin:21\nCMD ["java", "-jar", "/app.jar"]\n' }).includes('STOP501'));
});

// Kubernetes and Compose: overrides, stop policy, preStop budgets, init — rules STOP3xx/STOP4xx.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import './helpers';
import { analyzeDockerfile, analyzeYaml } from '../../server/src/core/analyze';
import { applyEdits } from '../../server/src/core/fixes';
import { LineIndex } from '../../server/src/core/text';
import type { Finding } from '../../server/src/core/types';
import { parseAllDocuments } from 'yaml';
import { composeSplit } from '../../server/src/core/platforms';
import { parseDuration } from '../../server/src/core/yamlModel';
import { ALL_RULES } from '../../server/src/core/rules/index';
import { memFiles } from './memfs';
import { DEFAULT_CONFIG } from '../../server/src/core/config';

const K = '/ws/k8s/app.yaml';
const C = '/ws/compose.yaml';
const ids = (file: string, text: string, files: Record<string, string> = {}) =>
  analyzeYaml(file, text, { files: memFiles('/ws', files) }).findings.map((f) => f.rule);

function deploy(container: string, pod = ''): string {
  const c = container.split('\n').map((l) => '        ' + l).join('\n');
  const p = pod ? pod.split('\n').map((l) => '      ' + l).join('\n') + '\n' : '';
  return `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  template:\n    spec:\n${p}      containers:\n      - name: api\n${c}\n`;
}

const positive: Record<string, Array<[string, string, string]>> = {
  STOP301: [
    ['sh -c with &&', K, deploy('image: python:3.12-slim\ncommand: ["sh", "-c", "./migrate && ./app"]')],
    ['args -c with a multi-line script', K, deploy('image: debian:12\ncommand: ["/bin/sh"]\nargs:\n- -c\n- |\n  ./migrate\n  ./app')],
  ],
  STOP302: [
    ['exec sleep equal to the grace period', K, deploy('image: nginx\nlifecycle:\n  preStop:\n    exec:\n      command: ["sleep", "30"]')],
    ['sh -c sleep longer than the grace period', K, deploy('image: nginx\nlifecycle:\n  preStop:\n    exec:\n      command: ["sh", "-c", "sleep 15; nginx -s quit"]', 'terminationGracePeriodSeconds: 10')],
  ],
  STOP303: [['sleep action over the grace period', K, deploy('image: nginx\nlifecycle:\n  preStop:\n    sleep:\n      seconds: 45')]],
  STOP304: [
    ['grace period 0', K, deploy('image: nginx', 'terminationGracePeriodSeconds: 0')],
    ['preStop leaves 1 s', K, deploy('image: nginx\nlifecycle:\n  preStop:\n    sleep:\n      seconds: 29')],
  ],
  STOP305: [['exec preStop on distroless', K, deploy('image: gcr.io/distroless/static-debian12\nlifecycle:\n  preStop:\n    exec:\n      command: ["sleep", "5"]')]],
  STOP306: [['ps | grep | awk $1 | kill on Debian', K, deploy('image: python:3.12-slim\nlifecycle:\n  preStop:\n    exec:\n      command: ["/bin/sh", "-c", "ps -ef | grep gunicorn | grep -v grep | awk \'{print $1}\' | xargs kill -15"]')]],
  STOP307: [['stopSignal without os', K, deploy('image: nginx\nlifecycle:\n  stopSignal: SIGQUIT')]],
  STOP308: [['image script without exec, no preStop', K, deploy('image: registry.example.com/shop/api:1.0')]],
  STOP309: [['shareProcessNamespace', K, deploy('image: nginx', 'shareProcessNamespace: true')]],
  STOP310: [
    ['serving container without preStop', K, deploy('image: registry.example.com/shop/good:1.0\nports:\n- containerPort: 8080')],
    ['StatefulSet, the app itself as command', K, deploy('image: python:3.12-slim\ncommand: ["gunicorn", "app:app"]\nports:\n- name: http\n  containerPort: 8000').replace('kind: Deployment', 'kind: StatefulSet')],
  ],
  STOP401: [
    ['&& in a string command', C, 'services:\n  web:\n    image: node:20\n    command: ./migrate && node server.js\n'],
    ['redirect in a string entrypoint', C, 'services:\n  web:\n    image: node:20\n    entrypoint: node server.js > /log\n'],
  ],
  STOP402: [['sh -c list on dash', C, 'services:\n  web:\n    image: debian:12\n    command: ["sh", "-c", "./app"]\n']],
  STOP403: [['sleep infinity without init', C, 'services:\n  w:\n    image: debian:12\n    command: ["sleep", "infinity"]\n']],
  STOP404: [['init in front of sh -c without exec', C, 'services:\n  w:\n    image: debian:12\n    init: true\n    command: ["sh", "-c", "./app"]\n']],
  STOP405: [['init: true and tini', C, 'services:\n  w:\n    image: debian:12\n    init: true\n    entrypoint: ["tini", "--"]\n    command: ["./app"]\n']],
  STOP406: [
    ['unknown signal', C, 'services:\n  w:\n    image: debian:12\n    command: ["./app"]\n    stop_signal: SIGFOO\n'],
    ['signal that never reaches the app', C, 'services:\n  w:\n    image: debian:12\n    command: ["sh", "-c", "./app"]\n    stop_signal: SIGINT\n'],
  ],
  STOP407: [['drain longer than the grace period', C, 'services:\n  w:\n    image: python:3.12\n    command: ["gunicorn", "--graceful-timeout=30", "app:app"]\n']],
  STOP408: [
    ['a bare number', C, 'services:\n  w:\n    image: debian:12\n    command: ["./app"]\n    stop_grace_period: 30\n'],
    ['a quoted bare number', C, 'services:\n  w:\n    image: debian:12\n    command: ["./app"]\n    stop_grace_period: "45"\n'],
    ['a unit Go does not know', C, 'services:\n  w:\n    image: debian:12\n    command: ["./app"]\n    stop_grace_period: 1d\n'],
    ['through a merge key', C, 'x-base: &base\n  stop_grace_period: 20\nservices:\n  w:\n    <<: *base\n    image: debian:12\n    command: ["./app"]\n'],
  ],
};

const negative: Record<string, Array<[string, string, string]>> = {
  STOP301: [
    ['sh -c with exec', K, deploy('image: python:3.12-slim\ncommand: ["sh", "-c", "./migrate && exec ./app"]')],
    ['sh -c on alpine execs the lone command', K, deploy('image: python:3.12-alpine\ncommand: ["sh", "-c", "./app"]')],
    ['plain command', K, deploy('image: debian\ncommand: ["./app"]')],
  ],
  STOP302: [['short preStop', K, deploy('image: nginx\nlifecycle:\n  preStop:\n    exec:\n      command: ["sleep", "5"]')]],
  STOP303: [['sleep action within the grace period', K, deploy('image: nginx\nlifecycle:\n  preStop:\n    sleep:\n      seconds: 5')]],
  STOP304: [['default grace period', K, deploy('image: nginx')], ['preStop leaves 10 s', K, deploy('image: nginx\nlifecycle:\n  preStop:\n    sleep:\n      seconds: 20')]],
  STOP305: [['exec preStop on Debian', K, deploy('image: debian:12\nlifecycle:\n  preStop:\n    exec:\n      command: ["sleep", "5"]')], ['sleep action on distroless', K, deploy('image: gcr.io/distroless/static\nlifecycle:\n  preStop:\n    sleep:\n      seconds: 5')]],
  STOP306: [['same pattern on alpine (busybox ps prints the PID)', K, deploy('image: python:3.12-alpine\nlifecycle:\n  preStop:\n    exec:\n      command: ["/bin/sh", "-c", "ps -ef | grep gunicorn | grep -v grep | awk \'{print $1}\' | xargs kill -15"]')]],
  STOP307: [['stopSignal with os, on a version that has it', K, '# stopcheck ignore-file=STOP999\n' + deploy('image: nginx\nlifecycle:\n  stopSignal: SIGQUIT', 'os:\n  name: linux')]],
  STOP308: [['image script with exec', K, deploy('image: registry.example.com/shop/good:1.0')], ['has a preStop', K, deploy('image: registry.example.com/shop/api:1.0\nlifecycle:\n  preStop:\n    sleep:\n      seconds: 5')]],
  STOP309: [['no shared namespace', K, deploy('image: nginx')]],
  STOP310: [
    ['has a preStop', K, deploy('image: registry.example.com/shop/good:1.0\nports:\n- containerPort: 8080\nlifecycle:\n  preStop:\n    sleep:\n      seconds: 5')],
    ['no containerPort', K, deploy('image: registry.example.com/shop/good:1.0')],
    ['a Job', K, deploy('image: registry.example.com/shop/good:1.0\nports:\n- containerPort: 8080').replace('kind: Deployment', 'kind: Job')],
    ['the app never gets the signal (the script rule says so)', K, deploy('image: registry.example.com/shop/api:1.0\nports:\n- containerPort: 8080')],
  ],
  STOP401: [['list command', C, 'services:\n  web:\n    image: node:20\n    command: ["sh", "-c", "./migrate && exec node server.js"]\n'], ['quoted operator', C, 'services:\n  web:\n    image: node:20\n    command: node server.js "--title=a&b"\n']],
  STOP402: [['sh -c with exec', C, 'services:\n  web:\n    image: debian:12\n    command: ["sh", "-c", "exec ./app"]\n']],
  STOP403: [['with init', C, 'services:\n  w:\n    image: debian:12\n    init: true\n    command: ["sleep", "infinity"]\n']],
  STOP404: [['init in front of the app itself', C, 'services:\n  w:\n    image: debian:12\n    init: true\n    command: ["./app"]\n']],
  STOP405: [['init only', C, 'services:\n  w:\n    image: debian:12\n    init: true\n    command: ["./app"]\n']],
  STOP406: [['SIGINT reaching the app', C, 'services:\n  w:\n    image: python:3.12\n    command: ["python", "app.py"]\n    stop_signal: SIGINT\n']],
  STOP407: [['long enough grace period', C, 'services:\n  w:\n    image: python:3.12\n    command: ["gunicorn", "--graceful-timeout=30", "app:app"]\n    stop_grace_period: 1m\n']],
  STOP408: [
    ['Go durations', C, 'services:\n  a:\n    image: debian:12\n    stop_grace_period: 30s\n  b:\n    image: debian:12\n    stop_grace_period: 1m30s\n  c:\n    image: debian:12\n    stop_grace_period: 1.5h\n  d:\n    image: debian:12\n    stop_grace_period: 500ms\n'],
    ['0, the one bare number Go accepts', C, 'services:\n  w:\n    image: debian:12\n    stop_grace_period: 0\n'],
    ['interpolated by Compose', C, 'services:\n  w:\n    image: debian:12\n    stop_grace_period: ${GRACE:-30}\n'],
    ['a Kubernetes manifest with a number of seconds', K, 'kind: Pod\nspec:\n  terminationGracePeriodSeconds: 30\n  containers:\n  - name: a\n    image: nginx\n'],
  ],
};

const imageFiles = {
  'shop/api/Dockerfile': 'FROM debian:12\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n',
  'shop/api/start.sh': '#!/bin/sh\n./app\n',
  'shop/good/Dockerfile': 'FROM debian:12\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n',
  'shop/good/start.sh': '#!/bin/sh\nexec ./app\n',
};
function run(file: string, text: string) {
  return analyzeYaml(file, text, {
    config: { ...DEFAULT_CONFIG, kubernetesVersion: '1.33' },
    files: memFiles('/ws', imageFiles),
    dockerfileForImage: (img) => {
      const m = /shop\/(\w+)/.exec(img);
      if (!m) return undefined;
      const f = `/ws/shop/${m[1]}/Dockerfile`;
      const text = imageFiles[`shop/${m[1]}/Dockerfile` as keyof typeof imageFiles];
      return text ? { file: f, text, contextDir: `/ws/shop/${m[1]}`, how: f } : undefined;
    },
  });
}

for (const [id, cases] of Object.entries(positive)) {
  for (const [name, file, text] of cases) {
    test(`${id} fires: ${name}`, () => {
      const r = run(file, text).findings.map((f) => f.rule);
      assert.ok(r.includes(id), `${id} not in ${r.join(', ')}`);
    });
  }
}
for (const [id, cases] of Object.entries(negative)) {
  for (const [name, file, text] of cases) {
    test(`${id} silent: ${name}`, () => {
      const r = run(file, text).findings;
      assert.ok(!r.some((f) => f.rule === id), r.filter((f) => f.rule === id).map((f) => f.message).join(' / '));
    });
  }
}

test('every Kubernetes and Compose rule has positive and negative cases here', () => {
  for (const r of ALL_RULES.filter((x) => x.family === 'kubernetes' || x.family === 'compose')) {
    assert.ok(positive[r.id]?.length && negative[r.id]?.length, r.id);
  }
});

test('findings land on the offending key or value', () => {
  const text = deploy('image: nginx\nlifecycle:\n  preStop:\n    sleep:\n      seconds: 45');
  const f = analyzeYaml(K, text).findings.find((x) => x.rule === 'STOP303');
  assert.ok(f);
  const line = text.split('\n')[f.range.start.line];
  assert.equal(line.slice(f.range.start.character, f.range.end.character), '45');
});

test('kubernetes timing: preStop first, 2 s minimum after an overrun', () => {
  const r = analyzeYaml(K, deploy('image: debian\ncommand: ["./app"]\nlifecycle:\n  preStop:\n    exec:\n      command: ["sleep", "40"]'));
  const c = r.chains[0];
  assert.equal(c.outcome.verdict, 'cut-short');
  assert.equal(c.outcome.killAtSeconds, 32);
  const ok = analyzeYaml(K, deploy('image: debian\ncommand: ["./app"]\nlifecycle:\n  preStop:\n    sleep:\n      seconds: 5'));
  assert.equal(ok.chains[0].outcome.verdict, 'graceful');
  assert.equal(ok.chains[0].outcome.events.find((e) => /sent to PID 1/.test(e.what))?.atSeconds, 5);
  const zero = analyzeYaml(K, deploy('image: debian\ncommand: ["./app"]', 'terminationGracePeriodSeconds: 0'));
  assert.equal(zero.chains[0].outcome.killAtSeconds, 2);
});

test('command replaces ENTRYPOINT and drops CMD; args replaces CMD', () => {
  const files = { 'shop/x/Dockerfile': 'FROM alpine\nENTRYPOINT ["tini", "--"]\nCMD ["./old"]\n' };
  const look = (img: string) => (img.includes('shop/x') ? { file: '/ws/shop/x/Dockerfile', text: files['shop/x/Dockerfile'], contextDir: '/ws/shop/x', how: 'x' } : undefined);
  const labels = (container: string) => analyzeYaml(K, deploy(container), { files: memFiles('/ws', files), dockerfileForImage: look }).chains[0].processes.map((p) => p.label).join(' > ');
  assert.equal(labels('image: shop/x:1'), 'tini > ./old');
  assert.equal(labels('image: shop/x:1\nargs: ["./new"]'), 'tini > ./new');
  assert.equal(labels('image: shop/x:1\ncommand: ["./cmd"]'), './cmd');
});

test('Compose service built from a Dockerfile carries the Dockerfile → script chain through', () => {
  const files = { 'api/Dockerfile': 'FROM debian:12\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n', 'api/start.sh': '#!/bin/sh\n./app\n' };
  const r = analyzeYaml(C, 'services:\n  api:\n    build: ./api\n    init: true\n', { files: memFiles('/ws', files) });
  const c = r.chains[0];
  assert.equal(c.processes.map((p) => p.role).join(','), 'init,shell,app');
  assert.equal(c.scripts[0].source.file, '/ws/api/start.sh');
  assert.equal(c.outcome.verdict, 'cut-short');
  assert.ok(r.findings.some((f) => f.rule === 'STOP404'));
});

test('entrypoint: drops the image CMD', () => {
  const files = { 'api/Dockerfile': 'FROM alpine\nCMD ["./serve"]\n' };
  const r = analyzeYaml(C, 'services:\n  api:\n    build:\n      context: api\n    entrypoint: ["./run"]\n', { files: memFiles('/ws', files) });
  assert.equal(r.chains[0].processes.map((p) => p.label).join(' > '), './run');
});

test('real manifests: multi-document with Service, ConfigMap, RBAC, List and CronJob produce no noise', () => {
  const text = [
    'apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec:\n  ports: [{port: 80}]',
    'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  start.sh: |\n    ./app',
    'apiVersion: rbac.authorization.k8s.io/v1\nkind: Role\nmetadata: {name: r}\nrules: []',
    'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Pod\n  metadata: {name: p}\n  spec:\n    containers:\n    - name: a\n      image: nginx:1.27',
    'apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: j}\nspec:\n  schedule: "* * * * *"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n          - name: j\n            image: alpine\n            command: ["./job"]',
  ].join('\n---\n');
  const r = analyzeYaml(K, text);
  assert.equal(r.chains.length, 2);
  assert.deepEqual(r.findings, []);
});

test('Helm templates and other YAML are skipped without noise; anchors and aliases work', () => {
  assert.deepEqual(ids('/ws/chart/templates/d.yaml', 'kind: Deployment\nspec:\n  replicas: {{ .Values.replicas }}\n'), []);
  assert.deepEqual(ids('/ws/.github/workflows/ci.yaml', 'on: push\njobs:\n  a:\n    runs-on: x\n'), []);
  const anchors = 'x-common: &common\n  image: debian:12\n  command: ["sleep", "infinity"]\nservices:\n  a: *common\n  b:\n    <<: *common\n';
  assert.ok(ids(C, anchors).includes('STOP403'));
  const bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n';
  assert.doesNotThrow(() => analyzeYaml('/ws/bomb.yaml', bomb));
  assert.doesNotThrow(() => analyzeYaml(K, 'kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: a\n        image: [\n'));
});

test('sidecars (init containers with restartPolicy: Always) are analysed; plain init containers are not', () => {
  const text = deploy('image: debian\ncommand: ["./app"]', 'initContainers:\n- name: side\n  image: debian\n  restartPolicy: Always\n  command: ["sleep", "infinity"]\n- name: setup\n  image: debian\n  command: ["sleep", "infinity"]');
  const r = analyzeYaml(K, text);
  assert.deepEqual(r.chains.map((c) => c.container?.name.value), ['side', 'api']);
  assert.equal(r.findings.filter((f) => f.rule === 'STOP107').length, 1);
});

test('compose string commands are split like go-shellwords, stopping at operators', () => {
  assert.deepEqual(composeSplit('./migrate && ./app'), { words: ['./migrate'], rest: '&& ./app' });
  assert.deepEqual(composeSplit('node "a b" \'c;d\' e\\ f'), { words: ['node', 'a b', 'c;d', 'e f'] });
  assert.deepEqual(composeSplit('app>log'), { words: ['app'], rest: '>log' });
  assert.equal(parseDuration('1m30s'), 90);
  assert.equal(parseDuration('500ms'), 0.5);
  assert.equal(parseDuration('10'), 10);
  assert.equal(parseDuration('soon'), undefined);
});

test('suppression comments work in YAML', () => {
  const text = 'services:\n  w:\n    image: debian:12\n    # stopcheck ignore=STOP403\n    command: ["sleep", "infinity"]\n';
  assert.deepEqual(ids(C, text), []);
});

test('STOP307: stopSignal on a Kubernetes version without it is information', () => {
  const f = analyzeYaml(K, deploy('image: nginx\nlifecycle:\n  stopSignal: SIGQUIT', 'os:\n  name: linux')).findings.find((x) => x.rule === 'STOP307');
  assert.equal(f?.severity, 'info');
});

// ---- review fixes: one finding per problem, in the right file; fixes that never duplicate keys ----

const uniqueParse = (text: string) => parseAllDocuments(text, { uniqueKeys: true }).flatMap((d) => d.errors.map((e) => e.message));
function applyFix(text: string, f: Finding | undefined, title?: RegExp): string {
  assert.ok(f, 'no finding');
  const fix = title ? f.fixes.find((x) => title.test(x.title)) : f.fixes.find((x) => x.preferred);
  assert.ok(fix, `no fix among ${f.fixes.map((x) => x.title).join(' | ')}`);
  return applyEdits(text, new LineIndex(text), fix.edits);
}
const textAt = (text: string, f: Finding) => new LineIndex(text).slice(f.range);

test('compose init: true in front of tini: STOP405 only, not STOP110 as well', () => {
  const text = 'services:\n  w:\n    image: debian:12\n    init: true\n    entrypoint: ["tini", "--"]\n    command: ["./app"]\n';
  const r = analyzeYaml(C, text).findings.map((f) => f.rule);
  assert.ok(r.includes('STOP405'));
  assert.ok(!r.includes('STOP110'), r.join(', '));
  // Two inits written in a manifest: STOP110 lands on the second one, in the manifest.
  const k = deploy('image: debian:12\ncommand: ["tini", "--", "dumb-init", "./app"]');
  const f = analyzeYaml(K, k).findings.find((x) => x.rule === 'STOP110');
  assert.ok(f);
  assert.equal(f.file, K);
  assert.equal(textAt(k, f), '"dumb-init"');
});

test('STOP109/STOP110 from an image\'s Dockerfile land in the Dockerfile, never in the YAML with its ranges', () => {
  const files = { 'api/Dockerfile': 'FROM debian:12\nENTRYPOINT ["tini", "--", "tini", "--"]\nCMD ["nginx", "-g", "daemon off;"]\n' };
  const y = analyzeYaml(C, 'services:\n  api:\n    build: ./api\n', { files: memFiles('/ws', files) });
  assert.deepEqual(y.findings.filter((f) => f.rule === 'STOP109' || f.rule === 'STOP110'), []);
  const d = analyzeDockerfile('/ws/api/Dockerfile', files['api/Dockerfile']).findings.map((f) => `${f.rule}:${f.range.start.line}`);
  assert.ok(d.includes('STOP110:1') && d.includes('STOP109:2'), d.join(', '));
  // A stop_signal written in the Compose file: STOP109 on it, in Compose words.
  const t = 'services:\n  web:\n    image: debian:12\n    command: ["nginx", "-g", "daemon off;"]\n    stop_signal: SIGTERM\n';
  const f = analyzeYaml(C, t).findings.find((x) => x.rule === 'STOP109');
  assert.ok(f);
  assert.equal(f.file, C);
  assert.equal(textAt(t, f), 'SIGTERM');
  assert.match(f.message, /stop_signal: SIGQUIT/);
});

test('fixes replace an existing key instead of adding a duplicate: init: false, a non-numeric grace period', () => {
  const compose = 'services:\n  w:\n    image: debian:12\n    init: false  # off for now\n    command: ["sleep", "infinity"]\n';
  const f = analyzeYaml(C, compose).findings.find((x) => x.rule === 'STOP403');
  const after = applyFix(compose, f, /init: true/);
  assert.equal(after, compose.replace('init: false', 'init: true'));
  assert.deepEqual(uniqueParse(after), []);
  assert.ok(!analyzeYaml(C, after).findings.some((x) => x.rule === 'STOP403'));
  const k = deploy('image: nginx\nlifecycle:\n  preStop:\n    sleep:\n      seconds: 45', 'terminationGracePeriodSeconds: 30s');
  const g = analyzeYaml(K, k).findings.find((x) => x.rule === 'STOP303');
  const k2 = applyFix(k, g);
  assert.match(k2, /terminationGracePeriodSeconds: 75\n/);
  assert.equal((k2.match(/terminationGracePeriodSeconds/g) ?? []).length, 1);
  assert.deepEqual(uniqueParse(k2), []);
  assert.ok(!analyzeYaml(K, k2).findings.some((x) => x.rule === 'STOP303'));
  // An anchored value keeps its anchor (aliases elsewhere point at it).
  const anchored = 'services:\n  w:\n    image: debian:12\n    init: &off false\n    command: ["sleep", "infinity"]\n  v:\n    image: debian:12\n    init: *off\n    command: ["./app"]\n';
  const a2 = applyFix(anchored, analyzeYaml(C, anchored).findings.find((x) => x.rule === 'STOP403'), /init: true/);
  assert.match(a2, /init: &off true/);
  assert.deepEqual(uniqueParse(a2), []);
});

test('merge keys (<<: *base) are followed: fields from the merged map count, findings land in the file', () => {
  const text = 'x-base: &base\n  image: debian:12\n  command: ["sleep", "infinity"]\nservices:\n  a:\n    <<: *base\n';
  const r = analyzeYaml(C, text);
  assert.equal(r.chains.length, 1);
  const f = r.findings.find((x) => x.rule === 'STOP403');
  assert.ok(f, r.findings.map((x) => x.rule).join(', '));
  assert.equal(textAt(text, f), '["sleep", "infinity"]');
  // The fix adds init: true to the service, not to the shared anchor.
  const after = applyFix(text, f, /init: true/);
  assert.equal(after, text.replace('    <<: *base\n', '    init: true\n    <<: *base\n'));
  assert.deepEqual(uniqueParse(after), []);
  // Own keys win over merged ones; a list of merged maps: the first wins.
  const over = 'x-a: &a\n  image: debian:12\n  command: ["sleep", "infinity"]\nx-b: &b\n  command: ["./b"]\nservices:\n  s:\n    <<: [*a, *b]\n    command: ["./own"]\n  t:\n    <<: [*a, *b]\n';
  assert.deepEqual(analyzeYaml(C, over).chains.map((c) => c.processes.map((p) => p.label).join(' > ')), ['./own', 'sleep infinity']);
  // Kubernetes: a container merged from an anchor.
  const k = 'x: &c\n  image: nginx\n  lifecycle:\n    preStop:\n      sleep:\n        seconds: 45\nkind: Pod\nspec:\n  containers:\n  - name: a\n    <<: *c\n';
  assert.ok(analyzeYaml(K, k).findings.some((x) => x.rule === 'STOP303'));
  // A merged stop_grace_period: the STOP407 fix overrides it in the service, the anchor stays.
  const g = 'x: &g\n  stop_grace_period: 5s\nservices:\n  w:\n    <<: *g\n    image: python:3.12\n    command: ["gunicorn", "--graceful-timeout=30", "app:app"]\n';
  const g2 = applyFix(g, analyzeYaml(C, g).findings.find((x) => x.rule === 'STOP407'));
  assert.match(g2, /^x: &g\n {2}stop_grace_period: 5s\n/);
  assert.deepEqual(uniqueParse(g2), []);
  assert.ok(!analyzeYaml(C, g2).findings.some((x) => x.rule === 'STOP407'));
});

test('merge-key bombs and cycles stay cheap', () => {
  let text = 'm0: &m0 {image: debian:12, command: ["sleep", "infinity"]}\n';
  for (let i = 1; i <= 12; i++) text += `m${i}: &m${i} {<<: [${Array(9).fill(`*m${i - 1}`).join(', ')}]}\n`;
  text += 'services:\n  s:\n    <<: *m12\n';
  const t0 = Date.now();
  const r = analyzeYaml(C, text);
  assert.ok(Date.now() - t0 < 2000, `took ${Date.now() - t0} ms`);
  assert.equal(r.chains.length, 1);
  assert.doesNotThrow(() => analyzeYaml(C, 'services:\n  s: &s\n    <<: *s\n    image: debian\n'));
});

test('STOP304: a grace period of 1 s also leaves only the kubelet\'s 2 s minimum; 2 s and more do not fire', () => {
  const one = analyzeYaml(K, deploy('image: nginx', 'terminationGracePeriodSeconds: 1')).findings.find((x) => x.rule === 'STOP304');
  assert.ok(one);
  assert.match(one.message, /terminationGracePeriodSeconds: 1 .*2 s later, the minimum it ever allows/);
  assert.ok(!analyzeYaml(K, deploy('image: nginx', 'terminationGracePeriodSeconds: 2')).findings.some((x) => x.rule === 'STOP304'));
  assert.ok(!analyzeYaml(K, deploy('image: nginx', 'terminationGracePeriodSeconds: 45')).findings.some((x) => x.rule === 'STOP304'));
  // An empty value is not 0 (the API server defaults it to 30).
  assert.ok(!analyzeYaml(K, deploy('image: nginx', 'terminationGracePeriodSeconds:')).findings.some((x) => x.rule === 'STOP304'));
});

test('STOP303 compares with the API default (30) when terminationGracePeriodSeconds is absent, whatever the setting', () => {
  const cfg = (k: number) => ({ config: { ...DEFAULT_CONFIG, gracePeriods: { ...DEFAULT_CONFIG.gracePeriods, kubernetes: k } } });
  const sleep = (n: number) => deploy(`image: nginx\nlifecycle:\n  preStop:\n    sleep:\n      seconds: ${n}`);
  const f = analyzeYaml(K, sleep(45), cfg(60)).findings.find((x) => x.rule === 'STOP303');
  assert.ok(f);
  assert.match(f.message, /\(30, the API default\)/);
  assert.ok(!analyzeYaml(K, sleep(20), cfg(10)).findings.some((x) => x.rule === 'STOP303'));
});

test('STOP305 only for a shell or system tool on an image without them, not for the app\'s own binary', () => {
  const hook = (cmd: string) => deploy(`image: gcr.io/distroless/static-debian12\nlifecycle:\n  preStop:\n    exec:\n      command: ${cmd}`);
  for (const cmd of ['["sh", "-c", "sleep 5"]', '["/bin/sleep", "5"]', '["kill", "-TERM", "1"]', '["/usr/bin/pkill", "app"]']) {
    assert.ok(analyzeYaml(K, hook(cmd)).findings.some((x) => x.rule === 'STOP305'), cmd);
  }
  for (const cmd of ['["/app/bin/drain"]', '["/app/bin/sleep", "5"]', '["/server", "--drain"]']) {
    assert.ok(!analyzeYaml(K, hook(cmd)).findings.some((x) => x.rule === 'STOP305'), cmd);
  }
});

test('STOP306 names the precise fixes', () => {
  const f = analyzeYaml(K, deploy('image: python:3.12-slim\nlifecycle:\n  preStop:\n    exec:\n      command: ["/bin/sh", "-c", "ps -ef | grep gunicorn | grep -v grep | awk \'{print $1}\' | xargs kill -15"]')).findings.find((x) => x.rule === 'STOP306');
  assert.ok(f);
  assert.match(f.message, /No preStop kill is needed at all/);
  assert.match(f.message, /on this Debian image \(procps\) is the user name, not the PID/);
  assert.ok(f.message.length < 700, `${f.message.length} characters`);
  assert.match(f.message, /ps -eo pid,args \| grep gunicorn/);
  assert.match(f.message, /pkill -TERM -f gunicorn/);
  // The fix it names is not reported in turn: `ps -eo pid,args` prints the PID first.
  for (const ps of ['ps -eo pid,args', 'ps -o pid,comm', 'ps axo pid,args']) {
    const t = deploy(`image: python:3.12-slim\nlifecycle:\n  preStop:\n    exec:\n      command: ["/bin/sh", "-c", "${ps} | grep gunicorn | grep -v grep | awk '{print $1}' | xargs kill -15"]`);
    assert.ok(!analyzeYaml(K, t).findings.some((x) => x.rule === 'STOP306'), ps);
  }
});

test('STOP307: an invalid stopSignal is an error; the chain ignores stopSignal below Kubernetes 1.33', () => {
  const text = (sig: string) => deploy(`image: debian:12\ncommand: ["./app"]\nlifecycle:\n  stopSignal: ${sig}`, 'os:\n  name: linux');
  const v = (ver: string) => ({ config: { ...DEFAULT_CONFIG, kubernetesVersion: ver } });
  const bad = analyzeYaml(K, text('SIGFOO'), v('1.33')).findings.filter((x) => x.rule === 'STOP307');
  assert.equal(bad.length, 1);
  assert.equal(bad[0].severity, 'error');
  assert.match(bad[0].message, /"SIGFOO" is not a signal/);
  assert.ok(analyzeYaml(K, text('SIGFOO'), v('1.30')).findings.some((x) => x.rule === 'STOP307' && x.severity === 'error'));
  assert.equal(analyzeYaml(K, text('SIGINT'), v('1.30')).chains[0].policy.signal, 'SIGTERM');
  assert.equal(analyzeYaml(K, text('SIGINT'), v('1.33')).chains[0].policy.signal, 'SIGINT');
  assert.deepEqual(analyzeYaml(K, text('SIGINT'), v('1.33')).findings.filter((x) => x.rule === 'STOP307'), []);
  assert.ok(analyzeYaml(K, text('TERM'), v('1.33')).findings.some((x) => x.rule === 'STOP307' && /write `SIGTERM`/.test(x.message)));
});

test('STOP301: args ["-c", …] after an image ENTRYPOINT of sh/bash from a workspace Dockerfile', () => {
  const files = { 'shop/x/Dockerfile': 'FROM debian:12\nENTRYPOINT ["/bin/sh"]\nCMD ["-c", "exec ./app"]\n' };
  const look = (img: string) => (img.includes('shop/x') ? { file: '/ws/shop/x/Dockerfile', text: files['shop/x/Dockerfile'], contextDir: '/ws/shop/x', how: 'x' } : undefined);
  const opts = { files: memFiles('/ws', files), dockerfileForImage: look };
  const text = deploy('image: shop/x:1\nargs: ["-c", "./migrate && ./app"]');
  const r = analyzeYaml(K, text, opts);
  const f = r.findings.find((x) => x.rule === 'STOP301');
  assert.ok(f, r.findings.map((x) => x.rule).join(', '));
  assert.equal(f.file, K);
  assert.equal(textAt(text, f), '"./migrate && ./app"');
  assert.match(f.message, /ENTRYPOINT `\/bin\/sh`/);
  assert.ok(!r.findings.some((x) => x.rule === 'STOP308'), 'not also STOP308');
  const fixed = applyFix(text, f);
  assert.match(fixed, /args: \["-c", "\.\/migrate && exec \.\/app"\]/);
  assert.ok(!analyzeYaml(K, fixed, opts).findings.some((x) => x.rule === 'STOP301'));
  assert.ok(!analyzeYaml(K, deploy('image: shop/x:1\nargs: ["-c", "exec ./app"]'), opts).findings.some((x) => x.rule === 'STOP301'));
});

test('a shell named on an image without one: fails to start (STOP102), even when the string would exec', () => {
  for (const cmd of ['["sh", "-c", "exec /app"]', '["sh", "-c", "/app"]', '["/bin/bash", "-c", "/app --x"]']) {
    const text = deploy(`image: gcr.io/distroless/static-debian12\ncommand: ${cmd}`);
    const r = analyzeYaml(K, text);
    assert.equal(r.chains[0].outcome.verdict, 'fails-to-start', cmd);
    const f = r.findings.find((x) => x.rule === 'STOP102');
    assert.ok(f, `${cmd}: ${r.findings.map((x) => x.rule).join(', ')}`);
    assert.equal(f.file, K);
    assert.match(textAt(text, f), /^"(sh|\/bin\/bash)"$/);
    assert.match(f.message, /command: \[/);
    assert.doesNotMatch(f.message, /exec form/);
    const c = analyzeYaml(C, `services:\n  a:\n    image: gcr.io/distroless/static\n    command: ${cmd}\n`);
    assert.ok(c.findings.some((x) => x.rule === 'STOP102'), cmd);
  }
  assert.ok(analyzeDockerfile('/ws/Dockerfile', 'FROM gcr.io/distroless/static\nCMD ["sh", "-c", "exec /app"]\n').findings.some((x) => x.rule === 'STOP102'));
  assert.ok(!analyzeYaml(K, deploy('image: gcr.io/distroless/static-debian12\ncommand: ["/app"]')).findings.some((x) => x.rule === 'STOP102'));
  assert.ok(!analyzeYaml(K, deploy('image: gcr.io/distroless/base:debug\ncommand: ["sh", "-c", "exec /app"]')).findings.some((x) => x.rule === 'STOP102'));
});

test('STOP407: Compose durations (ms, 1m30s, 1h) and millisecond drain flags, without false alarms', () => {
  const svc = (cmd: string, grace?: string) => `services:\n  w:\n    image: python:3.12\n    command: ${cmd}\n${grace ? `    stop_grace_period: ${grace}\n` : ''}`;
  const fires = (cmd: string, grace?: string) => analyzeYaml(C, svc(cmd, grace)).findings.filter((x) => x.rule === 'STOP407');
  assert.equal(fires('["gunicorn", "--graceful-timeout=60", "a:b"]', '1m30s').length, 0);
  assert.equal(fires('["gunicorn", "--graceful-timeout=60", "a:b"]', '1h').length, 0);
  assert.equal(fires('["gunicorn", "--graceful-timeout=60", "a:b"]', '"${GRACE:-90s}"').length, 0, 'interpolated: unknown');
  assert.equal(fires('["./app", "--shutdown-timeout=30000"]').length, 0, 'a bare 30000 is most likely ms');
  assert.equal(fires('["./app", "--shutdown-timeout=5"]').length, 0);
  const ms = fires('["./app", "--shutdown-timeout-ms=30000"]');
  assert.equal(ms.length, 1);
  assert.match(ms[0].message, /drains for up to 30 s/);
  const small = fires('["./app", "--drain-timeout=1500ms"]', '500ms');
  assert.equal(small.length, 1);
  assert.match(small[0].message, /up to 1\.5 s .*stop_grace_period is 500ms \(0\.5 s\)/);
  assert.equal(fires('["./app", "--drain-timeout=1m30s"]', '1m').length, 1);
  assert.equal(fires('["./app", "--drain-timeout=1m30s"]', '2m').length, 0);
});

test('STOP105 speaks the file\'s language: Compose command:, Kubernetes command/args, CMD in a Dockerfile', () => {
  const c = analyzeYaml(C, 'services:\n  w:\n    image: node:20\n    command: ["npm", "start"]\n').findings.find((x) => x.rule === 'STOP105');
  assert.ok(c);
  assert.match(c.message, /service's `command:` as a list/);
  assert.doesNotMatch(c.message, /CMD/);
  const k = analyzeYaml(K, deploy('image: node:20\ncommand: ["npm", "start"]')).findings.find((x) => x.rule === 'STOP105');
  assert.ok(k);
  assert.match(k.message, /container's `command` \(or `args`\)/);
  assert.doesNotMatch(k.message, /CMD/);
  assert.match(analyzeDockerfile('/ws/Dockerfile', 'FROM node:20\nCMD ["npm", "start"]\n').findings.find((x) => x.rule === 'STOP105')!.message, /CMD \["node"/);
});

test('STOP406: SIGSTOP suspends PID 1; the container never exits and is SIGKILLed after the grace period', () => {
  const f = analyzeYaml(C, 'services:\n  w:\n    image: debian:12\n    command: ["./app"]\n    stop_signal: SIGSTOP\n    stop_grace_period: 20s\n').findings.find((x) => x.rule === 'STOP406');
  assert.ok(f);
  assert.match(f.message, /cannot be caught or ignored/);
  assert.match(f.message, /suspends PID 1/);
  assert.match(f.message, /never exits/);
  assert.match(f.message, /\(20 s\) and then SIGKILLs/);
  const k = analyzeYaml(C, 'services:\n  w:\n    image: debian:12\n    command: ["./app"]\n    stop_signal: "9"\n').findings.find((x) => x.rule === 'STOP406');
  assert.match(k!.message, /SIGKILL cannot be caught or ignored: every stop kills the container at once/);
});

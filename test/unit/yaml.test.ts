// Kubernetes and Compose: overrides, stop policy, preStop budgets, init — rules STOP3xx/STOP4xx.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import './helpers';
import { analyzeYaml } from '../../server/src/core/analyze';
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

// Analyses kept by text (parsed Dockerfiles, start-script analyses, YAML documents): a changed text
// is analysed afresh, the same text is not analysed again, and what comes out is the same as cold.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import './helpers';
import { analyzeDockerfile, analyzeYaml } from '../../server/src/core/analyze';
import { TextCache, clearTextCaches, textCacheStats } from '../../server/src/core/cache';
import { DEFAULT_CONFIG } from '../../server/src/core/config';
import { WorkspaceIndex } from '../../server/src/lsp/workspace';
import { memFiles } from './memfs';

const DOCKERFILE = 'FROM debian:12\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n';
const STAYS = '#!/bin/sh\nset -e\n./migrate\n./app\n';
const EXECS = '#!/bin/sh\nset -e\n./migrate\nexec ./app\n';

function analyse(script: string) {
  return analyzeDockerfile('/ws/Dockerfile', DOCKERFILE, { files: memFiles('/ws', { 'start.sh': script }) });
}

test('cache: an edited start script is analysed afresh; the Dockerfile that runs it follows', () => {
  clearTextCaches();
  const before = analyse(STAYS);
  assert.equal(before.chains[0].outcome.verdict, 'killed');
  assert.ok(before.findings.some((f) => f.file === '/ws/start.sh'), 'a finding on the script that does not exec');
  const after = analyse(EXECS);
  assert.equal(after.chains[0].outcome.verdict, 'graceful');
  assert.deepEqual(after.findings.filter((f) => f.file === '/ws/start.sh'), []);
  // And back: the first text's analysis is not mixed up with the second's.
  assert.equal(analyse(STAYS).chains[0].outcome.verdict, 'killed');
});

test('cache: the same script text is analysed once, and the result equals a cold analysis', () => {
  clearTextCaches();
  const cold = analyse(STAYS);
  const s0 = textCacheStats().script;
  const warm = analyse(STAYS);
  const s1 = textCacheStats().script;
  assert.equal(s1.misses, s0.misses, 'no new analysis of the unchanged script');
  assert.ok(s1.hits > s0.hits, 'the kept analysis was used');
  assert.deepEqual(warm.findings, cold.findings);
  assert.equal(warm.chains[0].outcome.verdict, cold.chains[0].outcome.verdict);
  // An edited Dockerfile with the same script: the Dockerfile is parsed again, the script is not.
  const d0 = textCacheStats();
  const edited = analyzeDockerfile('/ws/Dockerfile', DOCKERFILE.replace('CMD', '# edited\nCMD'), { files: memFiles('/ws', { 'start.sh': STAYS }) });
  const d1 = textCacheStats();
  assert.equal(d1.dockerfile.misses, d0.dockerfile.misses + 1);
  assert.equal(d1.script.misses, d0.script.misses);
  assert.equal(edited.chains[0].outcome.verdict, 'killed');
});

test('cache: bounded by entries and characters, least recently used out; a file\'s newer text replaces its older', () => {
  const c = new TextCache<number>('test-bounds', 3, 10);
  c.set('aa', 1);
  c.set('bb', 2);
  c.set('cc', 3);
  assert.equal(c.get('aa'), 1); // aa is now the most recent
  c.set('dd', 4); // over 3 entries: bb goes
  assert.equal(c.get('bb'), undefined);
  assert.equal(c.get('aa'), 1);
  c.set('eeeeee', 5); // over 10 characters: the least recently used go until it fits
  assert.equal(c.get('eeeeee'), 5);
  assert.ok(c.stats().entries <= 3);
  c.set('way more than ten characters', 6); // larger than the whole cache: not kept
  assert.equal(c.get('way more than ten characters'), undefined);
  const g = new TextCache<number>('test-groups', 100, 1000);
  g.set('v1', 1, 'file');
  g.set('other', 9, 'other-file');
  g.set('v2', 2, 'file');
  assert.equal(g.get('v1'), undefined);
  assert.equal(g.get('v2'), 2);
  assert.equal(g.get('other'), 9);
  g.clear();
  assert.equal(g.get('v2'), undefined);
});

function manifest(n: number, extra = ''): string {
  return Array.from({ length: n }, (_, i) => `---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p${i}\n${i === 1 ? extra : ''}spec:\n  terminationGracePeriodSeconds: ${i + 1}\n  containers:\n  - name: c\n    image: debian:12\n    command: ["sh", "-c", "./app"]\n`).join('');
}

test('cache: YAML documents kept by text; an edit that moves later documents gives what a cold parse gives', () => {
  const file = '/ws/k8s/pods.yaml';
  clearTextCaches();
  const first = analyzeYaml(file, manifest(4));
  const s0 = textCacheStats()['yaml-document'];
  // Three lines typed into the second document: documents 3 and 4 are unchanged but start lower.
  const text = manifest(4, '  # a\n  # b\n  # c\n');
  const warm = analyzeYaml(file, text);
  const s1 = textCacheStats()['yaml-document'];
  assert.equal(s1.misses - s0.misses, 1, 'only the edited document is parsed again');
  clearTextCaches();
  const cold = analyzeYaml(file, text);
  assert.deepEqual(warm.findings, cold.findings);
  assert.deepEqual(warm.model.pods, cold.model.pods);
  assert.deepEqual(warm.chains.map((c) => c.outcome), cold.chains.map((c) => c.outcome));
  const p3 = warm.model.pods[3];
  assert.equal(p3.grace?.range.start.line, text.split('\n').findIndex((l) => l === '  terminationGracePeriodSeconds: 4'));
  assert.ok(first.findings.length > 0 && warm.findings.length === first.findings.length);
  // A handed-out model is a copy: changing it does not change the next analysis.
  warm.model.pods[0].containers[0].name.value = 'changed';
  assert.equal(analyzeYaml(file, text).model.pods[0].containers[0].name.value, 'c');
});

test('cache: YAML with directives, a --- inside a block scalar, CRLF and empty documents parses as a whole stream would', () => {
  const cases = [
    '%YAML 1.2\n---\nkind: Pod\nspec:\n  containers:\n  - name: a\n    image: debian\n    command: ["sh", "-c", "./app"]\n',
    'kind: Pod\nmetadata:\n  annotations:\n    x: |\n      text\n---\nkind: Pod\nspec:\n  containers:\n  - name: b\n    image: debian\n    command: ["sh", "-c", "./app"]\n',
    '---\r\nkind: Pod\r\nspec:\r\n  containers:\r\n  - name: c\r\n    image: debian\r\n    command: ["sh", "-c", "./app"]\r\n---\r\nkind: Pod\r\nspec:\r\n  containers:\r\n  - name: d\r\n    image: debian\r\n    command: ["sh", "-c", "./app"]\r\n',
    '---\n---\n# only a comment\n---\nkind: Pod\nspec:\n  containers:\n  - name: e\n    image: debian\n    command: ["sh", "-c", "./app"]\n...\n',
  ];
  for (const text of cases) {
    clearTextCaches();
    const a = analyzeYaml('/ws/k.yaml', text);
    const b = analyzeYaml('/ws/k.yaml', text);
    assert.deepEqual(b.findings, a.findings);
    assert.equal(a.model.pods.length, a.model.pods.length);
    assert.ok(a.model.pods.length >= 1, JSON.stringify(text));
    for (const p of a.model.pods) for (const c of p.containers) {
      const line = text.split(/\r?\n/)[c.name.range.start.line];
      assert.ok(line.includes(`name: ${c.name.value}`), `${c.name.value} at line ${c.name.range.start.line}: ${line}`);
    }
  }
});

test('cache: the workspace index re-analyses the Dockerfile and manifest when a script changes, and forgets what it no longer reads', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stopcheck-cache-'));
  try {
    const svc = path.join(dir, 'api');
    fs.mkdirSync(svc);
    fs.writeFileSync(path.join(svc, 'Dockerfile'), DOCKERFILE);
    fs.writeFileSync(path.join(svc, 'start.sh'), STAYS);
    fs.writeFileSync(path.join(dir, 'pods.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: api\nspec:\n  containers:\n  - name: api\n    image: registry.example/api:1\n');
    const index = new WorkspaceIndex({ openText: () => undefined, configFor: () => DEFAULT_CONFIG, rootFor: () => dir, log: () => undefined });
    for (const f of index.scan([dir])) index.analyse(f);
    const df = path.join(svc, 'Dockerfile');
    const script = path.join(svc, 'start.sh');
    const yaml = path.join(dir, 'pods.yaml');
    assert.deepEqual(index.dependents(script).sort(), [df, yaml].sort());
    assert.ok(index.findingsFor(script).length > 0);
    assert.equal(index.results.get(yaml)?.chains[0].outcome.verdict, 'killed');

    fs.writeFileSync(script, EXECS);
    for (const src of index.dependents(script)) index.analyse(src);
    assert.deepEqual(index.findingsFor(script), []);
    assert.equal(index.results.get(df)?.chains[0].outcome.verdict, 'graceful');
    assert.equal(index.results.get(yaml)?.chains[0].outcome.verdict, 'graceful');

    // The Dockerfile stops running the script: it is no longer a dependency of anything.
    fs.writeFileSync(df, 'FROM debian:12\nCMD ["./app"]\n');
    index.analyse(df);
    index.analyse(yaml);
    assert.deepEqual(index.dependents(script), []);
    index.forget(yaml);
    assert.deepEqual(index.dependents(df), [df]);
    // A new Dockerfile in a folder the image names is found without a rescan of the list.
    fs.rmSync(svc, { recursive: true });
    index.forget(df);
    const other = path.join(dir, 'sub', 'api');
    fs.mkdirSync(other, { recursive: true });
    fs.writeFileSync(path.join(other, 'Dockerfile'), 'FROM debian:12\nCMD ./app\n');
    index.sources.add(path.join(other, 'Dockerfile'));
    index.analyse(path.join(other, 'Dockerfile'));
    index.sources.add(yaml);
    index.analyse(yaml);
    assert.equal(index.results.get(yaml)?.chains[0].outcome.verdict, 'killed');
    assert.ok(index.dependents(path.join(other, 'Dockerfile')).includes(yaml));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

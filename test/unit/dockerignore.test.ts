// .dockerignore: a file the ignore file keeps out of the build context is not in the image, so it
// is neither analysed as a start script nor read as the app's code. BuildKit prefers
// `<Dockerfile>.dockerignore` beside the Dockerfile over the context's `.dockerignore`.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import './helpers';
import { analyzeDockerfile } from '../../server/src/core/analyze';
import { memFiles } from './memfs';

const ROOT = '/ws';
const NO_EXEC = '#!/bin/sh\n./migrate\n./app\n'; // STOP201: the script stays in front of the app
const DF = 'FROM debian:12\nCOPY . /app/\nCMD ["/app/docker/start.sh"]\n';

function run(files: Record<string, string>, dockerfile = DF, name = 'Dockerfile') {
  const r = analyzeDockerfile(`${ROOT}/${name}`, dockerfile, { files: memFiles(ROOT, { [name]: dockerfile, ...files }) });
  const chain = r.chains[r.chains.length - 1];
  return { chain, rules: r.findings.map((f) => f.rule), scripts: chain.scripts.map((s) => s.source.file) };
}

test('without an ignore file, COPY . brings the start script in and it is analysed (the baseline)', () => {
  const r = run({ 'docker/start.sh': NO_EXEC });
  assert.deepEqual(r.scripts, ['/ws/docker/start.sh']);
  assert.ok(r.rules.includes('STOP201'), String(r.rules));
});

test('a script excluded by .dockerignore (folder pattern, glob, **) is not analysed, and the chain says why', () => {
  for (const ignore of ['docker\n', 'docker/*.sh\n', '**/start.sh\n', '# build files\n*.md\n\ndocker/\n']) {
    const r = run({ 'docker/start.sh': NO_EXEC, '.dockerignore': ignore });
    assert.deepEqual(r.scripts, [], ignore);
    assert.ok(!r.rules.includes('STOP201'), `${JSON.stringify(ignore)}: ${r.rules}`);
    assert.match(r.chain.assumptions.join('\n'), /docker\/start\.sh \(COPY on line 2\) is excluded by \.dockerignore, so it is not in the image at \/app\/docker\/start\.sh/, ignore);
  }
});

test('patterns that do not cover the script, and `!` exceptions, leave it in', () => {
  for (const ignore of ['*.md\n.git\n', 'start.sh\n', 'docker\n!docker/start.sh\n', 'sub/docker\n']) {
    const r = run({ 'docker/start.sh': NO_EXEC, '.dockerignore': ignore });
    assert.deepEqual(r.scripts, ['/ws/docker/start.sh'], ignore);
    assert.ok(r.rules.includes('STOP201'), ignore);
  }
});

test('<Dockerfile>.dockerignore beside the Dockerfile wins over the context\'s .dockerignore', () => {
  // The context's file excludes the script, the Dockerfile's own does not: analysed.
  let r = run({ 'docker/start.sh': NO_EXEC, '.dockerignore': 'docker\n', 'Dockerfile.dockerignore': '*.md\n' });
  assert.deepEqual(r.scripts, ['/ws/docker/start.sh']);
  // The other way round: excluded, and the message names the file that did it.
  r = run({ 'docker/start.sh': NO_EXEC, '.dockerignore': '*.md\n', 'Dockerfile.dockerignore': 'docker\n' });
  assert.deepEqual(r.scripts, []);
  assert.match(r.chain.assumptions.join('\n'), /excluded by Dockerfile\.dockerignore/);
  // A differently named Dockerfile has its own.
  r = run({ 'docker/start.sh': NO_EXEC, 'web.Dockerfile.dockerignore': 'docker\n' }, DF, 'web.Dockerfile');
  assert.deepEqual(r.scripts, []);
});

test('an app source excluded by .dockerignore is not read: no STOP501 from code that is not in the image', () => {
  const df = 'FROM node:20\nWORKDIR /app\nCOPY . .\nCMD ["node", "server.js"]\n';
  const server = "require('http').createServer(() => {}).listen(3000);\n";
  assert.ok(run({ 'server.js': server }, df).rules.includes('STOP501'));
  const r = run({ 'server.js': server, '.dockerignore': 'server.js\n' }, df);
  assert.ok(!r.rules.includes('STOP501'), String(r.rules));
});

test('an explicit COPY of an excluded file: not analysed either (the build itself would fail)', () => {
  const df = 'FROM debian:12\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n';
  const r = run({ 'start.sh': NO_EXEC, '.dockerignore': '*.sh\n' }, df);
  assert.deepEqual(r.scripts, []);
  assert.match(r.chain.assumptions.join('\n'), /start\.sh \(COPY on line 2\) is excluded by \.dockerignore/);
});

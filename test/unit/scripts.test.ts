// Start scripts and the Dockerfile → script link: SEMANTICS.md §1 script rows, rules STOP2xx, COPY mapping.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import './helpers';
import { analyzeDockerfile } from '../../server/src/core/analyze';
import { memFiles } from './memfs';

const ROOT = '/ws';
function run(dockerfile: string, files: Record<string, string>) {
  const r = analyzeDockerfile(`${ROOT}/Dockerfile`, dockerfile, { files: memFiles(ROOT, files) });
  const chain = r.chains[r.chains.length - 1];
  return { chain, findings: r.findings, rules: r.findings.map((f) => `${f.rule}@${f.file.replace(ROOT + '/', '')}:${f.range.start.line + 1}`) };
}
const DF = (cmd: string, base = 'debian:12') => `FROM ${base}\nCOPY start.sh /start.sh\n${cmd}\n`;

// [name, Dockerfile CMD line, script, expected verdict]
const rows: Array<[string, string, string, string]> = [
  ['./script.sh whose last line is ./app', 'CMD ["/start.sh"]', '#!/bin/sh\n./app\n', 'killed'],
  ['sh script.sh whose last line is ./app', 'CMD ["sh", "/start.sh"]', '#!/bin/sh\n./app\n', 'killed'],
  ['bash script (bash does not exec the last line of a file)', 'CMD ["/start.sh"]', '#!/bin/bash\n./app\n', 'killed'],
  ['busybox script', 'CMD ["/start.sh"]', '#!/bin/sh\n./app\n', 'killed'],
  ['script ending with exec ./app', 'CMD ["/start.sh"]', '#!/bin/sh\nset -e\n./migrate\nexec ./app\n', 'graceful'],
  ['FOO=1 exec ./app', 'CMD ["/start.sh"]', '#!/bin/sh\nFOO=1 exec ./app\n', 'graceful'],
  ['script with sh -c ./app inside', 'CMD ["/start.sh"]', '#!/bin/sh\nsh -c ./app\n', 'killed'],
  ['exec ./app | tee log', 'CMD ["/start.sh"]', '#!/bin/sh\nexec ./app | tee /log\n', 'killed'],
  ['./app & wait (no trap)', 'CMD ["/start.sh"]', '#!/bin/sh\n./app &\nwait\n', 'killed'],
  ['forwarding trap and a second wait', 'CMD ["/start.sh"]', '#!/bin/sh\n./app & pid=$!\ntrap \'kill -TERM $pid\' TERM INT\nwait $pid\ntrap - TERM INT\nwait $pid\n', 'graceful'],
  ['forwarding trap but one wait', 'CMD ["/start.sh"]', '#!/bin/sh\n./app & pid=$!\ntrap \'kill -TERM $pid\' TERM INT\nwait $pid\n', 'cut-short'],
  ['./app & tail -f /dev/null', 'CMD ["/start.sh"]', '#!/bin/sh\n./app &\ntail -f /dev/null\n', 'killed'],
  ['./app & while true; sleep', 'CMD ["/start.sh"]', '#!/bin/sh\n./app &\nwhile true; do sleep 1; done\n', 'killed'],
  ['bash EXIT trap then exec', 'CMD ["/start.sh"]', '#!/bin/bash\ntrap \'echo bye\' EXIT\nexec ./app\n', 'graceful'],
  ['tini -- sh start.sh (no exec)', 'ENTRYPOINT ["tini", "--", "sh", "/start.sh"]', '#!/bin/sh\n./app\n', 'cut-short'],
  ['tini -g -- sh start.sh (no exec)', 'ENTRYPOINT ["tini", "-g", "--", "sh", "/start.sh"]', '#!/bin/sh\n./app\n', 'cut-short'],
  ['tini -- start.sh ending in exec', 'ENTRYPOINT ["tini", "--", "/start.sh"]', '#!/bin/sh\nexec ./app\n', 'graceful'],
  ['dumb-init sh start.sh (no exec)', 'ENTRYPOINT ["dumb-init", "sh", "/start.sh"]', '#!/bin/sh\n./app\n', 'cut-short'],
  ['dumb-init --single-child sh start.sh', 'ENTRYPOINT ["dumb-init", "--single-child", "sh", "/start.sh"]', '#!/bin/sh\n./app\n', 'cut-short'],
  ['official-image pattern: exec "$@" after setup', 'ENTRYPOINT ["/start.sh"]\nCMD ["./app"]', '#!/bin/sh\nset -e\nmkdir -p /data\nexec "$@"\n', 'graceful'],
  ['exec gosu user "$@"', 'ENTRYPOINT ["/start.sh"]\nCMD ["./app"]', '#!/bin/bash\nset -e\nif [ "$(id -u)" = 0 ]; then\n  exec gosu app "$@"\nfi\nexec "$@"\n', 'graceful'],
  ['exec in every case branch', 'ENTRYPOINT ["/start.sh"]\nCMD ["web"]', '#!/bin/sh\ncase "$1" in\n  web) exec ./web ;;\n  *) exec "$@" ;;\nesac\n', 'graceful'],
  ['the script is the app: its trap function cleans up and exits', 'CMD ["/start.sh"]', '#!/bin/bash\non_term() {\n  echo bye\n  exit 0\n}\ntrap on_term TERM\nwhile true; do sleep 0.1; done\n', 'graceful'],
  ['the script is the app: its trap does not exit', 'CMD ["/start.sh"]', '#!/bin/bash\ntrap \'echo got it\' TERM\nwhile true; do sleep 0.1; done\n', 'killed'],
  ['the script is the app: trap in front of sleep infinity never runs', 'CMD ["/start.sh"]', '#!/bin/bash\ntrap \'exit 0\' TERM\nsleep infinity\n', 'killed'],
  ['trap function forwards to the background app and waits', 'CMD ["/start.sh"]', '#!/bin/sh\nfwd() {\n  kill -TERM "$pid"\n  wait "$pid"\n}\n./app & pid=$!\ntrap fwd TERM\nwait "$pid"\n', 'graceful'],
  ['function main execs', 'CMD ["/start.sh"]', '#!/bin/sh\nmain() {\n  exec ./app\n}\nmain "$@"\n', 'graceful'],
  ['one branch without exec', 'CMD ["/start.sh"]', '#!/bin/sh\nif [ -n "$DEBUG" ]; then\n  ./app --debug\nelse\n  exec ./app\nfi\n', 'killed'],
  ['forwarding SIGINT to a background python', 'CMD ["/start.sh"]', '#!/bin/sh\npython app.py & pid=$!\ntrap \'kill -INT $pid\' TERM\nwait $pid\nwait $pid\n', 'unknown'],
  ['CRLF script run directly', 'CMD ["/start.sh"]', '#!/bin/sh\r\nexec ./app\r\n', 'fails-to-start'],
  ['no shebang, run directly', 'CMD ["/start.sh"]', 'exec ./app\n', 'fails-to-start'],
  ['no shebang, run with sh', 'CMD ["sh", "/start.sh"]', 'exec ./app\n', 'graceful'],
];

for (const [name, cmd, script, verdict] of rows) {
  test(`script: ${name} → ${verdict}`, () => {
    const { chain } = run(DF(cmd), { 'start.sh': script });
    assert.equal(chain.outcome.verdict, verdict, `${chain.outcome.summary} / ${chain.processes.map((p) => p.label).join(' > ')}`);
  });
}

test('STOP201 in the script and on the Dockerfile, each pointing at the other', () => {
  const { findings } = run(DF('CMD ["/start.sh"]'), { 'start.sh': '#!/bin/sh\nset -e\n./migrate\nnode server.js\n' });
  const inScript = findings.find((f) => f.rule === 'STOP201' && f.file === '/ws/start.sh');
  const inDocker = findings.find((f) => f.rule === 'STOP201' && f.file === '/ws/Dockerfile');
  assert.ok(inScript && inDocker);
  assert.equal(inScript.range.start.line, 3);
  assert.match(inScript.message, /run by Dockerfile line 3/);
  assert.deepEqual(inScript.related.map((r) => [r.file, r.range.start.line]), [['/ws/Dockerfile', 2]]);
  assert.deepEqual(inDocker.related.map((r) => [r.file, r.range.start.line]), [['/ws/start.sh', 3]]);
  assert.match(inDocker.message, /node server\.js/);
});

const fires: Array<[string, string, string, string]> = [
  ['STOP201', 'CMD ["/start.sh"]', '#!/bin/sh\n./app\n', 'start.sh:2'],
  ['STOP202', 'CMD ["/start.sh"]', '#!/bin/sh\nexec ./app | tee /log\n', 'start.sh:2'],
  ['STOP203', 'CMD ["/start.sh"]', '#!/bin/sh\nbash -c "./app"\n', 'start.sh:2'],
  ['STOP204', 'CMD ["/start.sh"]', '#!/bin/sh\n./app &\nwait\n', 'start.sh:3'],
  ['STOP205', 'CMD ["/start.sh"]', '#!/bin/sh\nservice nginx start\ntail -f /dev/null\n', 'start.sh:3'],
  ['STOP206', 'CMD ["/start.sh"]', '#!/bin/bash\ntrap \'rm -f /tmp/lock\' EXIT\nexec ./app\n', 'start.sh:2'],
  ['STOP207', 'ENTRYPOINT ["tini", "--", "/start.sh"]', '#!/bin/sh\n./app\n', 'Dockerfile:3'],
  ['STOP208', 'CMD ["/start.sh"]', '#!/bin/sh\r\nexec ./app\r\n', 'start.sh:1'],
  ['STOP208', 'CMD ["/start.sh"]', 'exec ./app\n', 'start.sh:1'],
];
for (const [id, cmd, script, where] of fires) {
  test(`${id} fires at ${where}: ${JSON.stringify(script).slice(0, 50)}`, () => {
    const { rules } = run(DF(cmd), { 'start.sh': script });
    assert.ok(rules.includes(`${id}@${where}`), rules.join(', '));
  });
}

const silent: Array<[string, string, string]> = [
  ['STOP201', 'CMD ["/start.sh"]', '#!/bin/sh\nset -e\nexec ./app\n'],
  ['STOP201', 'ENTRYPOINT ["/start.sh"]\nCMD ["./app"]', '#!/bin/sh\nset -e\nchown -R app /data\nexec gosu app "$@"\n'],
  ['STOP202', 'CMD ["/start.sh"]', '#!/bin/sh\nexec ./app\n'],
  ['STOP203', 'CMD ["/start.sh"]', '#!/bin/sh\nexec ./app\n'],
  ['STOP204', 'CMD ["/start.sh"]', '#!/bin/sh\n./app & pid=$!\ntrap \'kill -TERM $pid\' TERM INT\nwait $pid\ntrap - TERM INT\nwait $pid\n'],
  ['STOP205', 'CMD ["/start.sh"]', '#!/bin/sh\nexec ./app\n'],
  ['STOP206', 'CMD ["/start.sh"]', '#!/bin/bash\ntrap \'rm -f /tmp/lock\' EXIT\n./prepare\nexec ./app\n'.replace("trap 'rm -f /tmp/lock' EXIT\n", '')],
  ['STOP207', 'ENTRYPOINT ["tini", "--", "/start.sh"]', '#!/bin/sh\nexec ./app\n'],
  ['STOP208', 'CMD ["/start.sh"]', '#!/bin/sh\nexec ./app\n'],
];
for (const [id, cmd, script] of silent) {
  test(`${id} silent: ${JSON.stringify(script).slice(0, 60)}`, () => {
    const { rules } = run(DF(cmd), { 'start.sh': script });
    assert.ok(!rules.some((r) => r.startsWith(id + '@')), rules.join(', '));
  });
}

test('a script nobody runs gets nothing', () => {
  const { findings } = run('FROM debian\nCOPY start.sh /start.sh\nCMD ["./app"]\n', { 'start.sh': '#!/bin/sh\n./app\n' });
  assert.deepEqual(findings.filter((f) => f.file.endsWith('start.sh')), []);
});

test('COPY mapping: directories, COPY . ., WORKDIR-relative, globs, --chown, --from stages', () => {
  const script = '#!/bin/sh\n./app\n';
  const cases: Array<[string, Record<string, string>]> = [
    ['FROM debian\nWORKDIR /app\nCOPY . .\nCMD ["./bin/start.sh"]', { 'bin/start.sh': script }],
    ['FROM debian\nCOPY scripts/ /opt/\nCMD ["/opt/start.sh"]', { 'scripts/start.sh': script }],
    ['FROM debian\nWORKDIR /srv\nCOPY --chown=app:app --chmod=755 start.sh ./\nCMD ["./start.sh"]', { 'start.sh': script }],
    ['FROM debian\nCOPY *.sh /usr/local/bin/\nENTRYPOINT ["start.sh"]', { 'start.sh': script }],
    ['FROM debian AS build\nCOPY start.sh /out/run.sh\nFROM debian\nCOPY --from=build /out/run.sh /run.sh\nCMD ["/run.sh"]', { 'start.sh': script }],
    ['FROM debian\nCOPY ["start.sh", "/entry.sh"]\nCMD ["sh", "-c", "/entry.sh"]', { 'start.sh': script }],
  ];
  for (const [df, files] of cases) {
    const r = analyzeDockerfile('/ws/Dockerfile', df, { files: memFiles('/ws', files) });
    const c = r.chains[r.chains.length - 1];
    assert.ok(c.scripts.length === 1, `${df}: no script followed (${c.assumptions.join('; ')})`);
    assert.equal(c.scripts[0].source.file.startsWith('/ws/'), true);
    assert.ok(r.findings.some((f) => f.rule === 'STOP201'), df);
  }
});

test('heredoc script inside the Dockerfile: findings land on the Dockerfile lines', () => {
  const df = 'FROM alpine\nCOPY <<EOF /run.sh\n#!/bin/sh\n./app\nEOF\nCMD ["/run.sh"]\n';
  const r = analyzeDockerfile('/ws/Dockerfile', df, { files: memFiles('/ws', {}) });
  const f = r.findings.find((x) => x.rule === 'STOP201');
  assert.ok(f);
  assert.equal(f.file, '/ws/Dockerfile');
  assert.equal(f.range.start.line, 3);
});

test('never reads outside the build context', () => {
  let reads = 0;
  const fa = memFiles('/ws', { 'start.sh': '#!/bin/sh\n./app\n' });
  const spy = { ...fa, read: (f: string) => { reads++; assert.ok(f.startsWith('/ws/'), `read ${f}`); return fa.read(f); } };
  const r = analyzeDockerfile('/ws/Dockerfile', 'FROM debian\nCOPY ../outside.sh /start.sh\nCMD ["/start.sh"]', { files: spy });
  assert.ok(r.findings.some((f) => f.rule === 'STOP111'));
  assert.equal(reads, 0);
});

test('suppression in the script file applies to the script finding', () => {
  const { rules } = run(DF('CMD ["/start.sh"]'), { 'start.sh': '#!/bin/sh\n# stopcheck ignore=STOP201\n./app\n' });
  assert.deepEqual(rules.filter((r) => r.includes('start.sh')), []);
});

test('cleanup after the final wait is not the app: graceful, no STOP201', () => {
  const { chain, rules } = run(DF('CMD ["/start.sh"]'), { 'start.sh': '#!/bin/sh\n./app & pid=$!\ntrap \'kill -TERM $pid\' TERM INT\nwait $pid\ntrap - TERM INT\nwait $pid\nrm -f /tmp/lock\n' });
  assert.equal(chain.outcome.verdict, 'graceful');
  assert.ok(!rules.some((r) => r.startsWith('STOP201')), rules.join(', '));
});

test('a trap in front of a foreground tail -f never runs (POSIX defers traps): killed', () => {
  const { chain } = run(DF('CMD ["/start.sh"]'), { 'start.sh': '#!/bin/sh\n./app & pid=$!\ntrap \'kill $pid; wait $pid\' TERM\ntail -f /dev/null\n' });
  assert.equal(chain.outcome.verdict, 'killed');
  const loop = run(DF('CMD ["/start.sh"]'), { 'start.sh': '#!/bin/sh\n./app & pid=$!\ntrap \'kill $pid; wait $pid; exit 0\' TERM\nwhile true; do sleep 1; done\n' });
  assert.notEqual(loop.chain.outcome.verdict, 'killed');
});

test('a script whose last line backgrounds the app exits at once: the container stops', () => {
  const { chain } = run(DF('CMD ["/start.sh"]'), { 'start.sh': '#!/bin/sh\n./app &\n' });
  assert.equal(chain.outcome.verdict, 'fails-to-start');
});

test('a script without #! run through a shell string is read by the shell: no STOP208', () => {
  const { rules, chain } = run(DF('CMD /start.sh', 'alpine'), { 'start.sh': 'exec ./app\n' });
  assert.ok(!rules.some((r) => r.startsWith('STOP208')), rules.join(', '));
  assert.equal(chain.outcome.verdict, 'graceful');
});

test('a start failure under tini reaches the chain', () => {
  const { chain, rules } = run(DF('ENTRYPOINT ["tini", "--", "/start.sh"]'), { 'start.sh': '#!/bin/sh\r\n./app\r\n' });
  assert.equal(chain.outcome.verdict, 'fails-to-start');
  assert.ok(!rules.some((r) => r.startsWith('STOP201') || r.startsWith('STOP207')), rules.join(', '));
});

test('STOP204: a trap for the stop signal that does not forward it is named as such', () => {
  const { findings } = run(DF('CMD ["/start.sh"]'), { 'start.sh': '#!/bin/sh\n./app &\ntrap \'exit 0\' TERM\nwait\n' });
  const f = findings.find((x) => x.rule === 'STOP204' && x.file.endsWith('start.sh'));
  assert.ok(f);
  assert.match(f.message, /does not signal the app/);
});

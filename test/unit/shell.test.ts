// The measured exec table (docs/measurements.md): for each construct and /bin/sh family, does
// `sh -c STRING` replace itself with the final command?
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import './helpers';
import { commandStringFacts, decideExec } from '../../server/src/core/shell';
import { chain } from './helpers';

// construct → [dash, busybox, bash]; 'u' = stopcheck reports unknown (busybox inside compound commands)
const table: Array<[string, string, string, string]> = [
  ['./app', 'n', 'y', 'y'],
  ['true && ./app', 'n', 'y', 'y'],
  ['cd /tmp && ./app', 'n', 'y', 'y'],
  ['true; ./app', 'n', 'y', 'y'],
  ['false || ./app', 'n', 'y', 'y'],
  ['./app 2>&1', 'n', 'y', 'n'],
  ['./app >/dev/stderr', 'n', 'y', 'n'],
  ['true && ./app 2>&1', 'n', 'y', 'n'],
  ['./app | cat', 'n', 'n', 'n'],
  ['exec ./app', 'y', 'y', 'y'],
  ['FOO=1 ./app', 'n', 'y', 'y'],
  ['FOO=1 exec ./app', 'y', 'y', 'y'],
  ['if true; then ./app; fi', 'n', 'u', 'n'],
  ['{ ./app; }', 'n', 'u', 'n'],
  ['(./app)', 'n', 'u', 'n'],
  ['./app & wait', 'n', 'n', 'n'],
  ["trap 'echo x' TERM; ./app", 'n', 'n', 'n'],
  ["trap 'echo x' EXIT; ./app", 'n', 'n', 'n'],
  ['set -e; ./app', 'n', 'y', 'y'],
  ['export A=1; ./app', 'n', 'y', 'y'],
  ['x=$(echo 1); ./app', 'n', 'y', 'y'],
  ['./app; true', 'n', 'n', 'n'],
  ['true\n./app', 'n', 'y', 'y'],
  ['! ./app', 'n', 'n', 'n'],
  ['eval ./app', 'n', 'n', 'n'],
  ['. /dev/null; ./app', 'n', 'y', 'y'],
  ['./app\n', 'n', 'n', 'y'],
  ['./app;', 'n', 'y', 'y'],
];

const FAM = ['dash', 'busybox', 'bash'] as const;
for (const [cmd, ...want] of table) {
  test(`exec table: ${JSON.stringify(cmd)} → dash ${want[0]}, busybox ${want[1]}, bash ${want[2]}`, () => {
    const facts = commandStringFacts(cmd);
    FAM.forEach((fam, i) => {
      const v = decideExec(facts, fam).verdict;
      const expect = want[i] === 'y' ? 'exec' : want[i] === 'n' ? 'stays' : 'unknown';
      // `./app; true` ends in `true`: the shell may exec `true`, but never the app.
      if (cmd === './app; true') {
        assert.notEqual(facts.final?.words[0]?.value, './app', fam);
        return;
      }
      assert.equal(v, expect, `${fam}: ${decideExec(facts, fam).why}`);
    });
  });
}

test('wrappers measured as PID 1: sudo and timeout relay; setpriv, env, nice, stdbuf, chroot, command exec', () => {
  for (const w of ['["sudo", "-u", "app", "./app"]', '["timeout", "100", "./app"]']) {
    const c = chain(`FROM debian\nCMD ${w}`);
    assert.equal(c.outcome.verdict, 'graceful', w);
  }
  for (const w of ['["setpriv", "--reuid=app", "./app"]', '["env", "FOO=1", "./app"]', '["nice", "-n", "5", "./app"]', '["stdbuf", "-oL", "./app"]', '["chroot", "/", "./app"]']) {
    const c = chain(`FROM debian\nCMD ${w}`);
    assert.deepEqual(c.processes.map((p) => p.label), ['./app'], w);
  }
});

test('busybox su (Alpine) execs the login shell: no 2 s kill', () => {
  const c = chain('FROM alpine\nCMD ["su", "app", "-c", "./app"]');
  assert.equal(c.outcome.verdict, 'graceful');
  assert.deepEqual(c.processes.map((p) => p.label), ['./app']);
  const d = chain('FROM debian\nCMD ["su", "app", "-c", "./app"]');
  assert.equal(d.outcome.verdict, 'cut-short');
});

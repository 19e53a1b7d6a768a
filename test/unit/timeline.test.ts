// The "Simulate stop" webview's HTML (client/src/timeline.ts) and the live-run guard
// (client/src/liveGuard.ts): neither needs VS Code, so they are checked here as plain functions.
import './helpers';
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import { timelineHtml, type Simulation } from '../../client/src/timeline';
import { liveGuard } from '../../client/src/liveGuard';

function sim(over: Partial<Simulation> = {}): Simulation {
  return {
    target: 'Dockerfile [stage 0]', platform: 'docker', stopSignal: 'SIGTERM', gracePeriodSeconds: 10, killAtSeconds: 10,
    processes: [
      { pid: 1, command: '/bin/sh -c cd /srv && python main.py', role: 'shell' },
      { pid: 2, command: 'python main.py', role: 'app' },
    ],
    events: [
      { atSeconds: 0, process: 1, what: 'SIGTERM sent to PID 1 (/bin/sh -c (dash))' },
      { atSeconds: 0, process: 1, what: '/bin/sh -c (dash) is PID 1 and has no handler for SIGTERM, so the signal is ignored' },
      { atSeconds: 0, process: 1, what: 'python main.py never receives it' },
      { atSeconds: 10, process: 2, what: 'grace period (10 s) ends: SIGKILL; python main.py is killed without ever receiving SIGTERM' },
    ],
    appReceivesSignal: false, verdict: 'killed', summary: 'SIGTERM stops at /bin/sh', assumptions: [], timeline: [], fixEdit: null,
    ...over,
  };
}

const LIVE = { available: true, reason: '' };
const circles = (html: string) => [...html.matchAll(/<circle class="[^"]+" cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) }));
const predicted = (html: string) => html.slice(html.indexOf('aria-label="timeline"'), html.indexOf('</svg>', html.indexOf('aria-label="timeline"')));

test('timeline: each event is numbered once (by the list), and the picture numbers match', () => {
  const html = timelineHtml([sim()], 'vscode-resource:', LIVE);
  const list = html.slice(html.indexOf('<ol class="events">'), html.indexOf('</ol>'));
  assert.equal((list.match(/<li>/g) ?? []).length, 4);
  assert.doesNotMatch(list, /<li><span class="t">\d+\. /, 'no hand-written number inside an <ol> item');
  const nums = [...predicted(html).matchAll(/<text class="evn"[^>]*>(\d+)<\/text>/g)].map((m) => Number(m[1]));
  assert.deepEqual(nums, [1, 2, 3, 4]);
});

test('timeline: markers at the same time on the same lane do not overlap', () => {
  const cs = circles(predicted(timelineHtml([sim()], 'vscode-resource:', LIVE)));
  assert.equal(cs.length, 4);
  for (let i = 0; i < cs.length; i++) {
    for (let j = i + 1; j < cs.length; j++) {
      const d = Math.hypot(cs[i].x - cs[j].x, cs[i].y - cs[j].y);
      assert.ok(d >= 12, `markers ${i + 1} and ${j + 1} overlap (${d.toFixed(1)} px apart)`);
    }
  }
  // Six at once still do not overlap (stacked, then shifted right with a tick to the true time).
  const many = sim({ events: Array.from({ length: 6 }, (_, k) => ({ atSeconds: 0, process: 1, what: `event ${k}` })) });
  const cm = circles(predicted(timelineHtml([many], 'x', LIVE)));
  const pairs = cm.flatMap((a, i) => cm.slice(i + 1).map((b) => Math.hypot(a.x - b.x, a.y - b.y)));
  assert.ok(Math.min(...pairs) >= 12);
  assert.match(timelineHtml([many], 'x', LIVE), /class="tick"/);
});

test('timeline: the platform\'s SIGKILL is drawn on the PID 1 lane at killAt, and labelled there', () => {
  const html = predicted(timelineHtml([sim()], 'x', LIVE));
  const cs = circles(html);
  const pid1Y = cs[0].y; // the first event is on PID 1's lane
  const kill = cs[3];
  assert.equal(kill.y, pid1Y, 'SIGKILL on the PID 1 lane, not on the app\'s');
  assert.ok(kill.x > cs[0].x, 'at killAt, to the right of t=0');
  const label = /<text class="killtext" x="[\d.]+"(?: text-anchor="end")? y="([\d.]+)">SIGKILL 10 s<\/text>/.exec(html);
  assert.ok(label && Number(label[1]) < pid1Y, 'the SIGKILL label sits by the PID 1 lane');
  // A wrapper's own SIGKILL (su, runuser) stays on the wrapper's lane.
  const su = sim({
    killAtSeconds: 10,
    processes: [{ pid: 1, command: 'tini --', role: 'init' }, { pid: 2, command: 'su app -c ./app', role: 'wrapper' }, { pid: 3, command: './app', role: 'app' }],
    events: [{ atSeconds: 0, process: 1, what: 'SIGTERM sent to PID 1 (tini)' }, { atSeconds: 2, process: 2, what: 'su app -c SIGKILLs what is left 2 s after forwarding, and exits' }],
  });
  const sc = circles(predicted(timelineHtml([su], 'x', LIVE)));
  assert.ok(sc[1].y > sc[0].y, 'su\'s SIGKILL on su\'s lane');
  // No process (fails to start): markers still on a lane inside the picture.
  const none = sim({ processes: [], events: [{ atSeconds: 0, process: 1, what: 'exec /start.sh: no such file' }], verdict: 'fails-to-start' });
  assert.ok(circles(predicted(timelineHtml([none], 'x', LIVE)))[0].y > 0);
});

test('timeline: strict CSP with a nonce, theme variables, escaped text', () => {
  const html = timelineHtml([sim({ target: '<img src=x onerror=alert(1)>' })], 'vscode-resource:', LIVE);
  const nonce = /script-src 'nonce-([^']+)'/.exec(html)?.[1];
  assert.ok(nonce);
  assert.match(html, /default-src 'none'/);
  assert.equal((html.match(/<script/g) ?? []).length, (html.match(new RegExp(`<script nonce="${nonce.replace(/[+/=]/g, '\\$&')}"`, 'g')) ?? []).length);
  assert.doesNotMatch(html, /<img src=x/);
  assert.match(html, /var\(--vscode-foreground\)/);
});

test('timeline: the live result — agreement, a highlighted disagreement, a cancelled run', () => {
  const observed = {
    verdict: 'killed', exitCode: 137, isolation: 'bwrap', agreesWithStatic: true, note: 'Observed killed.',
    processes: [{ pid: 1, ppid: 0, command: '/bin/sh /start.sh', sigCgt: '0', sigIgn: '0', sigBlk: '0', wchan: 'do_wait' }, { pid: 2, ppid: 1, command: '/bin/bash /app.sh', sigCgt: '4000', sigIgn: '0', sigBlk: '0', wchan: 'do_wait' }],
    events: [
      { atSeconds: -1.5, what: 'started: /start.sh' }, { atSeconds: -1.4, what: 'output: app started' },
      { atSeconds: 0, what: 'process tree: 1:/bin/sh /start.sh, 2:/bin/bash /app.sh' },
      { atSeconds: 0, what: 'SIGTERM sent to PID 1 (/bin/sh /start.sh)' },
      { atSeconds: 2, what: 'grace period ends (10 s, run as 2.0 s): SIGKILL' }, { atSeconds: 2.01, what: '/bin/bash /app.sh (pid 2) exited' },
    ],
  };
  const agree = timelineHtml([sim({ observed })], 'x', LIVE);
  assert.match(agree, /Observed \(live run\)/);
  assert.match(agree, /class="agrees"/);
  assert.match(agree, /exit code 137/);
  assert.match(agree, /aria-label="observed timeline"/);
  assert.doesNotMatch(agree, /class="differs"/);
  const differ = timelineHtml([sim({ verdict: 'graceful', observed: { ...observed, agreesWithStatic: false } })], 'x', LIVE);
  assert.match(differ, /class="observed disagree"/);
  assert.match(differ, /class="differs" role="alert"><strong>Differs from the prediction/);
  const aborted = timelineHtml([sim({ observed: { ...observed, verdict: 'unknown', aborted: true } })], 'x', LIVE);
  assert.match(aborted, /cancelled: everything it started was killed/);
  assert.doesNotMatch(aborted, /class="differs"/);
});

test('timeline: the live button only when available; otherwise the reason', () => {
  assert.match(timelineHtml([sim()], 'x', LIVE), /<button class="live secondary"/);
  const off = timelineHtml([sim()], 'x', { available: false, reason: 'disabled in Restricted Mode' });
  assert.doesNotMatch(off, /<button class="live/);
  assert.match(off, /Live run: disabled in Restricted Mode/);
});

test('liveGuard: refused in Restricted Mode and off Linux, one run at a time', () => {
  const untrusted = liveGuard({ trusted: false, platform: 'linux' });
  assert.equal(untrusted.available, false);
  assert.match(untrusted.reason ?? '', /Restricted Mode/);
  assert.match(liveGuard({ trusted: true, platform: 'darwin' }).reason ?? '', /need Linux/);
  assert.match(liveGuard({ trusted: true, platform: 'linux', running: true }).reason ?? '', /in progress/);
  assert.deepEqual(liveGuard({ trusted: true, platform: 'linux' }), { available: true });
});

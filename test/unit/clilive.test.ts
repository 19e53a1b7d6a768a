// `stopcheck simulate --live` through the bundled dist/cli.js: observed next to predicted in JSON and
// text, a reason per target when nothing can run, usage errors, and Ctrl+C killing everything. Every
// sandboxed process carries the run's id in its environment (the Dockerfile's ENV), so leftovers are
// counted by it.
import './helpers';
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { spawn, spawnSync } from 'child_process';
import { randomUUID } from 'crypto';
import { pidsMentioning } from '../../server/src/core/simulate/liveProc';
import { have, leftoverRuns, liveSkipReason } from './liveDeps';

const ROOT = path.resolve(__dirname, '../../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
const FIX = path.join(ROOT, 'test', 'fixtures', 'live');

let skipReason: string | false = false;
const dirs: string[] = [];

before(async () => {
  skipReason = await liveSkipReason();
});

const runIds: string[] = [];

after(async () => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  // Whatever a test above did not wait for: nothing of any run may be left, seconds later either.
  assert.deepEqual(await leftoverRuns(runIds), [], 'processes of a live run were still there after the suite');
});

/** A build context with the live fixtures and a Dockerfile whose ENV marks every process of the run. */
function context(dockerfileTail: string, extra: Record<string, string> = {}): { dir: string; runId: string } {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'stopcheck-clilive-')));
  dirs.push(dir);
  for (const f of ['app.sh', 'start-exec.sh', 'start-noexec.sh']) {
    fs.copyFileSync(path.join(FIX, f), path.join(dir, f));
    fs.chmodSync(path.join(dir, f), 0o755);
  }
  const runId = `stopcheck-clilive-${randomUUID()}`;
  runIds.push(runId);
  fs.writeFileSync(path.join(dir, 'Dockerfile'), `FROM debian:12\nENV STOPCHECK_LIVE_TEST=${runId}\nCOPY app.sh /app.sh\n${dockerfileTail}\n`);
  for (const [name, text] of Object.entries(extra)) fs.writeFileSync(path.join(dir, name), text);
  return { dir, runId };
}

function leftovers(runId: string): number[] {
  return pidsMentioning(runId);
}

function cli(argv: string[], cwd: string) {
  const r = spawnSync(process.execPath, [CLI, ...argv], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 60_000 });
  if (r.error) throw r.error;
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

interface Observed { verdict: string; events: Array<{ atSeconds: number; what: string }>; exitCode: number | null; isolation: string; agreesWithStatic: boolean; note: string }
interface Sim { target: string; verdict: string; observed?: Observed | null; liveError?: string; liveCommand?: string }

function parse(out: string, err: string): Sim[] {
  try {
    return JSON.parse(out) as Sim[];
  } catch {
    return assert.fail(`stdout is not JSON:\n${out}\nstderr:\n${err}`);
  }
}

test('simulate --live --format json: observed next to predicted for a script without exec (killed) and no process left', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const { dir, runId } = context('COPY start-noexec.sh /start.sh\nCMD ["/start.sh"]');
  const t0 = Date.now();
  const r = cli(['simulate', 'Dockerfile', '--live', '--format', 'json', '--settle', '1'], dir);
  t.diagnostic(`${Date.now() - t0} ms`);
  assert.equal(r.code, 0, r.err);
  const [sim] = parse(r.out, r.err);
  assert.equal(sim.verdict, 'killed');
  assert.ok(sim.observed, `observed: ${r.out}`);
  assert.equal(sim.observed.verdict, 'killed', sim.observed.note);
  assert.equal(sim.observed.exitCode, 137, 'PID 1 was SIGKILLed');
  assert.equal(sim.observed.agreesWithStatic, true);
  assert.match(sim.observed.isolation, /^(bwrap|unshare)$/);
  assert.ok(sim.observed.events.some((e) => /SIGTERM sent to PID 1/.test(e.what) && e.atSeconds === 0));
  assert.ok(sim.observed.events.some((e) => /SIGKILL/.test(e.what) && e.atSeconds >= 2), 'SIGKILL at the scaled grace period');
  assert.equal(sim.liveCommand, '/start.sh');
  assert.match(r.err, /running Dockerfile \[stage 0\] live \((bwrap|unshare)\): \/start\.sh/);
  assert.deepEqual(leftovers(runId), []);
});

test('simulate --live, text: tini in front of a script (cut short), and the output says whether it agrees', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const { dir, runId } = context('COPY start-noexec.sh /start.sh\nENTRYPOINT ["tini", "--", "/start.sh"]');
  const r = cli(['simulate', 'Dockerfile', '--live', '--settle', '1'], dir);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /verdict: cut-short/);
  assert.match(r.out, /live: (bwrap|unshare), PID 1 of a fresh PID namespace/);
  assert.match(r.out, /observed: cut-short — agrees with the prediction \(cut-short\)/);
  assert.match(r.out, /exit code: 143/);
  assert.deepEqual(leftovers(runId), []);
});

test('simulate --live: a disagreement is highlighted (a program with no SIGTERM handler as PID 1)', async (t) => {
  if (skipReason) return t.skip(skipReason);
  if (!have('busybox')) return t.skip('busybox is not installed');
  // busybox sleep has no handler: as PID 1 it ignores SIGTERM. The static model assumes an unknown
  // program handles the signal (and lists that assumption), so the two differ until it knows better.
  const { dir, runId } = context('CMD ["busybox", "sleep", "30"]');
  const r = cli(['simulate', 'Dockerfile', '--live', '--format', 'json', '--settle', '0.5'], dir);
  assert.equal(r.code, 0, r.err);
  const [sim] = parse(r.out, r.err);
  assert.ok(sim.observed, r.out + r.err);
  assert.equal(sim.observed.verdict, 'killed', sim.observed.note);
  assert.equal(sim.observed.agreesWithStatic, sim.verdict === 'killed');
  const text = cli(['simulate', 'Dockerfile', '--live', '--settle', '0.5'], dir);
  if (sim.verdict === 'killed') assert.match(text.out, /observed: killed — agrees with the prediction/);
  else {
    assert.match(text.out, new RegExp(`observed: killed — DIFFERS from the prediction \\(${sim.verdict}\\)`));
    assert.match(sim.observed.note, /\(differs\)/);
  }
  assert.deepEqual(leftovers(runId), []);
});

test('simulate --live: a plan that cannot run says why per target and keeps the static result (exit 0)', (t) => {
  if (process.platform !== 'linux') return t.skip('live runs need Linux');
  const { dir } = context('CMD ["stopcheck-no-such-program", "--serve"]');
  const r = cli(['simulate', 'Dockerfile', '--live', '--format', 'json'], dir);
  assert.equal(r.code, 0, r.err);
  const [sim] = parse(r.out, r.err);
  assert.equal(sim.observed, null);
  assert.match(sim.liveError ?? '', /stopcheck-no-such-program .*substitutes nothing/);
  assert.ok(sim.verdict, 'the static verdict is there');
  const text = cli(['simulate', 'Dockerfile', '--live'], dir);
  assert.equal(text.code, 0);
  assert.match(text.out, /verdict: /);
  assert.match(text.out, /live: not run: stopcheck-no-such-program/);
});

test('simulate --live on a Compose file: each service runs (or says why), --service picks one', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const { dir, runId } = context('COPY start-exec.sh /start.sh\nCMD ["/start.sh"]', {
    'compose.yaml': 'services:\n  web:\n    build: .\n  gone:\n    image: debian:12\n    command: ["stopcheck-no-such-program"]\n',
  });
  const r = cli(['simulate', 'compose.yaml', '--live', '--format', 'json', '--settle', '1'], dir);
  assert.equal(r.code, 0, r.err);
  const sims = parse(r.out, r.err);
  assert.deepEqual(sims.map((s) => s.target), ['compose.yaml [service web]', 'compose.yaml [service gone]']);
  assert.equal(sims[0].observed?.verdict, 'graceful', sims[0].observed?.note ?? sims[0].liveError);
  assert.equal(sims[1].observed, null);
  assert.match(sims[1].liveError ?? '', /stopcheck-no-such-program/);
  const one = parse(cli(['simulate', 'compose.yaml', '--service', 'gone', '--live', '--format', 'json'], dir).out, '');
  assert.equal(one.length, 1);
  assert.deepEqual(leftovers(runId), []);
});

test('simulate: --time-scale and --settle are checked, and need --live (exit 2)', () => {
  const { dir } = context('CMD ["/app.sh"]');
  for (const [argv, re] of [
    [['--time-scale', '0.5'], /go with --live/],
    [['--live', '--time-scale', '0'], /--time-scale/],
    [['--live', '--time-scale', '2'], /--time-scale/],
    [['--live', '--settle', 'soon'], /--settle/],
  ] as Array<[string[], RegExp]>) {
    const r = cli(['simulate', 'Dockerfile', ...argv], dir);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
    assert.match(r.err, re);
  }
});

test('simulate --live: Ctrl+C (SIGINT) stops the run at once, kills every process of it, exit 130', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const { dir, runId } = context('COPY start-noexec.sh /start.sh\nCMD ["/start.sh"]');
  // A 60 s grace period run at full time: without the interrupt this would take a minute.
  const child = spawn(process.execPath, [CLI, 'simulate', 'Dockerfile', '--live', '--grace', '60', '--time-scale', '1', '--settle', '1'], {
    cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' },
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
  child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + 20_000;
  let running = 0;
  while (Date.now() < deadline && (running = leftovers(runId).length) < 2) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 1500)); // past the settle time: the stop signal has gone out, SIGKILL is far away
  running = Math.max(running, leftovers(runId).length);
  assert.ok(running >= 2, `the run was going (start.sh and app.sh): ${running}; stderr: ${err}`);
  const t0 = Date.now();
  child.kill('SIGINT');
  const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 10_000))]);
  if (code === 'timeout') child.kill('SIGKILL');
  const ms = Date.now() - t0;
  t.diagnostic(`exited ${ms} ms after SIGINT with ${code}`);
  assert.equal(code, 130, `exit code; stderr: ${err}`);
  assert.ok(ms < 5000, `stopped within 5 s (${ms} ms)`);
  assert.match(err, /SIGINT: stopping the live run/);
  assert.match(out, /aborted/);
  assert.deepEqual(leftovers(runId), [], 'a process of the run is still there');
});

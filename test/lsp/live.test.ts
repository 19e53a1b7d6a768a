// Live stop simulation over a real JSON-RPC connection to dist/server.js: stopcheck/livePlan names
// what would run, stopcheck/liveRun runs it only as confirmed (plan digest), and every way a run can
// end early — the client cancels, shutdown, the connection closes, the server is killed — leaves no
// process behind. Processes of a run are counted by the id the Dockerfile's ENV gives each of them.
import { test, before, after } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { startClient, tempDir, writeTree, uriOf, cleanup, sleep, withTimeout, type LspClient } from './client';
import { pidsMentioning, readCmdline } from '../../server/src/core/simulate/liveProc';
import { leftoverRuns, liveSkipReason } from '../unit/liveDeps';

const FIX = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'live');

let skipReason: string | false = false;

before(async () => {
  skipReason = await liveSkipReason();
});
const runIds: string[] = [];

after(async () => {
  cleanup();
  // Whatever a test above did not wait for: nothing of any run may be left, seconds later either.
  assert.deepEqual(await leftoverRuns(runIds), [], 'processes of a live run were still there after the suite');
});

interface PlanRes { target?: string; staticVerdict?: string; error?: string; isolation?: string; plan?: { argv: string[]; command: string; binds: Array<{ from: string; to: string }>; digest: string; notes: string[] } }
interface RunRes { error?: string; observed?: { verdict: string; exitCode: number | null; aborted?: boolean; agreesWithStatic: boolean; events: Array<{ atSeconds: number; what: string }> }; log?: string[] }

/** A workspace with a Dockerfile whose start script lacks exec (killed), every process marked by `runId`. */
function workspace(extra: Record<string, string> = {}): { dir: string; runId: string; uri: string } {
  const dir = tempDir();
  const runId = `stopcheck-lsplive-${randomUUID()}`;
  runIds.push(runId);
  writeTree(dir, {
    Dockerfile: `FROM debian:12\nENV STOPCHECK_LIVE_TEST=${runId}\nCOPY app.sh /app.sh\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n`,
    'app.sh': fs.readFileSync(path.join(FIX, 'app.sh'), 'utf8'),
    'start.sh': fs.readFileSync(path.join(FIX, 'start-noexec.sh'), 'utf8'),
    ...extra,
  });
  fs.chmodSync(path.join(dir, 'app.sh'), 0o755);
  fs.chmodSync(path.join(dir, 'start.sh'), 0o755);
  return { dir, runId, uri: uriOf(path.join(dir, 'Dockerfile')) };
}

/**
 * Processes of the run's sandboxed command (the marker in their environment). bubblewrap's own two
 * processes carry it in their command line (`--setenv …`) while they set the sandbox up: counting them
 * would let a test kill the server before the sandbox's PID 1 exists, inside bubblewrap's own start-up
 * window, where its --die-with-parent cannot be armed yet.
 */
function sandboxed(runId: string): number[] {
  return pidsMentioning(runId).filter((p) => !readCmdline(p).join(' ').includes(runId));
}

async function started(runId: string, atLeast = 2, ms = 15_000): Promise<number> {
  const deadline = Date.now() + ms;
  let n = 0;
  while (Date.now() < deadline && (n = sandboxed(runId).length) < atLeast) await sleep(50);
  return n;
}

async function gone(runId: string, ms = 5000): Promise<number[]> {
  const deadline = Date.now() + ms;
  let left = pidsMentioning(runId);
  while (left.length && Date.now() < deadline) {
    await sleep(50);
    left = pidsMentioning(runId);
  }
  return left;
}

async function plan(c: LspClient, uri: string, index = 0): Promise<PlanRes> {
  return c.request<PlanRes>('stopcheck/livePlan', { uri, index });
}

test('livePlan names the command and the files; liveRun runs it as PID 1 and reports observed vs predicted', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const { dir, runId, uri } = workspace();
  const c = await startClient({ folders: [dir] });
  const p = await plan(c, uri);
  assert.equal(p.error, undefined);
  assert.equal(p.staticVerdict, 'killed');
  assert.deepEqual(p.plan?.argv, ['/start.sh']);
  assert.equal(p.plan?.command, '/start.sh');
  assert.ok(p.plan?.binds.some((b) => b.from === path.join(dir, 'start.sh') && b.to === '/start.sh'), JSON.stringify(p.plan?.binds));
  assert.match(p.plan?.digest ?? '', /^[0-9a-f]{32}$/);
  assert.match(p.isolation ?? '', /^(bwrap|unshare)$/);
  assert.deepEqual(pidsMentioning(runId), [], 'planning runs nothing');

  const r = await withTimeout(c.conn.sendRequest<RunRes>('stopcheck/liveRun', { uri, index: 0, digest: p.plan!.digest, settleMs: 800 }), 'liveRun', 20_000);
  assert.equal(r.error, undefined, r.error);
  assert.equal(r.observed?.verdict, 'killed', JSON.stringify(r.observed));
  assert.equal(r.observed?.exitCode, 137);
  assert.equal(r.observed?.agreesWithStatic, true);
  assert.ok(r.log?.some((l) => /observed: killed — agrees with the prediction/.test(l)), r.log?.join('\n'));
  assert.deepEqual(pidsMentioning(runId), []);
  c.kill();
});

test('liveRun refuses a plan that changed since it was confirmed, and bad targets', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const { dir, runId, uri } = workspace();
  const c = await startClient({ folders: [dir] });
  const p = await plan(c, uri);
  fs.appendFileSync(path.join(dir, 'start.sh'), 'echo changed\n');
  const r = await c.request<RunRes>('stopcheck/liveRun', { uri, index: 0, digest: p.plan!.digest });
  assert.match(r.error ?? '', /changed since it was confirmed/);
  assert.equal(r.observed, undefined);
  const none = await c.request<RunRes>('stopcheck/liveRun', { uri, index: 5, digest: 'x' });
  assert.match(none.error ?? '', /no container command #5/);
  const missing = await c.request<PlanRes>('stopcheck/livePlan', { uri: uriOf(path.join(dir, 'nope', 'Dockerfile')), index: 0 });
  assert.ok(missing.error);
  assert.deepEqual(pidsMentioning(runId), []);
  c.kill();
});

test('livePlan says why a target cannot run (a program not on this machine)', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const { dir } = workspace({ 'other/Dockerfile': 'FROM debian:12\nCMD ["stopcheck-no-such-program"]\n' });
  const c = await startClient({ folders: [dir] });
  const p = await plan(c, uriOf(path.join(dir, 'other', 'Dockerfile')));
  assert.match(p.error ?? '', /stopcheck-no-such-program .*substitutes nothing/);
  assert.equal(p.staticVerdict !== undefined, true, 'the static verdict is still given');
  c.kill();
});

/** Starts a run with a 60 s grace period at full time, and waits until its processes are up. */
async function longRun(): Promise<{ c: LspClient; runId: string; uri: string; digest: string }> {
  const { dir, runId, uri } = workspace();
  const c = await startClient({ folders: [dir], settings: { gracePeriods: { docker: 60 } } });
  const p = await plan(c, uri);
  assert.ok(p.plan, p.error);
  return { c, runId, uri, digest: p.plan.digest };
}

test('cancelling liveRun (LSP $/cancelRequest) aborts the run at once and leaves no process', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const { c, runId, uri, digest } = await longRun();
  const t0 = Date.now();
  const seen = started(runId, 2, 1900);
  let settled: RunRes | Error;
  try {
    settled = await c.request<RunRes>('stopcheck/liveRun', { uri, index: 0, digest, timeScale: 1, settleMs: 500 }, 2000);
  } catch (e) {
    settled = e as Error;
  }
  const ms = Date.now() - t0;
  t.diagnostic(`answered ${ms} ms after the request (cancelled at 2000 ms): ${settled instanceof Error ? settled.message : JSON.stringify(settled.observed?.verdict)}`);
  assert.ok(await seen >= 2, 'the run was going when it was cancelled');
  assert.ok(ms < 6000, `answered soon after the cancel, not after the 60 s grace period (${ms} ms)`);
  if (!(settled instanceof Error)) assert.equal(settled.observed?.aborted, true, JSON.stringify(settled));
  assert.deepEqual(await gone(runId, 1000), [], 'a process of the run is still there');
  // The server is still serving.
  const again = await plan(c, uri);
  assert.ok(again.plan);
  c.kill();
});

test('shutdown during a live run aborts it before answering; exit leaves nothing', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const { c, runId, uri, digest } = await longRun();
  const run = c.conn.sendRequest<RunRes>('stopcheck/liveRun', { uri, index: 0, digest, timeScale: 1, settleMs: 500 }).catch((e: Error) => e);
  assert.ok(await started(runId) >= 2, 'the run started');
  const t0 = Date.now();
  await withTimeout(c.conn.sendRequest('shutdown'), 'shutdown', 8000);
  t.diagnostic(`shutdown answered after ${Date.now() - t0} ms`);
  assert.deepEqual(pidsMentioning(runId), [], 'everything is gone once shutdown is answered');
  const r = await withTimeout(run, 'the run\'s answer', 5000);
  if (!(r instanceof Error)) assert.equal(r.observed?.aborted, true);
  await c.conn.sendNotification('exit');
  const exit = await withTimeout(c.exited, 'server exit', 5000);
  assert.equal(exit.code, 0);
});

test('the connection closing during a live run (server exits) leaves no process', async (t) => {
  if (skipReason) return t.skip(skipReason);
  const { c, runId, uri, digest } = await longRun();
  void c.conn.sendRequest('stopcheck/liveRun', { uri, index: 0, digest, timeScale: 1, settleMs: 500 }).catch(() => undefined);
  assert.ok(await started(runId) >= 2, 'the run started');
  c.child.stdin!.end();
  await withTimeout(c.exited, 'server exit after stdin closed', 8000);
  assert.deepEqual(await gone(runId, 2000), []);
});

test('SIGTERM to the server during a live run, and SIGKILL: no process left', async (t) => {
  if (skipReason) return t.skip(skipReason);
  for (const sig of ['SIGTERM', 'SIGKILL'] as const) {
    const { c, runId, uri, digest } = await longRun();
    void c.conn.sendRequest('stopcheck/liveRun', { uri, index: 0, digest, timeScale: 1, settleMs: 500 }).catch(() => undefined);
    assert.ok(await started(runId) >= 2, `${sig}: the run started`);
    c.child.kill(sig);
    await withTimeout(c.exited, `server exit after ${sig}`, 8000);
    // SIGKILL gives the server no chance: bubblewrap's --die-with-parent (or setpriv --pdeathsig) does it.
    assert.deepEqual(await gone(runId, 3000), [], `${sig}: a process of the run is still there`);
  }
});

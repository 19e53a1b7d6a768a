// Fixes proven for real: the file before and after a quick fix, run as PID 1 of a fresh PID namespace
// with a tiny app that traps SIGTERM (SEMANTICS.md §4). Before: the app never receives the signal.
// After: it receives it, cleans up and exits within the grace period.
import './helpers';
import { test, before } from 'node:test';
import * as assert from 'node:assert/strict';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { randomUUID } from 'crypto';
import { analyzeDockerfile } from '../../server/src/core/analyze';
import { applyEdits } from '../../server/src/core/fixes';
import { LineIndex } from '../../server/src/core/text';
import { diskFiles } from '../../server/src/adapters/diskFiles';
import { planLive, runLive, type LiveResult } from '../../server/src/core/simulate/live';
import { pidsMentioning } from '../../server/src/core/simulate/liveProc';
import { liveSkipReason } from './liveDeps';

const FIX = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'live');
const MARKERS = { received: 'got TERM', finished: 'cleaned' };
let skipReason: string | false = false;

before(async () => {
  skipReason = await liveSkipReason();
});

/** A build context in a temporary folder: the fixture app plus the given files. */
function context(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stopcheck-fixlive-'));
  fs.copyFileSync(path.join(FIX, 'app.sh'), path.join(dir, 'app.sh'));
  fs.chmodSync(path.join(dir, 'app.sh'), 0o755);
  for (const [rel, text] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, rel), text);
    if (rel.endsWith('.sh')) fs.chmodSync(path.join(dir, rel), 0o755);
  }
  return dir;
}

function analyse(dir: string) {
  const file = path.join(dir, 'Dockerfile');
  return analyzeDockerfile(file, fs.readFileSync(file, 'utf8'), { files: diskFiles(dir) });
}

async function run(dir: string): Promise<LiveResult> {
  const r = analyse(dir);
  const chain = r.chains[r.chains.length - 1];
  const plan = planLive(chain, { contextDir: dir, model: r.model });
  if ('error' in plan) assert.fail(`planLive: ${plan.error}`);
  const runId = `stopcheck-fixlive-${randomUUID()}`;
  plan.env.STOPCHECK_LIVE_TEST = runId;
  const res = await runLive(plan, { staticVerdict: chain.outcome.verdict, markers: MARKERS, settleMs: 1000, timeScale: 0.2 });
  assert.deepEqual([...pidsMentioning(runId), ...pidsMentioning(dir)], [], 'a process of the run is still there');
  return res;
}

/** Apply the named fix of the first finding of `rule`, writing every edited file. */
function applyFix(dir: string, rule: string, title: RegExp): void {
  const f = analyse(dir).findings.find((x) => x.rule === rule);
  assert.ok(f, `${rule} not reported`);
  const fix = f.fixes.find((x) => title.test(x.title));
  assert.ok(fix, `no fix ${title} among ${f.fixes.map((x) => x.title).join(' | ')}`);
  const byFile = new Map<string, typeof fix.edits>();
  for (const e of fix.edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  for (const [file, edits] of byFile) {
    const text = fs.readFileSync(file, 'utf8');
    fs.writeFileSync(file, applyEdits(text, new LineIndex(text), edits));
  }
  assert.ok(!analyse(dir).findings.some((x) => x.rule === rule), `${rule} still reported after the fix`);
}

const CASES: Array<[string, Record<string, string>, string, RegExp]> = [
  ['insert exec in start.sh (STOP201)',
    { Dockerfile: 'FROM debian:12\nCOPY app.sh /app.sh\nCOPY start.sh /start.sh\nCMD ["/start.sh"]\n', 'start.sh': '#!/bin/sh\necho "start.sh: starting"\n/app.sh\n' },
    'STOP201', /exec/],
  ['exec prefix in a shell-form CMD on dash (STOP101)',
    { Dockerfile: 'FROM debian:12\nCOPY app.sh /app.sh\nCMD echo starting && /app.sh\n' },
    'STOP101', /exec/],
  ['exec inside an exec-form sh -c (STOP103)',
    { Dockerfile: 'FROM debian:12\nCOPY app.sh /app.sh\nCMD ["sh", "-c", "echo starting; /app.sh"]\n' },
    'STOP103', /exec/],
];

for (const [name, files, rule, title] of CASES) {
  test(`fix proven live: ${name}`, async (t) => {
    if (skipReason) return t.skip(skipReason);
    const dir = context(files);
    try {
      const beforeRes = await run(dir);
      assert.equal(beforeRes.verdict, 'killed', `before the fix: ${beforeRes.note}`);
      assert.ok(!beforeRes.output.includes(MARKERS.received), 'before the fix the app already received SIGTERM');
      applyFix(dir, rule, title);
      const afterRes = await run(dir);
      assert.equal(afterRes.verdict, 'graceful', `after the fix: ${afterRes.note}\n${afterRes.output}`);
      assert.ok(afterRes.output.includes(MARKERS.received) && afterRes.output.includes(MARKERS.finished), afterRes.output);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}

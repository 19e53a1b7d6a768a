// Extension-host tests in a real Restricted Mode: run by test/e2e/run.mjs in a second code-server
// with workspace trust enabled and the folder not trusted (STOPCHECK_E2E_RESTRICTED=1). Diagnostics
// keep working (the extension declares untrustedWorkspaces: limited); live simulation is refused
// without asking anything and starts no process.
'use strict';
const assert = require('assert');
const cp = require('child_process');
const vscode = require('vscode');

const { wsUri, show, waitFor, find, open, activated } = require('./helpers');

/** Processes of a live run (bubblewrap, unshare, or anything carrying a run marker). */
function liveProcesses() {
  const r = cp.spawnSync('sh', ['-c', 'grep -l STOPCHECK_LIVE_RUN /proc/[0-9]*/environ 2>/dev/null; pgrep -x bwrap; true'], { encoding: 'utf8' });
  return (r.stdout || '').split('\n').filter(Boolean);
}

if (process.env.STOPCHECK_E2E_RESTRICTED === '1') {
  describe('Restricted Mode:', function () {
    let api;
    before(async () => {
      ({ api } = await activated());
    });

    it('the workspace is not trusted, and diagnostics still appear', async () => {
      assert.strictEqual(vscode.workspace.isTrusted, false, 'this run opens the folder in Restricted Mode');
      const doc = await open('node-shell-form/Dockerfile');
      const d = await waitFor('STOP101 in Restricted Mode', () => find(doc.uri, 'STOP101'));
      assert.strictEqual(d.range.start.line, 4);
    });

    it('live simulation is refused without a prompt, and no process is started', async function () {
      const before = liveProcesses();
      const shown = [];
      const original = vscode.window.showWarningMessage;
      vscode.window.showWarningMessage = (...args) => {
        shown.push(args);
        return Promise.resolve(undefined);
      };
      try {
        const res = await vscode.commands.executeCommand('stopcheck.simulateLive', wsUri('python-and-list/Dockerfile'), 0);
        assert.ok(res && res.refused, `refused: ${show(res)}`);
        assert.match(res.refused, /Restricted Mode/);
        assert.strictEqual(res.plan, undefined, 'no plan was even asked for');
        // The only message is the refusal: no confirmation modal was shown.
        assert.ok(shown.every((a) => !(a[1] && a[1].modal)), `no modal: ${show(shown)}`);
      } finally {
        vscode.window.showWarningMessage = original;
      }
      assert.strictEqual(api.liveAvailability().available, false);
      assert.deepStrictEqual(liveProcesses(), before, 'no live-run process appeared');
    });
  });
}

// Extension-host tests: live stop simulation is refused in Restricted Mode, is hidden from the palette
// there, and never starts without a plan the user confirmed.
//
// This suite runs with workspace trust disabled (every workspace is trusted): here the refusal is
// checked through the guard the extension uses for every live run (exported as
// api.liveAvailability, with trust overridden), and the manifest's `when`/`enablement` clauses as
// data. restricted.test.js runs in a real Restricted Mode (a second code-server, trust enabled).
'use strict';
const assert = require('assert');
const vscode = require('vscode');

const { wsUri, show, activated } = require('./helpers');

describe('live simulation', function () {
  let api;
  let ext;
  before(async () => {
    ({ api, ext } = await activated());
  });

  it('is refused in Restricted Mode (the guard every live run goes through)', () => {
    assert.strictEqual(typeof api.liveAvailability, 'function', 'the API exports liveAvailability');
    const untrusted = api.liveAvailability({ trusted: false });
    assert.strictEqual(untrusted.available, false, show(untrusted));
    assert.match(untrusted.reason, /Restricted Mode/);
    const mac = api.liveAvailability({ trusted: true, platform: 'darwin' });
    assert.strictEqual(mac.available, false);
    assert.match(mac.reason, /Linux/);
    // This harness trusts its workspace: here the guard lets a run through (on Linux).
    assert.strictEqual(vscode.workspace.isTrusted, true);
    assert.strictEqual(api.liveAvailability().available, process.platform === 'linux', show(api.liveAvailability()));
  });

  it('the command is hidden from the palette and disabled unless the workspace is trusted (manifest)', async () => {
    const pkg = ext.packageJSON;
    const cmd = pkg.contributes.commands.find((c) => c.command === 'stopcheck.simulateLive');
    assert.ok(cmd, 'stopcheck.simulateLive is contributed');
    assert.match(cmd.enablement || '', /isWorkspaceTrusted/);
    const palette = (pkg.contributes.menus.commandPalette || []).find((m) => m.command === 'stopcheck.simulateLive');
    assert.ok(palette && /isWorkspaceTrusted/.test(palette.when), `palette when: ${show(palette)}`);
    assert.strictEqual(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    const all = await vscode.commands.getCommands(true);
    assert.ok(all.includes('stopcheck.simulateLive'), 'the command is registered');
  });

  it('a target that cannot run live says why, without asking or running anything', async function () {
    if (process.platform !== 'linux') this.skip();
    // distroless has no shell: a run on this machine (which has one) would not show what the image does.
    const res = await vscode.commands.executeCommand('stopcheck.simulateLive', wsUri('distroless/Dockerfile'), 0);
    assert.ok(res && res.refused, `refused: ${show(res)}`);
    assert.match(res.refused, /no \/bin\/sh/);
    assert.strictEqual(res.observed, undefined, 'nothing ran');
    assert.strictEqual(res.staticVerdict, 'fails-to-start');
  });

  it('after the confirmation, a run in the real editor reports observed vs predicted and leaves no process', async function () {
    if (process.platform !== 'linux' || !api.liveAvailability().available) this.skip();
    this.timeout(30000);
    // The modal confirmation cannot be clicked from here: answer it by standing in for
    // showWarningMessage (the test shares the extension's API object). It must be the modal
    // confirmation naming the exact command, or the test fails without running anything.
    const original = vscode.window.showWarningMessage;
    const asked = [];
    vscode.window.showWarningMessage = (message, ...rest) => {
      const opts = rest[0] && typeof rest[0] === 'object' ? rest[0] : undefined;
      if (opts && opts.modal) {
        asked.push({ message, detail: opts.detail });
        return Promise.resolve(/stopcheck will run: sleep infinity$/.test(message) ? 'Run' : undefined);
      }
      return Promise.resolve(undefined);
    };
    const sleepers = () => require('fs').readdirSync('/proc').filter((n) => /^\d+$/.test(n)).filter((n) => {
      try {
        return require('fs').readFileSync(`/proc/${n}/cmdline`, 'utf8') === 'sleep\0infinity\0';
      } catch {
        return false;
      }
    });
    const before = sleepers().length;
    let res;
    try {
      res = await vscode.commands.executeCommand('stopcheck.simulateLive', wsUri('keep-alive/Dockerfile'), 0);
    } finally {
      vscode.window.showWarningMessage = original;
    }
    assert.strictEqual(asked.length, 1, `one modal confirmation: ${show(asked)}`);
    assert.match(asked[0].detail, /Command \(PID 1, no shell added\): sleep infinity/);
    assert.match(asked[0].detail, /Isolation: /);
    assert.ok(res && res.observed, `observed: ${show(res)}`);
    assert.strictEqual(res.staticVerdict, 'killed');
    assert.strictEqual(res.observed.verdict, 'killed', res.observed.note);
    assert.strictEqual(res.observed.exitCode, 137);
    assert.ok(res.log.some((l) => /observed: killed — agrees with the prediction/.test(l)), show(res.log));
    assert.ok(sleepers().length <= before, 'the run\'s sleep is gone');
  });
});

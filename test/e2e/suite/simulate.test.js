// Extension-host tests: "Simulate stop" (the command, its webview panel) and the code lenses above
// CMD lines that run it.
'use strict';
const assert = require('assert');
const vscode = require('vscode');

const { wsUri, show, waitFor, open, activated } = require('./helpers');

const PANEL_TITLE = 'Simulate stop: Dockerfile';

/** The tabs of the stopcheck timeline webview. */
const simulateTabs = () => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
  .filter((t) => t.input instanceof vscode.TabInputWebview && /stopcheck\.timeline/.test(t.input.viewType));

async function closeSimulateTabs() {
  const tabs = simulateTabs();
  if (tabs.length) await vscode.window.tabGroups.close(tabs);
}

describe('simulate stop', function () {
  const pythonAnd = 'python-and-list/Dockerfile';
  const pythonAndFixed = 'python-and-list/Dockerfile.fixed';

  before(() => activated());
  afterEach(() => closeSimulateTabs());

  it(`stopcheck.simulate on python-and-list/Dockerfile returns "killed" with a timeline and an exec fix, in a panel "${PANEL_TITLE}"`, async () => {
    await closeSimulateTabs();
    const uri = wsUri(pythonAnd);
    const res = await vscode.commands.executeCommand('stopcheck.simulate', uri);
    assert.ok(res && !res.error, `no error: ${show(res && res.error)}`);
    assert.ok(Array.isArray(res.simulations) && res.simulations.length === 1, `one simulation: ${show(res)}`);
    const [sim] = res.simulations;
    assert.strictEqual(sim.verdict, 'killed', `verdict: ${show(sim.verdict)}; summary: ${sim.summary}`);
    assert.strictEqual(sim.appReceivesSignal, false, 'python never receives SIGTERM');
    assert.ok(Array.isArray(sim.processes) && sim.processes.length >= 2, `the shell and python: ${show(sim.processes)}`);
    assert.ok(sim.processes.some((p) => /python main\.py/.test(p.command)), `python is one of the processes: ${show(sim.processes)}`);
    assert.ok(Array.isArray(sim.events) && sim.events.length > 0, 'the timeline has events');
    assert.ok(sim.events.some((e) => /SIGKILL/.test(e.what)), `the timeline ends in SIGKILL: ${show(sim.events.map((e) => e.what))}`);
    assert.ok(Array.isArray(sim.timeline) && sim.timeline.length > 0, 'the text timeline is there');
    assert.ok(sim.fixEdit && /exec/i.test(sim.fixEdit.title), `a fix that adds exec: ${show(sim.fixEdit && sim.fixEdit.title)}`);
    assert.strictEqual(sim.fixEdit.rule, 'STOP101');
    assert.ok(sim.fixEdit.edit, 'the fix carries its workspace edit');

    const tab = await waitFor(`the "${PANEL_TITLE}" webview tab`, () => simulateTabs().find((t) => t.label === PANEL_TITLE));
    assert.ok(tab, 'the panel is open');
  });

  it('stopcheck.simulate with an index returns that chain only; the fixed twin is graceful', async () => {
    const res = await vscode.commands.executeCommand('stopcheck.simulate', wsUri(pythonAnd).toString(), 0);
    assert.strictEqual(res && res.simulations && res.simulations.length, 1, `one simulation: ${show(res)}`);
    assert.strictEqual(res.simulations[0].verdict, 'killed');
    const fixed = await vscode.commands.executeCommand('stopcheck.simulate', wsUri(pythonAndFixed));
    assert.deepStrictEqual(fixed.simulations.map((s) => s.verdict), ['graceful'], `fixed twin: ${show(fixed.simulations.map((s) => s.summary))}`);
    assert.strictEqual(fixed.simulations[0].fixEdit, null, 'nothing to fix on the fixed twin');
    // One panel, reused: its title follows the last simulated file.
    await waitFor('one simulate panel titled after Dockerfile.fixed', () => {
      const tabs = simulateTabs();
      return tabs.length === 1 && tabs[0].label === 'Simulate stop: Dockerfile.fixed';
    }, 5000);
  });

  it('code lens "Simulate stop (killed)" above CMD runs the simulation', async () => {
    const doc = await open(pythonAnd);
    const cmdLine = 3;
    assert.match(doc.lineAt(cmdLine).text, /^CMD /);
    const lens = await waitFor('a "Simulate stop (…)" code lens', async () => {
      const lenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', doc.uri);
      return (lenses || []).find((l) => l.command && /^Simulate stop/.test(l.command.title));
    });
    assert.strictEqual(lens.command.title, 'Simulate stop (killed)');
    assert.strictEqual(lens.range.start.line, cmdLine, 'the lens sits above the CMD line');
    assert.strictEqual(lens.command.command, 'stopcheck.simulate');
    const res = await vscode.commands.executeCommand(lens.command.command, ...(lens.command.arguments || []));
    assert.deepStrictEqual(res.simulations.map((s) => s.verdict), ['killed']);
    await waitFor(`the "${PANEL_TITLE}" webview tab`, () => simulateTabs().find((t) => t.label === PANEL_TITLE));

    // The fixed twin's lens says so. (Code lenses are computed for documents VS Code has loaded.)
    const fixed = await vscode.workspace.openTextDocument(wsUri(pythonAndFixed));
    const fixedLenses = await vscode.commands.executeCommand('vscode.executeCodeLensProvider', fixed.uri);
    assert.deepStrictEqual((fixedLenses || []).map((l) => l.command && l.command.title), ['Simulate stop (graceful)']);
  });

});

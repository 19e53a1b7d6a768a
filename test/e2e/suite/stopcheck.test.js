// Extension-host tests: the built extension (dist/client.js starting dist/server.js) inside a real
// VS Code, on a copy of examples/. Every wait polls for a state with a deadline; none sleeps blindly.
'use strict';
const assert = require('assert');
const vscode = require('vscode');

const {
  wsUri, show, waitFor, summary, find, open, hoverText, setSetting, activated,
} = require('./helpers');

describe('stopcheck in VS Code', function () {
  const shellForm = 'node-shell-form/Dockerfile';
  const shellFormFixed = 'node-shell-form/Dockerfile.fixed';
  const npmStart = 'npm-start/Dockerfile';

  after(async () => {
    // Leave the window as it was found (the workspace is a throwaway copy, but be tidy).
    await setSetting('disabledRules', undefined).catch(() => undefined);
    await setSetting('severity', undefined).catch(() => undefined);
  });

  it('activates the extension from the bundle and starts the language server', async () => {
    const { ext } = await activated();
    assert.match(ext.packageJSON.main, /dist\/client\.js$/);
    const cmds = await vscode.commands.getCommands(true);
    for (const c of ['stopcheck.showLaunchChain', 'stopcheck.simulate', 'stopcheck.restartServer']) assert.ok(cmds.includes(c), `${c} is registered`);
  });

  it('reports its activation time (written to STOPCHECK_TIMINGS_OUT for the bench when set)', async () => {
    const { api } = await activated();
    const t = api.timings();
    // A figure, not a timed assertion: only that it was measured.
    assert.ok(Number.isFinite(t.activateMs) && t.activateMs > 0, JSON.stringify(t));
    assert.ok(Number.isFinite(t.serverStartMs) && t.serverStartMs > 0 && t.serverStartMs <= t.activateMs, JSON.stringify(t));
    if (process.env.STOPCHECK_TIMINGS_OUT) require('fs').writeFileSync(process.env.STOPCHECK_TIMINGS_OUT, JSON.stringify(t));
  });

  it('reports STOP101 as a warning on line 5 of node-shell-form/Dockerfile', async () => {
    const doc = await open(shellForm);
    assert.strictEqual(doc.languageId, 'dockerfile');
    const d = await waitFor('a stopcheck STOP101 diagnostic', () => find(doc.uri, 'STOP101'));
    assert.strictEqual(d.source, 'stopcheck');
    assert.strictEqual(d.range.start.line, 4, `STOP101 on line 5; got ${summary(doc.uri)}`);
    assert.strictEqual(d.severity, vscode.DiagnosticSeverity.Warning);
    assert.ok(d.message.length > 0, 'the diagnostic has a message');
  });

  it('reports nothing on the fixed twin node-shell-form/Dockerfile.fixed', async () => {
    // Wait for the broken file's diagnostics first: the server analyses the workspace in one pass, so
    // once they are in, so is the fixed twin's (empty) result.
    await waitFor('diagnostics on the broken Dockerfile', () => find(wsUri(shellForm), 'STOP101'));
    const uri = wsUri(shellFormFixed);
    let published = false;
    const sub = vscode.languages.onDidChangeDiagnostics((e) => {
      if (e.uris.some((u) => u.toString() === uri.toString())) published = true;
    });
    try {
      const doc = await open(shellFormFixed);
      assert.strictEqual(doc.languageId, 'dockerfile');
      // The server answers for the opened document (so it has it) ...
      const res = await waitFor('the launch chain of the fixed twin', async () => {
        const r = await vscode.commands.executeCommand('stopcheck.showLaunchChain', uri);
        return r && r.chains && r.chains.length ? r : undefined;
      });
      assert.ok(res.chains.every((c) => c.verdict !== 'killed'), `fixed twin is not killed: ${show(res.chains.map((c) => c.verdict))}`);
      // ... and publishes its (empty) diagnostics for it; if the event is missed, still check.
      await waitFor('diagnostics published for the fixed twin', () => published, 5000).catch(() => undefined);
      assert.deepStrictEqual(summary(uri), []);
    } finally {
      sub.dispose();
    }
  });

  it('hover on the CMD line explains the launch chain (PID 1)', async () => {
    const doc = await open(shellForm);
    const cmdLine = 4;
    assert.match(doc.lineAt(cmdLine).text, /^CMD /);
    const text = await waitFor('a stopcheck hover on the CMD line', async () => {
      const hovers = await vscode.commands.executeCommand('vscode.executeHoverProvider', doc.uri, new vscode.Position(cmdLine, 2));
      const t = hoverText(hovers);
      return t.includes('PID 1') ? t : undefined;
    });
    assert.ok(text.includes('stopcheck — launch chain'), `hover title; got: ${text.slice(0, 200)}`);
  });

  it('stopcheck.showLaunchChain returns the chain with verdict "killed"', async () => {
    const doc = await open(shellForm);
    const res = await vscode.commands.executeCommand('stopcheck.showLaunchChain', doc.uri);
    assert.ok(res && Array.isArray(res.chains) && res.chains.length > 0, `chains returned: ${show(res)}`);
    const killed = res.chains.find((c) => c.verdict === 'killed');
    assert.ok(killed, `a chain is killed: ${show(res.chains.map((c) => c.verdict))}`);
    assert.ok(typeof killed.target === 'string' && killed.target.length > 0, 'the chain names its target');
    assert.ok(Array.isArray(killed.timeline) && killed.timeline.length > 0, 'the chain has a timeline');
  });

  it('editing CMD to exec form clears STOP101, and undoing the edit brings it back', async () => {
    const doc = await open(shellForm);
    await waitFor('STOP101 before the edit', () => find(doc.uri, 'STOP101'));
    const line = doc.lineAt(4);
    const original = line.text;
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, line.range, 'CMD ["node", "server.js"]');
    assert.ok(await vscode.workspace.applyEdit(edit), 'edit applied');
    await waitFor('STOP101 to disappear after the edit', () => !find(doc.uri, 'STOP101'));
    const back = new vscode.WorkspaceEdit();
    back.replace(doc.uri, doc.lineAt(4).range, original);
    assert.ok(await vscode.workspace.applyEdit(back), 'reverse edit applied');
    await waitFor('STOP101 to come back', () => find(doc.uri, 'STOP101'));
    await doc.save();
  });

  it('stopcheck.disabledRules ["STOP105"] hides STOP105 on npm-start/Dockerfile; restoring shows it again', async () => {
    const doc = await open(npmStart);
    await waitFor('STOP105 on npm-start/Dockerfile', () => find(doc.uri, 'STOP105'));
    try {
      await setSetting('disabledRules', ['STOP105']);
      await waitFor('STOP105 to disappear', () => !find(doc.uri, 'STOP105'));
    } finally {
      await setSetting('disabledRules', undefined);
    }
    await waitFor('STOP105 to come back', () => find(doc.uri, 'STOP105'));
  });

  it('stopcheck.severity {"STOP101":"error"} turns STOP101 into an error', async () => {
    const doc = await open(shellForm);
    await waitFor('STOP101 as a warning', () => find(doc.uri, 'STOP101')?.severity === vscode.DiagnosticSeverity.Warning);
    try {
      await setSetting('severity', { STOP101: 'error' });
      await waitFor('STOP101 as an error', () => find(doc.uri, 'STOP101')?.severity === vscode.DiagnosticSeverity.Error);
    } finally {
      await setSetting('severity', undefined);
    }
    await waitFor('STOP101 back to a warning', () => find(doc.uri, 'STOP101')?.severity === vscode.DiagnosticSeverity.Warning);
  });
});

// Extension-host tests: the workspace index. Start scripts, Kubernetes manifests and Compose files get
// diagnostics without being opened, and an unsaved edit to a start script changes the diagnostics of
// the Dockerfile that runs it.
'use strict';
const assert = require('assert');
const vscode = require('vscode');

const { wsUri, show, waitFor, summary, find, codes, isOpen, restore, activated } = require('./helpers');

describe('start scripts, Kubernetes and Compose (workspace index)', function () {
  const script = 'start-script/start.sh';
  const scriptDockerfile = 'start-script/Dockerfile';
  const k8s = 'k8s/deployment.yaml';
  const compose = 'compose.yaml';

  before(() => activated());

  /** Waits until every code in `want` is reported on `rel`; returns the diagnostics by code. */
  async function expectCodes(rel, want) {
    const uri = wsUri(rel);
    await waitFor(`${want.join(', ')} on ${rel}`, () => want.every((c) => find(uri, c)));
    return Object.fromEntries(want.map((c) => [c, find(uri, c)]));
  }

  it('diagnoses start.sh, its Dockerfile, deployment.yaml and compose.yaml without opening them', async () => {
    for (const rel of [script, scriptDockerfile, k8s, compose]) {
      assert.ok(!isOpen(wsUri(rel)), `${rel} is not open (the server must find it by indexing the workspace)`);
    }

    // The script: STOP201 on the last command (line 5, 0-based 4).
    const s = await expectCodes(script, ['STOP201']);
    assert.strictEqual(s.STOP201.range.start.line, 4, `STOP201 on start.sh line 5; got ${summary(wsUri(script))}`);
    assert.match(s.STOP201.message, /exec gunicorn/, 'the message names the fix');

    // The Dockerfile that runs it: STOP201 on CMD (line 5), related information pointing into the script.
    const d = await expectCodes(scriptDockerfile, ['STOP201']);
    assert.strictEqual(d.STOP201.range.start.line, 4, `STOP201 on the Dockerfile's CMD; got ${summary(wsUri(scriptDockerfile))}`);
    const related = d.STOP201.relatedInformation || [];
    const intoScript = related.find((r) => r.location.uri.toString() === wsUri(script).toString());
    assert.ok(intoScript, `related information points at start.sh: ${show(related.map((r) => `${r.location.uri.path}:${r.location.range.start.line}`))}`);
    assert.strictEqual(intoScript.location.range.start.line, 4, 'at the line without exec');

    // Kubernetes: dash keeps sh -c in front of gunicorn (STOP301, line 30), preStop sleep longer than the
    // grace period (STOP303), a preStop that kills user names instead of PIDs (STOP306).
    const k = await expectCodes(k8s, ['STOP301', 'STOP303', 'STOP306']);
    assert.strictEqual(k.STOP301.range.start.line, 29, `STOP301 on the command line; got ${summary(wsUri(k8s))}`);
    assert.strictEqual(k.STOP303.severity, vscode.DiagnosticSeverity.Error, 'a spec the API server rejects is an error');

    // Compose: STOP401 (string command cut at &&), STOP403 (sleep as PID 1), STOP404 (init in front of a
    // script without exec), STOP407 (drain longer than stop_grace_period).
    const c = await expectCodes(compose, ['STOP401', 'STOP403', 'STOP404', 'STOP407']);
    assert.strictEqual(c.STOP401.range.start.line, 7, `STOP401 on web's command; got ${summary(wsUri(compose))}`);
    assert.strictEqual(c.STOP404.range.start.line, 4, `STOP404 on api's init; got ${summary(wsUri(compose))}`);

    // ... and none of them was opened to get there.
    for (const rel of [script, scriptDockerfile, k8s, compose]) assert.ok(!isOpen(wsUri(rel)), `${rel} is still not open`);
  });

  it('the fixed twins are clean: start-script-fixed/ and k8s/deployment.fixed.yaml', async () => {
    // Wait for the broken files first: the server indexes the workspace in one pass.
    await expectCodes(k8s, ['STOP301']);
    await expectCodes(script, ['STOP201']);
    for (const rel of ['start-script-fixed/start.sh', 'start-script-fixed/Dockerfile', 'k8s/deployment.fixed.yaml']) {
      assert.deepStrictEqual(summary(wsUri(rel)), [], `${rel} has no stopcheck diagnostics`);
    }
  });

  it('code lenses on Kubernetes and Compose files name each container and service', async () => {
    // Code lenses are computed for documents VS Code has loaded: load them (after the test above).
    const lensesOf = async (rel) => {
      const doc = await vscode.workspace.openTextDocument(wsUri(rel));
      return vscode.commands.executeCommand('vscode.executeCodeLensProvider', doc.uri);
    };
    const k8s = await lensesOf('k8s/deployment.yaml');
    const k8sTitles = (k8s || []).map((l) => l.command && l.command.title);
    assert.ok(k8sTitles.length >= 2 && k8sTitles.every((t) => /^Simulate stop \(/.test(t)), `a lens per container: ${show(k8sTitles)}`);
    const compose = await lensesOf('compose.yaml');
    const composeTitles = (compose || []).map((l) => l.command && l.command.title);
    assert.strictEqual(composeTitles.length, 4, `a lens per service: ${show(composeTitles)}`);
  });
  it('inserting exec in start.sh (unsaved) clears STOP201 on the Dockerfile; undo brings it back', async () => {
    const dockerfile = wsUri(scriptDockerfile);
    await expectCodes(scriptDockerfile, ['STOP201']);
    const doc = await vscode.workspace.openTextDocument(wsUri(script));
    await vscode.window.showTextDocument(doc, { preview: false });
    const line = doc.lineAt(4).text;
    assert.match(line, /^gunicorn /, `line 5 of start.sh: ${line}`);
    const saved = doc.getText();
    try {
      const edit = new vscode.WorkspaceEdit();
      edit.insert(doc.uri, new vscode.Position(4, 0), 'exec ');
      assert.ok(await vscode.workspace.applyEdit(edit), 'edit applied');
      assert.ok(doc.isDirty, 'the edit is not saved');
      assert.match(doc.lineAt(4).text, /^exec gunicorn /);
      await waitFor('STOP201 to disappear from the (unopened) Dockerfile', () => !find(dockerfile, 'STOP201'));
      await waitFor('STOP201 to disappear from start.sh', () => !find(doc.uri, 'STOP201'));
      assert.ok(!isOpen(dockerfile), 'the Dockerfile was not opened');

      await vscode.commands.executeCommand('undo');
      await waitFor('the undo to restore start.sh', () => doc.getText() === saved, 5000);
      assert.ok(!doc.isDirty, 'undo returns to the saved text');
      await waitFor('STOP201 to come back on the Dockerfile', () => find(dockerfile, 'STOP201'));
      await waitFor('STOP201 to come back on start.sh', () => find(doc.uri, 'STOP201'));
      assert.deepStrictEqual(codes(dockerfile), ['STOP201']);
    } finally {
      await restore(doc, saved);
    }
  });

  it('a script finding gets the "insert exec" fix: applying it in start.sh clears STOP201', async () => {
    const uri = wsUri('start-script/start.sh');
    const d = await waitFor('STOP201 on start.sh', () => find(uri, 'STOP201'));
    const doc = await vscode.workspace.openTextDocument(uri);
    const saved = doc.getText();
    try {
      const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, d.range);
      const fix = actions.find((a) => a.isPreferred && /exec/.test(a.title));
      assert.ok(fix && fix.edit, `a preferred exec fix: ${show(actions.map((a) => a.title))}`);
      assert.ok(await vscode.workspace.applyEdit(fix.edit), 'the fix applied');
      assert.match(doc.lineAt(4).text, /^exec gunicorn /);
      await waitFor('STOP201 to disappear from start.sh', () => !find(uri, 'STOP201'));
    } finally {
      await restore(doc, saved);
    }
    await waitFor('STOP201 to come back after restoring start.sh', () => find(uri, 'STOP201'));
  });
});

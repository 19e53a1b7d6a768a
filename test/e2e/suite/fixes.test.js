// Extension-host tests: quick fixes and fix-all, through VS Code's own code action API (what the
// light bulb and "editor.codeActionsOnSave" use), applied to the document.
'use strict';
const assert = require('assert');
const vscode = require('vscode');

const { show, waitFor, summary, find, open, restore, activated } = require('./helpers');

const FIX_ALL_KIND = 'source.fixAll.stopcheck';
const EXEC_FORM = 'CMD ["node", "server.js"]';

describe('quick fixes and fix all', function () {
  const shellForm = 'node-shell-form/Dockerfile';

  before(() => activated());

  async function codeActions(uri, range, kind) {
    const actions = await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, range, kind);
    return (actions || []).filter((a) => a.kind !== undefined || a.edit !== undefined); // CodeActions, not bare Commands
  }

  const describeActions = (actions) => show(actions.map((a) => `${a.title} [${a.kind && a.kind.value}${a.isPreferred ? ', preferred' : ''}]`));

  it('STOP101 offers "Convert to exec form" (preferred) and "Ignore STOP101 on this line"', async () => {
    const doc = await open(shellForm);
    const d = await waitFor('STOP101 on node-shell-form/Dockerfile', () => find(doc.uri, 'STOP101'));
    const actions = await waitFor('stopcheck quick fixes for STOP101', async () => {
      const a = await codeActions(doc.uri, d.range);
      return a.some((x) => x.title.startsWith('Convert to exec form')) ? a : undefined;
    });
    const convert = actions.find((a) => a.title === 'Convert to exec form: ["node", "server.js"]');
    assert.ok(convert, `the exec-form fix is offered: ${describeActions(actions)}`);
    assert.strictEqual(convert.isPreferred, true, 'the exec-form fix is the preferred one');
    assert.ok(convert.kind && vscode.CodeActionKind.QuickFix.contains(convert.kind), `a quick fix: ${convert.kind && convert.kind.value}`);
    // (vscode.executeCodeActionProvider does not return the actions' diagnostics: the UI suite checks
    // that the fix is offered on the squiggle.)
    const ignore = actions.find((a) => a.title === 'Ignore STOP101 on this line');
    assert.ok(ignore, `the ignore action is offered: ${describeActions(actions)}`);
    assert.ok(!ignore.isPreferred, 'ignoring is not the preferred fix');
  });

  it('applying "Convert to exec form" rewrites CMD and clears STOP101', async () => {
    const doc = await open(shellForm);
    const saved = doc.getText();
    const d = await waitFor('STOP101 before the fix', () => find(doc.uri, 'STOP101'));
    try {
      const actions = await codeActions(doc.uri, d.range);
      const convert = actions.find((a) => a.title.startsWith('Convert to exec form'));
      assert.ok(convert && convert.edit, `an exec-form fix with an edit: ${describeActions(actions)}`);
      assert.ok(await vscode.workspace.applyEdit(convert.edit), 'the fix applied');
      assert.strictEqual(doc.lineAt(4).text, EXEC_FORM);
      await waitFor('STOP101 to disappear after the fix', () => !find(doc.uri, 'STOP101'));
      assert.deepStrictEqual(summary(doc.uri), [], 'nothing else is reported on the fixed file');
    } finally {
      await restore(doc, saved);
    }
    await waitFor('STOP101 to come back after restoring the file', () => find(doc.uri, 'STOP101'));
  });

  it('applying "Ignore STOP101 on this line" adds the comment and hides STOP101', async () => {
    const doc = await open(shellForm);
    const saved = doc.getText();
    const d = await waitFor('STOP101 before ignoring it', () => find(doc.uri, 'STOP101'));
    try {
      const actions = await codeActions(doc.uri, d.range);
      const ignore = actions.find((a) => a.title === 'Ignore STOP101 on this line');
      assert.ok(ignore && ignore.edit, `an ignore action with an edit: ${describeActions(actions)}`);
      assert.ok(await vscode.workspace.applyEdit(ignore.edit), 'the ignore edit applied');
      assert.match(doc.getText(), /^# stopcheck ignore=STOP101\r?\nCMD node server\.js$/m, `the comment goes above CMD:\n${doc.getText()}`);
      await waitFor('STOP101 to disappear once ignored', () => !find(doc.uri, 'STOP101'));
    } finally {
      await restore(doc, saved);
    }
    await waitFor('STOP101 to come back after restoring the file', () => find(doc.uri, 'STOP101'));
  });

  it(`${FIX_ALL_KIND} returns one action that fixes the file`, async () => {
    const doc = await open(shellForm);
    const saved = doc.getText();
    await waitFor('STOP101 before fix-all', () => find(doc.uri, 'STOP101'));
    const whole = new vscode.Range(doc.positionAt(0), doc.positionAt(saved.length));
    try {
      const actions = await codeActions(doc.uri, whole, FIX_ALL_KIND);
      assert.strictEqual(actions.length, 1, `one fix-all action: ${describeActions(actions)}`);
      const [all] = actions;
      assert.strictEqual(all.kind && all.kind.value, FIX_ALL_KIND);
      assert.ok(all.edit, 'the fix-all action carries its edit');
      assert.ok(await vscode.workspace.applyEdit(all.edit), 'fix-all applied');
      assert.strictEqual(doc.lineAt(4).text, EXEC_FORM);
      await waitFor('no stopcheck diagnostics after fix-all', () => summary(doc.uri).length === 0);
      // Nothing left to fix: no fix-all action any more.
      const again = await codeActions(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), FIX_ALL_KIND);
      assert.deepStrictEqual(again.map((a) => a.title), [], 'nothing left for fix-all');
    } finally {
      await restore(doc, saved);
    }
    await waitFor('STOP101 to come back after restoring the file', () => find(doc.uri, 'STOP101'));
  });
});

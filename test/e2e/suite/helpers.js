// Shared helpers of the extension-host suite (not a test file: index.js loads only *.test.js).
// Every wait polls for a state with a deadline; none sleeps blindly.
'use strict';
const assert = require('assert');
const vscode = require('vscode');

const EXTENSION_ID = 'stopcheck.stopcheck';

function wsUri(rel) {
  const folder = vscode.workspace.workspaceFolders && vscode.workspace.workspaceFolders[0];
  assert.ok(folder, 'a workspace folder is open');
  return vscode.Uri.joinPath(folder.uri, ...rel.split('/'));
}

function show(v) {
  if (v instanceof Error) return v.message;
  try {
    return JSON.stringify(v);
  } catch {
    return String(v);
  }
}

/** Polls `probe` until it returns a truthy value; fails with `what` and the last value seen. */
async function waitFor(what, probe, timeoutMs = 15000, everyMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    try {
      last = await probe();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last: ${show(last)}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

const codeOf = (d) => (d.code && typeof d.code === 'object' ? String(d.code.value) : String(d.code));
const ours = (uri) => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'stopcheck');
const summary = (uri) => ours(uri).map((d) => `${codeOf(d)}@${d.range.start.line}:${vscode.DiagnosticSeverity[d.severity]}`);
const find = (uri, code) => ours(uri).find((d) => codeOf(d) === code);
const codes = (uri) => ours(uri).map(codeOf).sort();

/** Whether VS Code has a text document (open in an editor or not) for `uri`. */
const isOpen = (uri) => vscode.workspace.textDocuments.some((d) => d.uri.toString() === uri.toString());

async function open(rel) {
  const doc = await vscode.workspace.openTextDocument(wsUri(rel));
  await vscode.window.showTextDocument(doc, { preview: false });
  return doc;
}

function hoverText(hovers) {
  return (hovers || []).flatMap((h) => h.contents).map((c) => (typeof c === 'string' ? c : c.value)).join('\n');
}

async function setSetting(key, value) {
  await vscode.workspace.getConfiguration('stopcheck').update(key, value, vscode.ConfigurationTarget.Workspace);
}

/** Puts `text` back as the whole content of `doc` and saves it (a no-op on disk: it is the saved text). */
async function restore(doc, text) {
  if (doc.getText() !== text) {
    const edit = new vscode.WorkspaceEdit();
    edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text);
    assert.ok(await vscode.workspace.applyEdit(edit), `restoring ${doc.uri.path} applied`);
  }
  if (doc.isDirty) await doc.save();
}

let activation;
/** Activates the extension (once) and waits for its language server. */
function activated() {
  activation ??= (async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(ext, `extension ${EXTENSION_ID} is loaded`);
    const api = await ext.activate();
    assert.ok(api && typeof api.ready === 'function', 'activate() returns the API');
    await api.ready();
    return { ext, api };
  })();
  return activation;
}

module.exports = {
  EXTENSION_ID, wsUri, show, waitFor, codeOf, ours, summary, find, codes, isOpen, open, hoverText, setSetting, restore, activated,
};

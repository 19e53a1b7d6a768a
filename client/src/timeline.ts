// The "Simulate stop" webview: one lane per process, the stop signal's path, the grace period, SIGKILL,
// the verdict in words, and the fix that changes it as a button. Themed with VS Code's CSS variables,
// strict content security policy (nonce'd script, no remote content).
import * as crypto from 'crypto';

export interface Simulation {
  target: string;
  platform: string;
  stopSignal: string;
  gracePeriodSeconds: number;
  killAtSeconds: number;
  processes: Array<{ pid: number; command: string; role: string }>;
  events: Array<{ atSeconds: number; process: number; what: string }>;
  appReceivesSignal: boolean | null;
  verdict: string;
  summary: string;
  assumptions: string[];
  timeline: string[];
  fixEdit: { title: string; rule: string; edit: unknown } | null;
  observed?: { verdict: string; events: Array<{ atSeconds: number; what: string }>; exitCode: number | null; note?: string };
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c] as string));

const VERDICT: Record<string, { words: string; cls: string }> = {
  graceful: { words: 'Graceful', cls: 'ok' },
  killed: { words: 'Killed at the end of the grace period', cls: 'bad' },
  'cut-short': { words: 'Cleanup cut short', cls: 'bad' },
  'fails-to-start': { words: 'Fails to start', cls: 'bad' },
  unknown: { words: 'Unknown', cls: 'warn' },
};

function lanes(sim: Simulation): string {
  const W = 760;
  const left = 230;
  const laneH = 44;
  const top = 30;
  const end = Math.max(sim.killAtSeconds, ...sim.events.map((e) => e.atSeconds), 1) * 1.08;
  const x = (t: number) => left + ((W - left - 20) * t) / end;
  const h = top + laneH * Math.max(sim.processes.length, 1) + 30;
  const parts: string[] = [];
  parts.push(`<svg role="img" aria-label="timeline" viewBox="0 0 ${W} ${h}" width="100%">`);
  // Grace period bar and SIGKILL line.
  parts.push(`<rect class="grace" x="${x(0)}" y="${top - 18}" width="${x(sim.gracePeriodSeconds) - x(0)}" height="8" rx="3"><title>grace period ${sim.gracePeriodSeconds} s</title></rect>`);
  parts.push(`<text class="axis" x="${x(0)}" y="${top - 22}">0 s</text><text class="axis" x="${x(sim.gracePeriodSeconds) - 40}" y="${top - 22}">grace ${sim.gracePeriodSeconds} s</text>`);
  parts.push(`<line class="kill" x1="${x(sim.killAtSeconds)}" x2="${x(sim.killAtSeconds)}" y1="${top - 10}" y2="${h - 20}"/><text class="killtext" x="${x(sim.killAtSeconds) + 4}" y="${h - 8}">SIGKILL ${sim.killAtSeconds} s</text>`);
  sim.processes.forEach((p, i) => {
    const y = top + laneH * i + laneH / 2;
    parts.push(`<text class="lane" x="8" y="${y + 4}">${esc(`${p.pid}. ${p.command.length > 30 ? p.command.slice(0, 29) + '…' : p.command}`)}</text>`);
    parts.push(`<text class="role" x="8" y="${y + 17}">${esc(p.role)}</text>`);
    parts.push(`<line class="life" x1="${x(0)}" x2="${x(sim.killAtSeconds)}" y1="${y}" y2="${y}"/>`);
  });
  sim.events.forEach((e, k) => {
    const i = Math.min(Math.max(e.process - 1, 0), sim.processes.length - 1);
    const y = top + laneH * i + laneH / 2;
    const cls = /SIGKILL|killed|never receives|ignored|dies/.test(e.what) ? 'evbad' : /receives|forwards|exits at once/.test(e.what) ? 'evok' : 'ev';
    parts.push(`<circle class="${cls}" cx="${x(e.atSeconds)}" cy="${y}" r="6"><title>${esc(`t=${e.atSeconds} s: ${e.what}`)}</title></circle><text class="evn" x="${x(e.atSeconds) - 3}" y="${y + 3.5}">${k + 1}</text>`);
    if (/forwards/.test(e.what) && i + 1 < sim.processes.length) {
      parts.push(`<line class="arrow" x1="${x(e.atSeconds)}" x2="${x(e.atSeconds)}" y1="${y + 7}" y2="${y + laneH - 8}" marker-end="url(#head)"/>`);
    }
  });
  parts.push('<defs><marker id="head" markerWidth="8" markerHeight="8" refX="4" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z" class="head"/></marker></defs>');
  parts.push('</svg>');
  return parts.join('');
}

export function timelineHtml(sims: Simulation[], cspSource: string, live: { available: boolean; reason: string }): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const body = sims.map((s, idx) => {
    const v = VERDICT[s.verdict] ?? VERDICT.unknown;
    const events = s.events.map((e, k) => `<li><span class="t">${k + 1}. t=${e.atSeconds} s</span> ${esc(e.what)}</li>`).join('');
    const observed = s.observed ? `<div class="observed"><h3>Observed (live run): <span class="${(VERDICT[s.observed.verdict] ?? VERDICT.unknown).cls}">${esc((VERDICT[s.observed.verdict] ?? VERDICT.unknown).words)}</span>${s.observed.verdict === s.verdict ? '' : ' — <strong>differs from the prediction</strong>'}</h3><ul>${s.observed.events.map((e) => `<li><span class="t">t=${e.atSeconds} s</span> ${esc(e.what)}</li>`).join('')}</ul>${s.observed.note ? `<p>${esc(s.observed.note)}</p>` : ''}</div>` : '';
    return `<section>
      <h2>${esc(s.target)}</h2>
      <p class="policy">${esc(s.platform)} · ${esc(s.stopSignal)} to PID 1 · grace period ${s.gracePeriodSeconds} s</p>
      <p class="verdict ${v.cls}" data-verdict="${esc(s.verdict)}">${esc(v.words)}</p>
      <p class="summary">${esc(s.summary)}</p>
      ${lanes(s)}
      <ol class="events">${events}</ol>
      ${s.fixEdit ? `<p><button class="fix" data-index="${idx}">Apply fix: ${esc(s.fixEdit.title)}</button> <span class="rule">${esc(s.fixEdit.rule)}</span></p>` : ''}
      ${live.available ? `<p><button class="live secondary" data-index="${idx}">Run it for real (live)</button></p>` : `<p class="muted">Live run: ${esc(live.reason)}</p>`}
      ${observed}
      ${s.assumptions.length ? `<details><summary>Assumed</summary><ul>${s.assumptions.map((a) => `<li>${esc(a)}</li>`).join('')}</ul></details>` : ''}
    </section>`;
  }).join('<hr>');
  return `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src ${cspSource} data:; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<style nonce="${nonce}">
body { font-family: var(--vscode-font-family); color: var(--vscode-foreground); background: var(--vscode-editor-background); padding: 0 16px; }
h2 { font-size: 1.1em; margin-bottom: 2px; }
.policy, .muted, .role, .rule { color: var(--vscode-descriptionForeground); }
.verdict { font-size: 1.3em; font-weight: 600; margin: 6px 0; }
.ok { color: var(--vscode-testing-iconPassed, #3fb950); }
.bad { color: var(--vscode-errorForeground, #f85149); }
.warn { color: var(--vscode-editorWarning-foreground, #d29922); }
svg text { fill: var(--vscode-foreground); font-size: 12px; font-family: var(--vscode-editor-font-family); }
svg .role, svg .axis { fill: var(--vscode-descriptionForeground); font-size: 10px; }
.life { stroke: var(--vscode-editorIndentGuide-background, #555); stroke-width: 2; }
.grace { fill: var(--vscode-progressBar-background, #0e70c0); opacity: 0.6; }
.kill { stroke: var(--vscode-errorForeground, #f85149); stroke-dasharray: 4 3; stroke-width: 2; }
.killtext { fill: var(--vscode-errorForeground, #f85149) !important; }
.ev { fill: var(--vscode-editorInfo-foreground, #3794ff); }
.evok { fill: var(--vscode-testing-iconPassed, #3fb950); }
.evbad { fill: var(--vscode-errorForeground, #f85149); }
.evn { fill: var(--vscode-editor-background) !important; font-size: 9px !important; }
.arrow { stroke: var(--vscode-foreground); stroke-width: 1.5; }
.head { fill: var(--vscode-foreground); }
.events { font-family: var(--vscode-editor-font-family); font-size: 0.9em; }
.t { color: var(--vscode-descriptionForeground); }
button { background: var(--vscode-button-background); color: var(--vscode-button-foreground); border: none; padding: 5px 12px; cursor: pointer; }
button.secondary { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); }
button:hover { background: var(--vscode-button-hoverBackground); }
.observed { border-left: 3px solid var(--vscode-textLink-foreground); padding-left: 8px; }
</style></head><body>
${body || '<p>No container command to simulate in this file.</p>'}
<script nonce="${nonce}">
const vscode = acquireVsCodeApi();
document.querySelectorAll('button.fix').forEach((b) => b.addEventListener('click', () => vscode.postMessage({ type: 'applyFix', index: Number(b.dataset.index) })));
document.querySelectorAll('button.live').forEach((b) => b.addEventListener('click', () => vscode.postMessage({ type: 'runLive', index: Number(b.dataset.index) })));
</script></body></html>`;
}

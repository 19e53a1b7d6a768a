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
  observed?: Observed;
}

/** A live run's result, as the language server sends it. */
export interface Observed {
  verdict: string;
  events: Array<{ atSeconds: number; what: string }>;
  exitCode: number | null;
  isolation?: string;
  agreesWithStatic?: boolean;
  note?: string;
  processes?: Array<{ pid: number; ppid: number; command: string; sigCgt: string; sigIgn: string; sigBlk: string; wchan: string }>;
  aborted?: boolean;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c] as string));

const VERDICT: Record<string, { words: string; cls: string }> = {
  graceful: { words: 'Graceful', cls: 'ok' },
  killed: { words: 'Killed at the end of the grace period', cls: 'bad' },
  'cut-short': { words: 'Cleanup cut short', cls: 'bad' },
  'fails-to-start': { words: 'Fails to start', cls: 'bad' },
  unknown: { words: 'Unknown', cls: 'warn' },
};

interface Marker { lane: number; t: number; cls: string; title: string }

/**
 * Markers at (nearly) the same time on the same lane are stacked (one above, then to the right,
 * with a tick at the true time) instead of drawn over each other. `n` is the marker's number in the
 * list below the picture (the <ol> numbers it the same way).
 */
function drawMarkers(markers: Marker[], x: (t: number) => number, laneY: (i: number) => number): string {
  const parts: string[] = [];
  const placed: Array<{ lane: number; x: number }> = [];
  markers.forEach((m, k) => {
    const mx = x(m.t);
    const y = laneY(m.lane);
    const j = placed.filter((p) => p.lane === m.lane && Math.abs(p.x - mx) < 13).length;
    placed.push({ lane: m.lane, x: mx });
    // Above the lane, not below it, where a "forwards" arrow goes down to the next lane.
    const dy = [0, -13][j % 2];
    const dx = Math.floor(j / 2) * 14;
    if (dx) parts.push(`<line class="tick" x1="${mx}" x2="${mx + dx}" y1="${y}" y2="${y + dy}"/>`);
    parts.push(`<circle class="${m.cls}" cx="${mx + dx}" cy="${y + dy}" r="6"><title>${esc(m.title)}</title></circle><text class="evn" x="${mx + dx}" y="${y + dy + 3.5}" text-anchor="middle">${k + 1}</text>`);
  });
  return parts.join('');
}

function eventClass(what: string): string {
  return /SIGKILL|killed|never receives|ignored|dies|not sent|exited with status (1[3-9][0-9]|[1-9][0-9]?)\b/.test(what) ? 'evbad'
    : /receives|forwards|exits at once|exited with status 0|sent to/.test(what) ? 'evok' : 'ev';
}

const short = (s: string, n = 30) => (s.length > n ? s.slice(0, n - 1) + '…' : s);

function lanes(sim: Simulation): string {
  const W = 760;
  const left = 230;
  const laneH = 44;
  const top = 40;
  const n = Math.max(sim.processes.length, 1);
  const end = Math.max(sim.killAtSeconds, ...sim.events.map((e) => e.atSeconds), 1) * 1.08;
  const x = (t: number) => left + ((W - left - 30) * t) / end;
  const laneY = (i: number) => top + laneH * i + laneH / 2;
  const h = top + laneH * n + 12;
  const parts: string[] = [];
  parts.push(`<svg role="img" aria-label="timeline" viewBox="0 0 ${W} ${h}" width="100%">`);
  // Grace period bar.
  parts.push(`<rect class="grace" x="${x(0)}" y="${top - 16}" width="${Math.max(0, x(sim.gracePeriodSeconds) - x(0))}" height="8" rx="3"><title>grace period ${sim.gracePeriodSeconds} s</title></rect>`);
  parts.push(`<text class="axis" x="${x(0)}" y="${top - 22}">0 s</text>`);
  if (x(sim.gracePeriodSeconds) - x(0) > 90) parts.push(`<text class="axis" x="${x(sim.gracePeriodSeconds)}" y="${top - 22}" text-anchor="end">grace ${sim.gracePeriodSeconds} s</text>`);
  if (sim.processes.length === 0) parts.push(`<text class="lane" x="8" y="${laneY(0) + 4}">PID 1</text>`);
  sim.processes.forEach((p, i) => {
    const y = laneY(i);
    parts.push(`<text class="lane" x="8" y="${y + 4}">${esc(`${p.pid}. ${short(p.command, 27)}`)}</text>`);
    parts.push(`<text class="role" x="8" y="${y + 17}">${esc(p.role)}</text>`);
    parts.push(`<line class="life" x1="${x(0)}" x2="${x(sim.killAtSeconds)}" y1="${y}" y2="${y}"/>`);
  });
  // SIGKILL comes from the platform, to PID 1 (and with it the whole container), at killAt: a dashed
  // line across the lanes, its label on the PID 1 lane, not at the bottom by the last process.
  const kx = x(sim.killAtSeconds);
  parts.push(`<line class="kill" x1="${kx}" x2="${kx}" y1="${top - 8}" y2="${h - 6}"/>`);
  const killLabel = kx + 90 > W ? `x="${kx - 8}" text-anchor="end"` : `x="${kx + 8}"`;
  parts.push(`<text class="killtext" ${killLabel} y="${laneY(0) - 9}">SIGKILL ${sim.killAtSeconds} s</text>`);
  const markers: Marker[] = sim.events.map((e) => {
    const platformKill = /SIGKILL/.test(e.what) && e.atSeconds === sim.killAtSeconds && !/SIGKILLs\b/.test(e.what);
    const lane = platformKill ? 0 : Math.min(Math.max(e.process - 1, 0), n - 1);
    return { lane, t: e.atSeconds, cls: eventClass(e.what), title: `t=${e.atSeconds} s: ${e.what}` };
  });
  sim.events.forEach((e, k) => {
    const m = markers[k];
    if (/forwards/.test(e.what) && m.lane + 1 < sim.processes.length) {
      parts.push(`<line class="arrow" x1="${x(e.atSeconds)}" x2="${x(e.atSeconds)}" y1="${laneY(m.lane) + 7}" y2="${laneY(m.lane + 1) - 8}" marker-end="url(#head)"/>`);
    }
  });
  parts.push(drawMarkers(markers, x, laneY));
  parts.push('<defs><marker id="head" markerWidth="8" markerHeight="8" refX="4" refY="4" orient="auto"><path d="M0,0 L8,4 L0,8 z" class="head"/></marker></defs>');
  parts.push('</svg>');
  return parts.join('');
}

/** The live run as lanes: one per process of the snapshot, plus the output; t=0 is the stop signal. */
function observedLanes(o: Observed): string {
  const W = 760;
  const left = 230;
  const laneH = 36;
  const top = 30;
  const procs = o.processes ?? [];
  const names = procs.length ? procs.map((p) => `${p.pid}. ${short(p.command, 27)}`) : ['PID 1'];
  const outLane = names.length;
  const evs = o.events.filter((e) => !/^process tree:/.test(e.what));
  const t0 = Math.min(0, ...evs.map((e) => e.atSeconds));
  const t1 = Math.max(0.5, ...evs.map((e) => e.atSeconds));
  const span = (t1 - t0) * 1.05 || 1;
  const x = (t: number) => left + ((W - left - 30) * (t - t0)) / span;
  const laneY = (i: number) => top + laneH * i + laneH / 2;
  const h = top + laneH * (names.length + 1) + 10;
  const laneOf = (what: string): number => {
    if (/^output: /.test(what)) return outLane;
    const m = /\(pid (\d+)\)/.exec(what);
    if (m) {
      const i = procs.findIndex((p) => p.pid === Number(m[1]));
      if (i >= 0) return i;
    }
    return 0;
  };
  const parts: string[] = [`<svg role="img" aria-label="observed timeline" viewBox="0 0 ${W} ${h}" width="100%">`];
  parts.push(`<line class="sig" x1="${x(0)}" x2="${x(0)}" y1="${top - 10}" y2="${h - 6}"/><text class="axis" x="${x(0) + 4}" y="${top - 14}">stop signal (0 s)</text>`);
  if (t0 < 0) parts.push(`<text class="axis" x="${x(t0)}" y="${top - 14}">${t0.toFixed(1)} s</text>`);
  parts.push(`<text class="axis" x="${x(t1)}" y="${top - 14}" text-anchor="end">${t1.toFixed(1)} s</text>`);
  [...names, 'output'].forEach((name, i) => {
    parts.push(`<text class="${i === outLane ? 'role' : 'lane'}" x="8" y="${laneY(i) + 4}">${esc(name)}</text>`);
    parts.push(`<line class="life" x1="${x(t0)}" x2="${x(t1)}" y1="${laneY(i)}" y2="${laneY(i)}"/>`);
  });
  parts.push(drawMarkers(evs.map((e) => ({ lane: laneOf(e.what), t: e.atSeconds, cls: /^output: /.test(e.what) ? 'ev' : eventClass(e.what), title: `t=${e.atSeconds} s: ${e.what}` })), x, laneY));
  parts.push('</svg>');
  return parts.join('');
}

function observedHtml(s: Simulation): string {
  const o = s.observed;
  if (!o) return '';
  const v = VERDICT[o.verdict] ?? VERDICT.unknown;
  const agrees = o.verdict === s.verdict;
  const evs = o.events.filter((e) => !/^process tree:/.test(e.what));
  const verdictLine = o.aborted
    ? '<p class="muted">The run was cancelled: everything it started was killed.</p>'
    : agrees
      ? `<p class="agrees">Agrees with the prediction (${esc((VERDICT[s.verdict] ?? VERDICT.unknown).words.toLowerCase())}).</p>`
      : `<p class="differs" role="alert"><strong>Differs from the prediction:</strong> observed <em>${esc(v.words.toLowerCase())}</em>, predicted <em>${esc((VERDICT[s.verdict] ?? VERDICT.unknown).words.toLowerCase())}</em>.</p>`;
  return `<div class="observed${agrees || o.aborted ? '' : ' disagree'}" data-observed="${esc(o.verdict)}">
    <h3>Observed (live run): <span class="${v.cls}">${esc(v.words)}</span></h3>
    ${verdictLine}
    <p class="policy">isolation ${esc(o.isolation ?? 'unknown')} · PID 1 exit code ${o.exitCode === null ? 'none' : o.exitCode}${o.isolation === 'process-group' ? ' · no PID namespace: what PID 1 would do was predicted' : ''}</p>
    ${observedLanes(o)}
    <ol class="events">${evs.map((e) => `<li><span class="t">t=${e.atSeconds} s</span> ${esc(e.what)}</li>`).join('')}</ol>
    ${o.note ? `<p class="muted">${esc(o.note)}</p>` : ''}
  </div>`;
}

export function timelineHtml(sims: Simulation[], cspSource: string, live: { available: boolean; reason: string }): string {
  const nonce = crypto.randomBytes(16).toString('base64');
  const body = sims.map((s, idx) => {
    const v = VERDICT[s.verdict] ?? VERDICT.unknown;
    const events = s.events.map((e) => `<li><span class="t">t=${e.atSeconds} s</span> ${esc(e.what)}</li>`).join('');
    const observed = observedHtml(s);
    return `<section>
      <h2>${esc(s.target)}</h2>
      <p class="policy">${esc(s.platform)} · ${esc(s.stopSignal)} to PID 1 · grace period ${s.gracePeriodSeconds} s</p>
      <p class="verdict ${v.cls}" data-verdict="${esc(s.verdict)}">${esc(v.words)}</p>
      <p class="summary">${esc(s.summary)}</p>
      ${lanes(s)}
      <ol class="events">${events}</ol>
      ${s.fixEdit ? `<p><button class="fix" data-index="${idx}">Apply fix: ${esc(s.fixEdit.title)}</button> <span class="rule">${esc(s.fixEdit.rule)}</span></p>` : ''}
      ${live.available ? `<p><button class="live secondary" data-index="${idx}" title="Runs the start command on this machine, as PID 1 of a fresh PID namespace, after a confirmation">Run it live</button> <span class="muted">runs the start command for real, after you confirm</span></p>` : `<p class="muted">Live run: ${esc(live.reason)}</p>`}
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
.observed { border-left: 3px solid var(--vscode-textLink-foreground); padding-left: 8px; margin-top: 10px; }
.observed.disagree { border-left-color: var(--vscode-errorForeground, #f85149); }
.differs { background: var(--vscode-inputValidation-errorBackground, rgba(248, 81, 73, 0.15)); border: 1px solid var(--vscode-inputValidation-errorBorder, #f85149); padding: 6px 8px; }
.agrees { color: var(--vscode-testing-iconPassed, #3fb950); }
.sig { stroke: var(--vscode-textLink-foreground); stroke-width: 1.5; stroke-dasharray: 2 2; }
.tick { stroke: var(--vscode-descriptionForeground); stroke-width: 1; }
button:disabled { opacity: 0.5; cursor: default; }
</style></head><body>
${body || '<p>No container command to simulate in this file.</p>'}
<script nonce="${nonce}">
const vscode = acquireVsCodeApi();
document.querySelectorAll('button.fix').forEach((b) => b.addEventListener('click', () => vscode.postMessage({ type: 'applyFix', index: Number(b.dataset.index) })));
document.querySelectorAll('button.live').forEach((b) => b.addEventListener('click', () => {
  document.querySelectorAll('button.live').forEach((x) => { x.disabled = true; });
  vscode.postMessage({ type: 'runLive', index: Number(b.dataset.index) });
}));
</script></body></html>`;
}

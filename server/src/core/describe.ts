// The launch chain in plain words, for hovers, the CLI and the simulation output.
import type { LaunchChain } from './chain';
import { familyLabel } from './images';

export function chainLine(chain: LaunchChain): string {
  if (chain.failsToStart) return `Fails to start: ${chain.failsToStart}`;
  if (chain.processes.length === 0) return 'No command set here: the base image\'s command runs.';
  const parts = chain.processes.map((p, i) => (i === 0 ? `PID 1: ${p.label}` : p.label));
  return parts.join(' → ');
}

const VERDICT_WORDS: Record<string, string> = {
  graceful: 'graceful', killed: 'killed at the end of the grace period', 'cut-short': 'cleanup cut short',
  'fails-to-start': 'fails to start', unknown: 'unknown',
};

export function verdictWords(v: string): string {
  return VERDICT_WORDS[v] ?? v;
}

/** Markdown for a hover. */
export function describeChainMarkdown(chain: LaunchChain): string {
  const lines: string[] = [];
  const plat = chain.policy.platform === 'docker' ? 'docker stop' : chain.policy.platform === 'compose' ? 'docker compose stop' : 'pod deletion';
  lines.push(`**stopcheck — launch chain** (${chain.target})`);
  lines.push('');
  lines.push(chainLine(chain));
  lines.push('');
  const sig = chain.policy.signal + (chain.policy.signalFromImage ? ` (STOPSIGNAL of ${chain.image.repository})` : '');
  lines.push(`On ${plat}: ${sig} to PID 1, SIGKILL after ${chain.policy.gracePeriodSeconds} s. **Verdict: ${verdictWords(chain.outcome.verdict)}** — ${chain.outcome.summary}.`);
  lines.push('');
  lines.push(`Base image \`${chain.image.ref}\`: /bin/sh is ${familyLabel(chain.image.family)}${chain.image.known ? '' : ' (unknown image)'}.`);
  const app = chain.processes[chain.processes.length - 1];
  if (app && app.role === 'app' && app.runtime && app.handlerNote) {
    lines.push('');
    lines.push(`The app: ${app.handlerNote}`);
  }
  if (chain.assumptions.length) {
    lines.push('');
    lines.push(`Assumed: ${[...new Set(chain.assumptions)].join('; ')}.`);
  }
  return lines.join('\n');
}

/** Plain-text timeline used by `stopcheck simulate`. */
export function describeTimeline(chain: LaunchChain): string[] {
  const out: string[] = [];
  out.push(`${chain.file} [${chain.target}] — ${chain.policy.platform}, ${chain.policy.signal}, grace ${chain.policy.gracePeriodSeconds} s`);
  out.push(`  chain: ${chainLine(chain)}`);
  for (const e of chain.outcome.events) {
    out.push(`  t=${e.atSeconds.toFixed(1).padStart(5)}s  [${e.process}] ${e.what}`);
  }
  out.push(`  verdict: ${chain.outcome.verdict} — ${chain.outcome.summary}`);
  for (const a of [...new Set(chain.assumptions)]) out.push(`  assumed: ${a}`);
  return out;
}

// The static simulation as data: one object per simulated container, shared by the CLI's
// `simulate --format json`, the language server's simulate command and the VS Code timeline.
import type { LaunchChain } from '../chain';
import type { Finding, Fix } from '../types';
import { comparePos } from '../types';

export interface SimulationJson {
  target: string;
  platform: string;
  stopSignal: string;
  gracePeriodSeconds: number;
  processes: Array<{ pid: number; command: string; role: string }>;
  events: Array<{ atSeconds: number; process: number; what: string }>;
  appReceivesSignal: boolean | null;
  verdict: string;
  fix: { rule: string; title: string } | null;
  assumptions: string[];
  summary: string;
  killAtSeconds: number;
}

/** The finding (with a preferred fix) that changes this chain's verdict, if any. */
export function fixFor(chain: LaunchChain, findings: Finding[]): { finding: Finding; fix: Fix } | undefined {
  if (chain.outcome.verdict === 'graceful') return undefined;
  const places = chain.processes.map((p) => p.origin).filter((o): o is NonNullable<typeof o> => !!o);
  const scripts = (chain as { scripts?: Array<{ source: { file: string } }> }).scripts ?? [];
  const touches = (f: Finding) =>
    places.some((o) => o.file === f.file && comparePos(o.range.start, f.range.end) <= 0 && comparePos(f.range.start, o.range.end) <= 0)
    || scripts.some((s) => s.source.file === f.file)
    || (chain.policy.signalOrigin && chain.policy.signalOrigin.file === f.file && chain.policy.signalOrigin.range.start.line === f.range.start.line);
  const ranked = findings.filter((f) => f.fixes.some((x) => x.preferred) && touches(f))
    .sort((a, b) => (a.severity === b.severity ? 0 : a.severity === 'error' ? -1 : b.severity === 'error' ? 1 : a.severity === 'warning' ? -1 : 1));
  const f = ranked[0];
  return f ? { finding: f, fix: f.fixes.find((x) => x.preferred)! } : undefined;
}

export function simulationJson(chain: LaunchChain, displayFile: string, findings: Finding[] = []): SimulationJson {
  const fx = fixFor(chain, findings);
  return {
    target: `${displayFile} [${chain.target}]`,
    platform: chain.policy.platform,
    stopSignal: chain.policy.signal,
    gracePeriodSeconds: chain.policy.gracePeriodSeconds,
    processes: chain.processes.map((p, i) => ({ pid: i + 1, command: p.argv.join(' '), role: p.role })),
    events: chain.outcome.events.map((e) => ({ atSeconds: e.atSeconds, process: e.process, what: e.what })),
    appReceivesSignal: chain.outcome.appReceivesSignal === 'unknown' ? null : chain.outcome.appReceivesSignal,
    verdict: chain.outcome.verdict,
    fix: fx ? { rule: fx.finding.rule, title: fx.fix.title } : null,
    assumptions: [...new Set(chain.assumptions)],
    summary: chain.outcome.summary,
    killAtSeconds: chain.outcome.killAtSeconds ?? chain.policy.gracePeriodSeconds,
  };
}

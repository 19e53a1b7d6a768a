import type { DockerfileRule, Report } from './rule';
import { inScript, runByRelated, runByText } from './rule';

export const STOP206: DockerfileRule = {
  meta: {
    id: 'STOP206', name: 'exit-trap-lost-by-exec', family: 'script', defaultSeverity: 'warning', fixable: false,
    summary: '`trap … EXIT` followed by `exec`: exec replaces the shell, so the EXIT trap never runs.',
  },
  check({ chains }) {
    const out: Report[] = [];
    const seen = new Set<string>();
    for (const chain of chains) {
      if (chain.failsToStart) continue;
      for (const hop of chain.scripts) {
        if (!hop.execs || hop.analysis.exitTraps.length === 0) continue;
        for (const trap of hop.analysis.exitTraps) {
          const key = `${hop.source.file}:${trap.range.start.line}`;
          if (seen.has(key)) continue;
          seen.add(key);
          out.push({
            file: hop.source.file, range: inScript(hop, trap.range), related: runByRelated(hop),
            message: `This EXIT trap never runs: the script ends with \`exec\`, which replaces the shell (and its traps) with the app. Do the cleanup in the app, or before the exec${runByText(hop)}.`,
          });
        }
      }
    }
    return out;
  },
};

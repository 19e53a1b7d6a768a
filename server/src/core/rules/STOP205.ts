import type { DockerfileRule, Report } from './rule';
import { consequence, scriptAndDockerfile, scriptName } from './rule';

export const STOP205: DockerfileRule = {
  meta: {
    id: 'STOP205', name: 'keep-alive-without-trap', family: 'script', defaultSeverity: 'warning', fixable: false,
    summary: 'The script keeps the container alive with `tail -f /dev/null`, `sleep infinity` or a sleep loop while the app runs in the background.',
  },
  check({ chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      if (chain.failsToStart) continue;
      for (const hop of chain.scripts) {
        const t = hop.terminal;
        if (!t || t.kind !== 'keepalive' || hop.processIndex === undefined) continue;
        if (chain.outcome.verdict === 'graceful') continue;
        const daemon = hop.analysis.daemons.length > 0 ? ' (the service it started daemonised is not signalled either)' : '';
        out.push(...scriptAndDockerfile(hop, t.range,
          `A keep-alive (\`${t.text.split('\n')[0].slice(0, 40)}\`) holds ${scriptName(hop)} in front of the app: the stop signal reaches neither the keep-alive's shell nor the app${daemon}, and ${consequence(chain)}. Run the app in the foreground with \`exec\`.`,
          `Runs ${scriptName(hop)}, which keeps the container alive with a keep-alive command instead of the app: ${consequence(chain)}.`));
      }
    }
    return out;
  },
};

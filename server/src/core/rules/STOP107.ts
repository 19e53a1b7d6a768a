import type { DockerfileRule, Report } from './rule';
import { app, initFixFor, q } from './rule';
import { appIsPid1 } from './STOP501';

export const STOP107: DockerfileRule = {
  meta: {
    id: 'STOP107', name: 'pid1-without-handler', family: 'dockerfile', defaultSeverity: 'warning', fixable: false,
    summary: 'A command with no handler for the stop signal (`sleep infinity`, `tail -f /dev/null`) runs as PID 1, which ignores the signal. An application whose code installs none is STOP501.',
  },
  check({ model, chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      const a = app(chain);
      if (!a || a.role !== 'app' || a.handler !== 'none' || !a.origin) continue;
      if (a.runtime) continue; // the app's own code: STOP501
      if (chain.policy.platform === 'compose') continue; // STOP403 says it with the Compose fix
      if (chain.outcome.verdict !== 'killed' || chain.outcome.stopsAt !== chain.processes.length - 1 || !appIsPid1(chain, a)) continue;
      const S = chain.policy.signal;
      const { tini, initAdvice, grace } = initFixFor(model, chain, a);
      out.push({
        fixes: tini ? [tini] : [],
        file: a.origin.file, range: a.origin.range,
        message: `${q(a.label)} runs as PID 1 and ${a.handlerNote?.replace(/^`[^`]+` /, '') ?? 'installs no signal handler'}; the kernel gives PID 1 no default action, so ${S} is ignored and the container is SIGKILLed after ${grace} s. ${initAdvice[0].toUpperCase()}${initAdvice.slice(1)} so the signal's default action applies.`,
      });
    }
    return out;
  },
};

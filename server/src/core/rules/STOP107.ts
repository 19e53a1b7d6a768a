import type { DockerfileRule, Report } from './rule';
import { app, q } from './rule';
import { addTini } from '../fixes';
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
      const cmd = chain.stage?.cmd ?? chain.stage?.entrypoint;
      const inThisFile = !!(model && chain.stage && cmd && cmd.stage === chain.stage && a.origin.file === model.file);
      const anchor = inThisFile && cmd ? cmd.instruction.getRange().start.line : undefined;
      const tini = inThisFile && anchor !== undefined ? addTini(model, chain.stage, chain.image, anchor) : undefined;
      const initAdvice = chain.policy.platform === 'kubernetes' ? 'put an init in front (tini in the image\'s ENTRYPOINT)' : 'put an init in front (ENTRYPOINT ["tini", "--"], `docker run --init`)';
      const grace = chain.outcome.killAtSeconds ?? chain.policy.gracePeriodSeconds;
      out.push({
        fixes: tini ? [tini] : [],
        file: a.origin.file, range: a.origin.range,
        message: `${q(a.label)} runs as PID 1 and ${a.handlerNote?.replace(/^`[^`]+` /, '') ?? 'installs no signal handler'}; the kernel gives PID 1 no default action, so ${S} is ignored and the container is SIGKILLed after ${grace} s. ${initAdvice[0].toUpperCase()}${initAdvice.slice(1)} so the signal's default action applies.`,
      });
    }
    return out;
  },
};

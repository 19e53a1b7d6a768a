import type { DockerfileRule, Report } from './rule';
import { app, q } from './rule';
import { addTini } from '../fixes';

export const STOP107: DockerfileRule = {
  meta: {
    id: 'STOP107', name: 'pid1-without-handler', family: 'dockerfile', defaultSeverity: 'warning', fixable: false,
    summary: 'A command with no SIGTERM handler (`sleep infinity`, `tail -f /dev/null`) runs as PID 1, which ignores the stop signal.',
  },
  check({ model, chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      const a = app(chain);
      if (!a || a.role !== 'app' || a.handler !== 'none' || !a.origin) continue;
      if (chain.policy.platform === 'compose') continue; // STOP403 says it with the Compose fix
      if (chain.outcome.verdict !== 'killed' || chain.outcome.stopsAt !== chain.processes.length - 1) continue;
      const S = chain.policy.signal;
      const cmd = chain.stage?.cmd ?? chain.stage?.entrypoint;
      const fix = model && chain.stage && cmd && cmd.stage === chain.stage && a.origin.file === model.file
        ? addTini(model, chain.stage, chain.image, cmd.instruction.getRange().start.line) : undefined;
      out.push({
        fixes: fix ? [fix] : [],
        file: a.origin.file, range: a.origin.range,
        message: `${q(a.label)} runs as PID 1 and ${a.handlerNote?.replace(/^`[^`]+` /, '') ?? 'installs no signal handler'}; the kernel gives PID 1 no default action, so ${S} is ignored and the container is SIGKILLed after ${chain.policy.gracePeriodSeconds} s. ${chain.policy.platform === 'kubernetes' ? 'Put an init in front (tini in the image\'s ENTRYPOINT)' : 'Put an init in front (ENTRYPOINT ["tini", "--"], `docker run --init`)'} so the signal's default action applies.`,
      });
    }
    return out;
  },
};

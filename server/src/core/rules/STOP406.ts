import type { YamlRule } from './yamlRule';
import type { Report } from './rule';
import { app, q } from './rule';
import { parseSignal } from '../signals';

export const STOP406: YamlRule = {
  meta: {
    id: 'STOP406', name: 'compose-stop-signal', family: 'compose', defaultSeverity: 'warning', fixable: false,
    summary: '`stop_signal` that Docker rejects or that cannot be handled, or that never reaches the app.',
  },
  check({ chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      const s = chain.service;
      if (!s?.stopSignal) continue;
      const p = parseSignal(s.stopSignal.value);
      if (!p.ok) {
        out.push({ range: s.stopSignal.range, severity: 'error', message: `${p.error}: \`docker compose up\` fails to create the container. Use a name such as SIGTERM, SIGINT or SIGQUIT.` });
        continue;
      }
      if (p.name === 'SIGKILL') {
        out.push({ range: s.stopSignal.range, message: 'SIGKILL cannot be caught or ignored: every stop kills the container at once, with no cleanup.' });
        continue;
      }
      if (p.name === 'SIGSTOP') {
        const G = chain.policy.gracePeriodSeconds;
        out.push({
          range: s.stopSignal.range,
          message: `SIGSTOP cannot be caught or ignored, and it does not end a process: it suspends PID 1 where it is (its children keep running). The container never exits on it, so \`docker compose stop\` waits the whole stop_grace_period (${G} s) and then SIGKILLs everything — every stop takes ${G} s and ends in a hard kill with no cleanup. Use a signal the app handles, such as SIGTERM.`,
        });
        continue;
      }
      const a = app(chain);
      if (chain.outcome.appReceivesSignal === false && a && chain.outcome.stopsAt !== undefined) {
        out.push({
          range: s.stopSignal.range,
          message: `stop_signal ${p.name} never reaches ${a.role === 'app' ? q(a.label) : 'the app'}: ${chain.outcome.summary}.`,
        });
      }
    }
    return out;
  },
};

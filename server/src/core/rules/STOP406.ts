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
      if (p.name === 'SIGKILL' || p.name === 'SIGSTOP') {
        out.push({ range: s.stopSignal.range, message: `${p.name} cannot be caught: every stop is a hard kill with no cleanup.` });
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

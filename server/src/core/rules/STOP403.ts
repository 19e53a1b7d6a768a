import type { YamlRule } from './yamlRule';
import type { Report } from './rule';
import { app, q } from './rule';
import { insertYamlKey } from '../fixes';

export const STOP403: YamlRule = {
  meta: {
    id: 'STOP403', name: 'compose-init-would-help', family: 'compose', defaultSeverity: 'warning', fixable: false,
    summary: 'A service whose PID 1 has no handler for the stop signal (`sleep`, `tail -f`) and no `init: true`: every stop waits for the grace period. An application whose code installs none is STOP501.',
  },
  check({ file, model, chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      const s = chain.service;
      const a = app(chain);
      if (!s || s.init?.value || !a || a.role !== 'app' || a.handler !== 'none') continue;
      if (chain.outcome.verdict !== 'killed' || chain.outcome.stopsAt !== chain.processes.length - 1) continue;
      if (a.runtime) continue; // the app's own code: STOP501
      const edit = insertYamlKey(file, model.lines, s.range.start, 'init', 'true');
      out.push({
        fixes: edit ? [{ title: 'Add init: true to the service', edits: [edit], preferred: true }] : [],
        range: s.command?.range ?? s.entrypoint?.range ?? s.name.range,
        message: `${q(a.label)} is PID 1 of service ${s.name.value} and has no handler for ${chain.policy.signal}, which PID 1 ignores: \`docker compose stop\` waits ${chain.policy.gracePeriodSeconds} s and SIGKILLs it. Add \`init: true\` to the service so the signal's default action applies.`,
      });
    }
    return out;
  },
};

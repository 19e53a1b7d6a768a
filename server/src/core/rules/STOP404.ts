import type { YamlRule } from './yamlRule';
import type { Report } from './rule';
import { app, q } from './rule';

export const STOP404: YamlRule = {
  meta: {
    id: 'STOP404', name: 'compose-init-before-script', family: 'compose', defaultSeverity: 'warning', fixable: false,
    summary: '`init: true` in front of a shell or start script that does not exec: docker-init exits as soon as the shell dies, cutting the app short.',
  },
  check({ chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      const s = chain.service;
      if (!s?.init?.value || chain.outcome.verdict !== 'cut-short') continue;
      const stopper = chain.outcome.stopsAt !== undefined ? chain.processes[chain.outcome.stopsAt] : undefined;
      if (!stopper || stopper.role !== 'shell') continue;
      const a = app(chain);
      out.push({
        range: s.init.range,
        message: `init: true puts docker-init in front of ${q(stopper.label)}, which does not exec ${a && a.role === 'app' ? q(a.label) : 'the app'}: on ${chain.policy.signal} the shell dies, docker-init exits at once, and the app never gets to clean up. An init does not fix a missing exec; add \`exec\` to the final command.`,
        related: stopper.origin ? [{ file: stopper.origin.file, range: stopper.origin.range, message: 'the shell that stays' }] : [],
      });
    }
    return out;
  },
};

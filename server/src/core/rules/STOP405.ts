import type { YamlRule } from './yamlRule';
import type { Report } from './rule';

export const STOP405: YamlRule = {
  meta: {
    id: 'STOP405', name: 'compose-double-init', family: 'compose', defaultSeverity: 'info', fixable: false,
    summary: '`init: true` while the image already starts tini or dumb-init: it works, but one init is enough.',
  },
  check({ chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      const s = chain.service;
      if (!s?.init?.value) continue;
      const inner = chain.processes.slice(1).find((p) => p.role === 'init');
      if (!inner) continue;
      out.push({
        range: s.init.range,
        message: `The command already starts an init (${inner.label}); with init: true docker-init runs in front of it. Signals still reach the app (the inner init only warns that it is not a subreaper), but one of the two is unnecessary.`,
      });
    }
    return out;
  },
};

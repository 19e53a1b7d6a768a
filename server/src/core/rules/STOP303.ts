import type { YamlRule } from './yamlRule';
import type { Report } from './rule';

export const STOP303: YamlRule = {
  meta: {
    id: 'STOP303', name: 'prestop-sleep-exceeds-grace', family: 'kubernetes', defaultSeverity: 'error', fixable: false,
    summary: '`preStop.sleep.seconds` greater than terminationGracePeriodSeconds: the API server rejects the object.',
  },
  check({ chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      const ps = chain.container?.preStop;
      if (!ps || ps.kind !== 'sleep' || ps.seconds === undefined) continue;
      const G = chain.policy.gracePeriodSeconds;
      if (ps.seconds <= G) continue;
      out.push({
        range: ps.range,
        message: `preStop sleep of ${ps.seconds} s is longer than terminationGracePeriodSeconds (${G}${chain.pod?.grace ? '' : ', the default'}): the API server rejects this spec. Raise terminationGracePeriodSeconds to at least ${ps.seconds} plus the app's shutdown time.`,
      });
    }
    return out;
  },
};

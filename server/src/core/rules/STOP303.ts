import type { YamlRule } from './yamlRule';
import type { Report } from './rule';
import { insertYamlKey, replaceValue } from '../fixes';

export const STOP303: YamlRule = {
  meta: {
    id: 'STOP303', name: 'prestop-sleep-exceeds-grace', family: 'kubernetes', defaultSeverity: 'error', fixable: false,
    summary: '`preStop.sleep.seconds` greater than terminationGracePeriodSeconds: the API server rejects the object.',
  },
  check({ file, model, chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      const ps = chain.container?.preStop;
      if (!ps || ps.kind !== 'sleep' || ps.seconds === undefined) continue;
      const G = chain.policy.gracePeriodSeconds;
      if (ps.seconds <= G) continue;
      const want = String(Math.ceil(ps.seconds) + 30);
      const edit = chain.pod?.grace ? replaceValue(file, chain.pod.grace.range, want)
        : chain.pod ? insertYamlKey(file, model.lines, chain.pod.specRange.start, 'terminationGracePeriodSeconds', want) : undefined;
      out.push({
        fixes: edit ? [{ title: `Raise terminationGracePeriodSeconds to ${want}`, edits: [edit], preferred: true }] : [],
        range: ps.range,
        message: `preStop sleep of ${ps.seconds} s is longer than terminationGracePeriodSeconds (${G}${chain.pod?.grace ? '' : ', the default'}): the API server rejects this spec. Raise terminationGracePeriodSeconds to at least ${ps.seconds} plus the app's shutdown time.`,
      });
    }
    return out;
  },
};

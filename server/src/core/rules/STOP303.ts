import type { YamlRule } from './yamlRule';
import type { Report } from './rule';
import { graceEdit, K8S_DEFAULT_GRACE } from './yamlRule';

export const STOP303: YamlRule = {
  meta: {
    id: 'STOP303', name: 'prestop-sleep-exceeds-grace', family: 'kubernetes', defaultSeverity: 'error', fixable: false,
    summary: '`preStop.sleep.seconds` greater than terminationGracePeriodSeconds: the API server rejects the object.',
  },
  check({ file, model, chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      const ps = chain.container?.preStop;
      if (!ps || ps.kind !== 'sleep' || ps.seconds === undefined || !chain.pod) continue;
      // The API server validates the object as written, defaulted: 30 s when the field is absent
      // (not the grace period a setting assumes for the running pod).
      const G = chain.pod.grace?.value ?? K8S_DEFAULT_GRACE;
      if (ps.seconds <= G) continue;
      const want = String(Math.ceil(ps.seconds) + 30);
      const edit = graceEdit(file, model.lines, chain.pod, want);
      out.push({
        fixes: edit ? [{ title: `Raise terminationGracePeriodSeconds to ${want}`, edits: [edit], preferred: true }] : [],
        range: ps.range,
        message: `preStop sleep of ${ps.seconds} s is longer than terminationGracePeriodSeconds (${G}${chain.pod.grace ? '' : ', the API default'}): the API server rejects this spec. Raise terminationGracePeriodSeconds to at least ${ps.seconds} plus the app's shutdown time.`,
      });
    }
    return out;
  },
};

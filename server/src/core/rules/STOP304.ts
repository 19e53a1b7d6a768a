import type { YamlRule } from './yamlRule';
import type { Report } from './rule';

export const STOP304: YamlRule = {
  meta: {
    id: 'STOP304', name: 'grace-period-too-short', family: 'kubernetes', defaultSeverity: 'warning', fixable: false,
    summary: 'terminationGracePeriodSeconds of 0 or 1, or so close to the preStop duration that the app gets only the kubelet\'s 2 s minimum.',
  },
  check({ model, chains }) {
    const out: Report[] = [];
    const seen = new Set<unknown>();
    for (const pod of model.pods) {
      // 0 and 1 both end in the kubelet's minimum: it never allows less than 2 s between the stop
      // signal and SIGKILL (SEMANTICS.md §3).
      if (pod.grace && pod.grace.value >= 0 && pod.grace.value < 2) {
        seen.add(pod);
        out.push({ range: pod.grace.range, message: `terminationGracePeriodSeconds: ${pod.grace.value} leaves no time to shut down: the kubelet sends the stop signal and SIGKILLs 2 s later, the minimum it ever allows, so the app gets only those 2 s. In-flight work is cut off on every rollout.` });
      }
    }
    for (const chain of chains) {
      const ps = chain.container?.preStop;
      const pod = chain.pod;
      if (!ps || ps.seconds === undefined || !pod || seen.has(pod)) continue;
      const G = chain.policy.gracePeriodSeconds;
      const left = G - ps.seconds;
      if (left <= 0 || left >= 2) continue;
      out.push({
        range: pod.grace?.range ?? ps.range,
        message: `The preStop hook (${ps.seconds} s) leaves ${left} s of the ${G} s grace period: the app gets only the kubelet's 2 s minimum after the stop signal. Raise terminationGracePeriodSeconds.`,
      });
    }
    return out;
  },
};

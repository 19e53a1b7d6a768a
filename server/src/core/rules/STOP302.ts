import type { YamlRule } from './yamlRule';
import type { Report } from './rule';
import { graceEdit, K8S_DEFAULT_GRACE } from './yamlRule';
import { app, q } from './rule';

export const STOP302: YamlRule = {
  meta: {
    id: 'STOP302', name: 'prestop-uses-grace-period', family: 'kubernetes', defaultSeverity: 'warning', fixable: false,
    summary: 'The preStop hook takes the whole grace period: the stop signal comes only at its end, with 2 s left before SIGKILL.',
  },
  check({ file, model, chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      const c = chain.container;
      const ps = c?.preStop;
      if (!c || !ps || ps.seconds === undefined) continue;
      const G = chain.policy.gracePeriodSeconds;
      if (ps.seconds < G) continue;
      if (ps.kind === 'sleep' && ps.seconds > (chain.pod?.grace?.value ?? K8S_DEFAULT_GRACE)) continue; // STOP303: rejected by the API server
      const a = app(chain);
      const want = String(Math.ceil(ps.seconds) + 30);
      const edit = chain.pod ? graceEdit(file, model.lines, chain.pod, want) : undefined;
      out.push({
        fixes: edit ? [{ title: `Raise terminationGracePeriodSeconds to ${want}`, edits: [edit], preferred: true }] : [],
        range: ps.range,
        message: `The preStop hook takes ${ps.seconds} s of a ${G} s grace period (terminationGracePeriodSeconds${chain.pod?.grace ? '' : ', default'}): the kubelet sends ${chain.policy.signal} only when the grace period ends and SIGKILLs 2 s later, so ${a && a.role === 'app' ? q(a.label) : 'the app'} gets 2 s to shut down. Shorten the hook or raise terminationGracePeriodSeconds above ${ps.seconds} + the app's shutdown time.`,
      });
    }
    return out;
  },
};

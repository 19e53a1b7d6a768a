import type { YamlRule } from './yamlRule';
import type { Report } from './rule';
import { versionAtLeast } from './yamlRule';
import { addPreStopFix, PRESTOP_SECONDS } from '../prestopFix';

/** Controllers that replace pods on rollout, usually behind a Service. */
const SERVING_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'ReplicationController']);

export const STOP310: YamlRule = {
  meta: {
    id: 'STOP310', name: 'serving-container-without-prestop', family: 'kubernetes', defaultSeverity: 'info', fixable: true,
    summary: 'A container that serves on a port, in a Deployment/StatefulSet/DaemonSet, has no preStop hook: requests routed to it while the endpoint removal spreads reach an app that is already shutting down.',
  },
  check({ file, model, chains, config }) {
    const out: Report[] = [];
    for (const chain of chains) {
      const c = chain.container;
      const pod = chain.pod;
      if (!c || !pod || c.sidecar || !c.ports || c.preStop) continue;
      if (!SERVING_KINDS.has(pod.kind.value)) continue;
      // Only when the app does get the signal: otherwise the shell/script rules say what matters.
      if (chain.outcome.verdict !== 'graceful') continue;
      if (pod.grace?.value === 0) continue;
      const sleepAction = versionAtLeast(config.kubernetesVersion, 1, 30);
      const hasSleep = chain.image.family === 'dash' || chain.image.family === 'busybox' || chain.image.family === 'bash';
      const fix = sleepAction ? addPreStopFix(file, model.lines, c, pod, 'sleep')
        : hasSleep ? addPreStopFix(file, model.lines, c, pod, 'exec') : undefined;
      const how = sleepAction ? `\`preStop: {sleep: {seconds: ${PRESTOP_SECONDS}}}\``
        : hasSleep ? `\`preStop: {exec: {command: ["sleep", "${PRESTOP_SECONDS}"]}}\``
          : `the kubelet's sleep action (Kubernetes 1.30+; this image has no \`sleep\` binary)`;
      out.push({
        range: c.ports,
        fixes: fix ? [fix] : [],
        message: `Container ${c.name.value} serves on a port and has no preStop hook. When a pod is deleted, its endpoints are removed at the same time as ${chain.policy.signal} is sent, and every node's proxy takes a moment to notice: requests still routed to it reach an app that is already shutting down. A short ${how} keeps it serving until they stop arriving (it counts against terminationGracePeriodSeconds).`,
      });
    }
    return out;
  },
};

import type { YamlRule } from './yamlRule';
import type { Report } from './rule';
import { versionAtLeast } from './yamlRule';

export const STOP305: YamlRule = {
  meta: {
    id: 'STOP305', name: 'prestop-binary-missing', family: 'kubernetes', defaultSeverity: 'warning', fixable: false,
    summary: 'An exec preStop hook on an image without a shell or coreutils (distroless, scratch): the hook fails and its delay is lost.',
  },
  check({ chains, config }) {
    const out: Report[] = [];
    for (const chain of chains) {
      const ps = chain.container?.preStop;
      if (!ps || ps.kind !== 'exec' || !ps.command?.length) continue;
      if (chain.image.family !== 'none') continue;
      const bin = ps.command[0].value;
      const sleepAction = versionAtLeast(config.kubernetesVersion, 1, 30);
      out.push({
        range: ps.range,
        message: `${chain.image.ref} has no shell or coreutils (${chain.image.reason}), so \`${bin}\` cannot run: the preStop hook fails at once and the stop signal follows immediately — the delay it was meant to add is lost. ${sleepAction ? 'Use the kubelet\'s sleep action: `preStop: {sleep: {seconds: N}}`.' : 'Ship the binary in the image, or upgrade to Kubernetes 1.30+ and use `preStop: {sleep: {seconds: N}}`.'}`,
      });
    }
    return out;
  },
};

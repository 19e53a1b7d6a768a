import type { YamlRule } from './yamlRule';
import type { Report } from './rule';
import { versionAtLeast } from './yamlRule';

export const STOP307: YamlRule = {
  meta: {
    id: 'STOP307', name: 'stop-signal-needs-os', family: 'kubernetes', defaultSeverity: 'error', fixable: false,
    summary: '`lifecycle.stopSignal` without `spec.os.name`: the API server rejects it (and it needs Kubernetes 1.33+ with ContainerStopSignals).',
  },
  check({ chains, config }) {
    const out: Report[] = [];
    for (const chain of chains) {
      const c = chain.container;
      if (!c?.stopSignal || !chain.pod) continue;
      if (!chain.pod.osName) {
        out.push({ range: c.stopSignal.range, message: 'lifecycle.stopSignal requires spec.os.name (e.g. `os: {name: linux}`): without it the API server rejects the pod.' });
      } else if (!versionAtLeast(config.kubernetesVersion, 1, 33)) {
        out.push({ range: c.stopSignal.range, severity: 'info', message: `lifecycle.stopSignal exists from Kubernetes 1.33 (alpha, feature gate ContainerStopSignals); the configured version is ${config.kubernetesVersion}, where the field is dropped and the image's STOPSIGNAL applies.` });
      }
    }
    return out;
  },
};

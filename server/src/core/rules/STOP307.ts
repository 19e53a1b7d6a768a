import type { YamlRule } from './yamlRule';
import type { Report } from './rule';
import { versionAtLeast } from './yamlRule';
import { parseSignal } from '../signals';

export const STOP307: YamlRule = {
  meta: {
    id: 'STOP307', name: 'stop-signal-needs-os', family: 'kubernetes', defaultSeverity: 'error', fixable: false,
    summary: '`lifecycle.stopSignal` that is not a signal, or without `spec.os.name`: the API server rejects it (and it needs Kubernetes 1.33+ with ContainerStopSignals).',
  },
  check({ chains, config }) {
    const out: Report[] = [];
    for (const chain of chains) {
      const c = chain.container;
      if (!c?.stopSignal || !chain.pod) continue;
      const raw = c.stopSignal.value;
      const p = parseSignal(raw);
      const known = versionAtLeast(config.kubernetesVersion, 1, 33);
      if (!p.ok) {
        out.push({ range: c.stopSignal.range, message: `lifecycle.stopSignal: ${p.error}: the API server rejects the pod. Use a signal name such as SIGTERM, SIGINT or SIGQUIT.` });
      } else if (!/^SIG[A-Z0-9]+([+-]\d+)?$/.test(raw.trim())) {
        // The API lists the signals by their full names (SIGTERM, SIGRTMIN+1 …); numbers and short forms are Docker's.
        out.push({ range: c.stopSignal.range, severity: 'warning', message: `lifecycle.stopSignal takes a signal's full name, as the API lists it: write \`${p.name}\`, not \`${raw.trim()}\` (numbers and names without SIG are accepted by Docker, not by the Kubernetes API).` });
      }
      if (!known) {
        out.push({ range: c.stopSignal.range, severity: 'info', message: `lifecycle.stopSignal exists from Kubernetes 1.33 (alpha, feature gate ContainerStopSignals); the configured version is ${config.kubernetesVersion}, where the field is dropped and the image's STOPSIGNAL applies.` });
      } else if (!chain.pod.osName) {
        out.push({ range: c.stopSignal.range, message: 'lifecycle.stopSignal requires spec.os.name (e.g. `os: {name: linux}`): without it the API server rejects the pod.' });
      }
    }
    return out;
  },
};

import type { YamlRule } from './yamlRule';
import type { Report } from './rule';

export const STOP309: YamlRule = {
  meta: {
    id: 'STOP309', name: 'share-process-namespace', family: 'kubernetes', defaultSeverity: 'info', fixable: false,
    summary: '`shareProcessNamespace: true`: the pause process is PID 1, so the app is not, and default signal actions apply again.',
  },
  check({ model }) {
    const out: Report[] = [];
    for (const pod of model.pods) {
      if (!pod.shareProcessNamespace) continue;
      out.push({
        range: pod.shareProcessNamespace,
        message: 'With shareProcessNamespace the pause container is PID 1: your containers\' main processes are not, so SIGTERM\'s default action applies again — an app without a handler dies at once (no cleanup), and a shell in front of the app dies and leaves it to be killed with the container.',
      });
    }
    return out;
  },
};

import type { DockerfileRule, Report } from './rule';

export const STOP110: DockerfileRule = {
  meta: {
    id: 'STOP110', name: 'double-init', family: 'dockerfile', defaultSeverity: 'info', fixable: false,
    summary: 'Two inits in front of the app: it works (measured), the inner one only warns that it is not a subreaper.',
  },
  check({ chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      const inits = chain.processes.filter((p) => p.role === 'init');
      if (inits.length < 2 || !inits[1].origin) continue;
      // Compose `init: true` in front of another init: STOP405 reports it on the `init:` key.
      if (chain.policy.platformInit && inits[0] === chain.processes[0] && chain.policy.platform === 'compose') continue;
      out.push({
        file: inits[1].origin.file, range: inits[1].origin.range,
        message: `${inits[0].label} already runs as init; the second init (${inits[1].label}) is harmless (signals still reach the app; it warns that it is not a subreaper) but unnecessary.`,
      });
    }
    return out;
  },
};

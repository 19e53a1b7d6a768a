import type { DockerfileRule, Report } from './rule';
import { q } from './rule';

export const STOP105: DockerfileRule = {
  meta: {
    id: 'STOP105', name: 'package-manager-runner', family: 'dockerfile', defaultSeverity: 'warning', fixable: false,
    summary: '`npm start` / `yarn start` / `pnpm …` as the container command: the runner does not pass the stop signal to the app.',
  },
  check({ chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      for (const p of chain.processes) {
        if (p.role !== 'runner' || !p.origin) continue;
        const S = chain.policy.signal;
        const measured = p.kind === 'npm';
        out.push({
          file: p.origin.file, range: p.origin.range,
          message: `${q(p.label)} runs the package.json script through \`sh -c\`. On ${S}, ${p.kind} signals that shell, which dies, and ${p.kind} exits: the app never receives ${S} and the container stops with its cleanup cut short${measured ? '' : ` (${p.kind} modelled like npm)`}. Run the app directly in exec form, e.g. CMD ["node", "server.js"].`,
        });
      }
    }
    return out;
  },
};

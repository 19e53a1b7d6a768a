import type { DockerfileRule, Report } from './rule';
import { q } from './rule';

/** The fix in the words of the file the runner is written in. */
function instead(platform: string, file: string): string {
  if (/\.ya?ml$/i.test(file)) {
    return platform === 'compose'
      ? 'Run the app directly from the service\'s `command:` as a list, e.g. `command: ["node", "server.js"]`.'
      : 'Run the app directly from the container\'s `command` (or `args`) list, e.g. `command: ["node", "server.js"]`.';
  }
  if (/(^|\/)(Dockerfile|Containerfile)[^/]*$|\.(docker|container)file$/i.test(file)) return 'Run the app directly in exec form, e.g. CMD ["node", "server.js"].';
  return 'Start the app directly from the script, e.g. `exec node server.js`.';
}

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
          message: `${q(p.label)} runs the package.json script through \`sh -c\`. On ${S}, ${p.kind} signals that shell, which dies, and ${p.kind} exits: the app never receives ${S} and the container stops with its cleanup cut short${measured ? '' : ` (${p.kind} modelled like npm)`}. ${instead(chain.policy.platform, p.origin.file)}`,
        });
      }
    }
    return out;
  },
};

import type { DockerfileRule, Report } from './rule';

export const STOP111: DockerfileRule = {
  meta: {
    id: 'STOP111', name: 'copy-outside-context', family: 'dockerfile', defaultSeverity: 'error', fixable: false,
    summary: 'COPY/ADD of a start script from outside the build context: Docker refuses it, and stopcheck does not follow it.',
  },
  check({ chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      for (const p of chain.fileProblems) {
        if (p.at) out.push({ file: p.at.file, range: p.at.range, message: p.message });
      }
    }
    return out;
  },
};

import type { DockerfileRule, Report } from './rule';
import { app } from './rule';
import { gracefulSignalOf } from '../chain';

export const STOP109: DockerfileRule = {
  meta: {
    id: 'STOP109', name: 'graceful-signal-mismatch', family: 'dockerfile', defaultSeverity: 'warning', fixable: false,
    summary: 'The app stops gracefully on another signal (nginx and php-fpm SIGQUIT, httpd SIGWINCH, postgres SIGINT) than the one it is sent.',
  },
  check({ chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      const a = app(chain);
      if (!a || a.role !== 'app' || !a.gracefulSignal || chain.outcome.appReceivesSignal !== true) continue;
      const S = chain.policy.signal;
      if (a.gracefulSignal === S) continue;
      const g = gracefulSignalOf(a.argv);
      if (!g) continue;
      const range = chain.policy.signalOrigin?.range ?? a.origin?.range;
      if (!range) continue;
      out.push({
        range,
        message: `${g.program} stops gracefully on ${g.signal}; the ${S} it is sent here means ${g.termMeans}. Set STOPSIGNAL ${g.signal}.`,
      });
    }
    return out;
  },
};

// STOP501: the app at the end of the chain runs as PID 1 and its own code installs no handler for the
// stop signal (Node.js, Python, the JVM with -Xrs …; runtime.ts reads the code). Keep-alive commands
// (`sleep`, `tail -f`) are STOP107 / STOP403; this rule is about the application's code.
import type { DockerfileRule, Report } from './rule';
import type { YamlRule } from './yamlRule';
import { app, initFixFor, q } from './rule';
import type { ChainProcess, LaunchChain } from '../chain';
import type { Fix, RuleMeta } from '../types';
import { insertYamlKey, setStopSignal } from '../fixes';

const RUNTIME_NAME: Record<string, string> = { node: 'Node.js', python: 'Python', jvm: 'the JVM', ruby: 'Ruby', go: 'Go', server: 'the server' };

/** The idiomatic handler for the stop signal, by runtime (for messages; the docs show whole snippets). */
export function handlerHint(runtime: string | undefined, signal: string): string | undefined {
  switch (runtime) {
    case 'node': return `process.on('${signal}', …)`;
    case 'python': return `signal.signal(signal.${signal}, …)`;
    default: return undefined;
  }
}

/** A signal the app's runtime stops on gracefully by itself, other than the one it is sent (Python: SIGINT). */
export function runtimeGracefulSignal(a: ChainProcess, sent: string): string | undefined {
  if (!a.runtime || a.runtime === 'server') return undefined;
  return a.gracefulSignals?.find((s) => s !== sent);
}

/** The app is the chain's PID 1 (nothing in front of it, and the platform does not put a pause process first). */
export function appIsPid1(chain: LaunchChain, a: ChainProcess): boolean {
  return chain.processes.indexOf(a) === 0 && !chain.policy.notPid1;
}

/** The app of a chain this rule is about: read code, no handler, PID 1, and the verdict is killed because of it. */
function unhandledApp(chain: LaunchChain): ChainProcess | undefined {
  const a = app(chain);
  if (!a || a.role !== 'app' || a.handler !== 'none' || !a.runtime || !a.origin) return undefined;
  if (chain.outcome.verdict !== 'killed' || chain.outcome.stopsAt !== chain.processes.length - 1 || !appIsPid1(chain, a)) return undefined;
  return a;
}

function joinWays(ways: Array<string | undefined>): string {
  const w = ways.filter((x): x is string => !!x);
  return w.length > 2 ? `${w.slice(0, -1).join(', ')}, or ${w[w.length - 1]}` : w.join(' or ');
}

export const STOP501_META: RuleMeta = {
  id: 'STOP501', name: 'app-ignores-stop-signal', family: 'app', defaultSeverity: 'warning', fixable: true,
  summary: 'The app runs as PID 1 and its code (read from the build context) installs no handler for the stop signal: the signal is ignored and the container is SIGKILLed after the grace period.',
};

/** Dockerfiles, and Kubernetes containers whose command runs an app from a workspace Dockerfile. */
export const STOP501: DockerfileRule = {
  meta: STOP501_META,
  check({ model, chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      if (chain.policy.platform === 'compose') continue; // the Compose twin below, with Compose fixes
      const a = unhandledApp(chain);
      if (!a || !a.runtime || !a.origin) continue;
      const S = chain.policy.signal;
      const { anchor, tini, initAdvice, grace } = initFixFor(model, chain, a);
      const alt = runtimeGracefulSignal(a, S);
      const fixes: Fix[] = [];
      const stopSig = alt && model && chain.stage && anchor !== undefined && chain.policy.platform === 'docker'
        ? setStopSignal(model, chain.stage, alt, anchor) : undefined;
      if (stopSig) fixes.push(stopSig);
      // An init does not help a program that ignores the signal anywhere (SIG_IGN, the JVM's SIGQUIT).
      const keepsRunning = a.signalHandling?.[S]?.keepsRunning === true;
      if (tini && !keepsRunning) fixes.push({ ...tini, preferred: !stopSig });
      const name = RUNTIME_NAME[a.runtime] ?? a.runtime;
      const hint = handlerHint(a.runtime, S);
      const list = joinWays([
        hint ? `handle ${S} in the app (\`${hint}\`)` : undefined,
        a.runtime === 'jvm' && a.argv.some((x) => x === '-Xrs' || x === '-XX:+ReduceSignalUsage') ? 'drop -Xrs so the JVM runs its shutdown hooks' : undefined,
        alt ? `set STOPSIGNAL ${alt}${chain.policy.platform === 'kubernetes' ? ' in the image' : ''} (${name} stops on it by itself)` : undefined,
        keepsRunning ? undefined : initAdvice,
      ]);
      out.push({
        fixes,
        file: a.origin.file, range: a.origin.range,
        message: `${q(a.label)} runs as PID 1 and ignores ${S}. ${a.handlerNote ?? ''} The container is SIGKILLed after ${grace} s, with no cleanup.${list ? ` To fix it, ${list}.` : ''}`.replace(/\s+/g, ' '),
      });
    }
    return out;
  },
};

/** Compose services: the same finding, with `stop_signal` and `init: true` as the fixes. */
export const STOP501_COMPOSE: YamlRule = {
  meta: STOP501_META,
  check({ file, model, chains }) {
    const out: Report[] = [];
    for (const chain of chains) {
      const s = chain.service;
      if (!s || s.init?.value) continue;
      const a = unhandledApp(chain);
      if (!a || !a.runtime) continue;
      const S = chain.policy.signal;
      const alt = runtimeGracefulSignal(a, S);
      const fixes: Fix[] = [];
      // insertYamlKey replaces the service's own key, and overrides one merged in with `<<` without editing the anchor.
      const sig = alt ? insertYamlKey(file, model.lines, s.range.start, 'stop_signal', alt) : undefined;
      if (sig) fixes.push({ title: `Set stop_signal: ${alt} for the service`, edits: [sig], preferred: true });
      const keepsRunning = a.signalHandling?.[S]?.keepsRunning === true;
      const init = insertYamlKey(file, model.lines, s.range.start, 'init', 'true');
      if (init && !keepsRunning) fixes.push({ title: 'Add init: true to the service', edits: [init], preferred: !sig });
      const hint = handlerHint(a.runtime, S);
      const list = joinWays([hint ? `handle ${S} in the app (\`${hint}\`)` : undefined, alt ? `set \`stop_signal: ${alt}\`` : undefined, keepsRunning ? undefined : 'add `init: true` to the service']);
      out.push({
        fixes,
        range: s.command?.range ?? s.entrypoint?.range ?? s.name.range,
        message: `${q(a.label)} is PID 1 of service ${s.name.value} and ignores ${S}. ${a.handlerNote ?? ''} \`docker compose stop\` waits ${chain.policy.gracePeriodSeconds} s and SIGKILLs it, with no cleanup.${list ? ` To fix it, ${list}.` : ''}`.replace(/\s+/g, ' '),
      });
    }
    return out;
  },
};

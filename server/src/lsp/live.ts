// Live stop simulation over LSP: two custom requests (not executeCommand commands, so an editor never
// exposes them as commands anything could invoke): `stopcheck/livePlan` says exactly what would run,
// `stopcheck/liveRun` runs it when the plan is still the one the user confirmed. A cancelled request
// aborts the run; shutdown, exit, a closed connection and SIGTERM/SIGINT/SIGHUP abort every run.
// The editor decides whether a run may start (trusted workspace, confirmation); the server runs
// nothing on its own.
import * as path from 'path';
import type { CancellationToken, Connection } from 'vscode-languageserver';
import type { LaunchChain } from '../core/chain';
import type { DockerfileModel } from '../core/dockerfile';
import { liveAvailable, planLive, runLive, type LivePlan } from '../core/simulate/live';
import { describeLive, observedJson, planDigest, planSummary, type ObservedJson, type PlanSummary } from '../core/simulate/liveReport';

export const LIVE_PLAN_REQUEST = 'stopcheck/livePlan';
export const LIVE_RUN_REQUEST = 'stopcheck/liveRun';

export interface LivePlanParams { uri: string; index: number }
export interface LiveRunParams extends LivePlanParams {
  /** The digest of the plan the user confirmed: the run is refused if the plan changed since. */
  digest: string;
  timeScale?: number;
  settleMs?: number;
}

export interface LivePlanResult {
  target?: string;
  staticVerdict?: string;
  plan?: PlanSummary;
  /** Why it cannot run here (the static simulation stands). */
  error?: string;
  isolation?: string;
  isolationDetail?: string;
}

export interface LiveRunResult {
  target?: string;
  staticVerdict?: string;
  observed?: ObservedJson;
  /** Plain-text log, in the timeline grammar's shape. */
  log?: string[];
  error?: string;
}

interface Source { chains: LaunchChain[]; dockerModel?: DockerfileModel }

export interface LiveHost {
  /** Resolves once the editor's settings are read. */
  ready(): Promise<void>;
  /** A fresh analysis of a source document (open or on disk), with the grammars it needs loaded. */
  resultFor(uri: string): Promise<Source | undefined>;
  uriToPath(uri: string): string | undefined;
  log(message: string): void;
}

const STOP_SIGNALS: Array<[NodeJS.Signals, number]> = [['SIGTERM', 15], ['SIGINT', 2], ['SIGHUP', 1]];

export function registerLive(connection: Connection, host: LiveHost): { abortAll(why: string): Promise<void> } {
  const runs = new Map<AbortController, Promise<unknown>>();
  let closing = false;

  const onStopSignal = (no: number) => () => {
    void abortAll(`signal ${no}`);
    process.exit(128 + no); // the live engine's exit hook kills what is left, synchronously
  };
  const signalHandlers = STOP_SIGNALS.map(([name, no]) => [name, onStopSignal(no)] as const);
  const armSignals = (on: boolean) => {
    for (const [name, h] of signalHandlers) {
      if (on) process.on(name, h);
      else process.removeListener(name, h);
    }
  };
  process.on('disconnect', () => void abortAll('the connection closed'));

  async function abortAll(why: string): Promise<void> {
    closing = true;
    if (runs.size === 0) return;
    host.log(`stopcheck: aborting ${runs.size} live run(s): ${why}`);
    for (const ac of runs.keys()) ac.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled([...runs.values()]),
      new Promise<void>((r) => { timer = setTimeout(r, 5000); }),
    ]);
    clearTimeout(timer);
  }

  async function planFor(p: LivePlanParams): Promise<{ chain: LaunchChain; plan: LivePlan } | { error: string; chain?: LaunchChain }> {
    if (!p || typeof p.uri !== 'string' || typeof p.index !== 'number') return { error: 'expected { uri, index }' };
    const r = await host.resultFor(p.uri);
    const file = host.uriToPath(p.uri);
    if (!r || !file) return { error: `not a Dockerfile, Compose file or Kubernetes manifest on disk: ${p.uri}` };
    const chain = r.chains[p.index];
    if (!chain) return { error: `no container command #${p.index} in ${path.basename(file)}` };
    const plan = planLive(chain, { contextDir: path.dirname(file), model: r.dockerModel });
    return 'error' in plan ? { error: plan.error, chain } : { chain, plan };
  }

  connection.onRequest(LIVE_PLAN_REQUEST, async (p: LivePlanParams): Promise<LivePlanResult> => {
    await host.ready();
    const got = await planFor(p);
    const head = got.chain ? { target: got.chain.target, staticVerdict: got.chain.outcome.verdict } : {};
    if ('error' in got) return { ...head, error: got.error };
    const a = await liveAvailable();
    return { ...head, plan: planSummary(got.plan), isolation: a.isolation, isolationDetail: a.detail };
  });

  connection.onRequest(LIVE_RUN_REQUEST, async (p: LiveRunParams, token: CancellationToken): Promise<LiveRunResult> => {
    if (closing) return { error: 'the server is shutting down' };
    await host.ready();
    if (closing) return { error: 'the server is shutting down' };
    if (runs.size > 0) return { error: 'a live run is already in progress; wait for it or cancel it' };
    const got = await planFor(p);
    // Checked again: the analysis may have waited for a grammar, and another run may have started meanwhile.
    if (closing) return { error: 'the server is shutting down' };
    if (runs.size > 0) return { error: 'a live run is already in progress; wait for it or cancel it' };
    const head = got.chain ? { target: got.chain.target, staticVerdict: got.chain.outcome.verdict } : {};
    if ('error' in got) return { ...head, error: got.error };
    if (typeof p.digest !== 'string' || planDigest(got.plan) !== p.digest) {
      return { ...head, error: 'what would run changed since it was confirmed (the file, a script it runs or the settings); confirm it again' };
    }
    const timeScale = typeof p.timeScale === 'number' && p.timeScale > 0 && p.timeScale <= 1 ? p.timeScale : undefined;
    const settleMs = typeof p.settleMs === 'number' && p.settleMs >= 0 && p.settleMs <= 60_000 ? p.settleMs : undefined;
    const ac = new AbortController();
    const sub = token.onCancellationRequested(() => ac.abort());
    if (token.isCancellationRequested) ac.abort();
    if (runs.size === 0) armSignals(true);
    const job = runLive(got.plan, { signal: ac.signal, staticVerdict: got.chain.outcome.verdict, timeScale, settleMs });
    runs.set(ac, job);
    host.log(`stopcheck: live run of ${got.chain.target}: ${planSummary(got.plan).command}`);
    try {
      const res = await job;
      const observed = observedJson(res);
      return { ...head, observed, log: describeLive(observed, got.chain.outcome.verdict) };
    } catch (e) {
      return { ...head, error: `the live run failed: ${(e as Error).message}` };
    } finally {
      runs.delete(ac);
      sub.dispose();
      if (runs.size === 0) armSignals(false);
    }
  });

  return { abortAll };
}

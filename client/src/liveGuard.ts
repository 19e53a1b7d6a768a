// Whether a live stop simulation may start: it runs the workspace's start scripts and programs for
// real, so only in a trusted workspace, only on Linux (PID namespaces), and one run at a time.
export interface LiveGuard {
  available: boolean;
  /** Why not (shown in the panel and when the command is refused). */
  reason?: string;
}

export function liveGuard(o: { trusted: boolean; platform: string; running?: boolean }): LiveGuard {
  if (!o.trusted) return { available: false, reason: 'disabled in Restricted Mode: it runs the workspace\'s start scripts and programs (trust the workspace to enable it)' };
  if (o.platform !== 'linux') return { available: false, reason: `live runs need Linux (PID namespaces); this is ${o.platform}` };
  if (o.running) return { available: false, reason: 'a live run is in progress (cancel it from its notification)' };
  return { available: true };
}

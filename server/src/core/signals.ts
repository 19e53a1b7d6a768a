// Stop signals, parsed the way Docker parses STOPSIGNAL / stop_signal (moby/sys signal.ParseSignal):
// a positive number, or a name with or without the SIG prefix, in any case.

const NUMBERS: Record<string, number> = {
  HUP: 1, INT: 2, QUIT: 3, ILL: 4, TRAP: 5, ABRT: 6, IOT: 6, BUS: 7, FPE: 8, KILL: 9, USR1: 10,
  SEGV: 11, USR2: 12, PIPE: 13, ALRM: 14, TERM: 15, STKFLT: 16, CHLD: 17, CLD: 17, CONT: 18,
  STOP: 19, TSTP: 20, TTIN: 21, TTOU: 22, URG: 23, XCPU: 24, XFSZ: 25, VTALRM: 26, PROF: 27,
  WINCH: 28, IO: 29, POLL: 29, PWR: 30, SYS: 31, RTMIN: 34, RTMAX: 64,
};
for (let i = 1; i <= 15; i++) NUMBERS[`RTMIN+${i}`] = 34 + i;
for (let i = 1; i <= 14; i++) NUMBERS[`RTMAX-${i}`] = 64 - i;

const CANONICAL: Record<number, string> = {};
for (const [name, n] of Object.entries(NUMBERS)) {
  if (!(n in CANONICAL) && name !== 'IOT' && name !== 'CLD' && name !== 'POLL') CANONICAL[n] = `SIG${name}`;
}

export interface ParsedSignal {
  ok: boolean;
  /** Canonical name such as SIGTERM, or SIG<n> for numbers without a name. */
  name: string;
  number: number;
  error?: string;
}

export function parseSignal(raw: string): ParsedSignal {
  const text = raw.trim();
  if (/^-?\d+$/.test(text)) {
    const n = Number(text);
    if (n <= 0 || n > 64) return { ok: false, name: text, number: n, error: `"${text}" is not a signal number (1–64)` };
    return { ok: true, name: CANONICAL[n] ?? `SIG${n}`, number: n };
  }
  const key = text.toUpperCase().replace(/^SIG/, '');
  const n = NUMBERS[key];
  if (n === undefined) return { ok: false, name: text, number: -1, error: `"${text}" is not a signal name Docker knows` };
  return { ok: true, name: CANONICAL[n] ?? `SIG${key}`, number: n };
}

export const SIGTERM = 'SIGTERM';

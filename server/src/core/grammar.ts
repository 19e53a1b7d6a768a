// Grammars (tree-sitter wasm) are loaded when an analysis first needs one, not when the process
// starts: a workspace of YAML with no containers never loads the shell's, an image with no Python
// app never loads Python's. Analyses are synchronous, so a parser that is not there yet throws
// GrammarNotLoaded; the caller loads the grammar (loadGrammar) and analyses again. Nothing is
// cached on the way out: every cache stores a result only when its computation returns.

export type Grammar = 'bash' | 'python';

export class GrammarNotLoaded extends Error {
  constructor(readonly grammar: Grammar) {
    super(`stopcheck: the ${grammar} grammar is not loaded yet`);
    this.name = 'GrammarNotLoaded';
  }
}

export function isGrammarNotLoaded(e: unknown): e is GrammarNotLoaded {
  return e instanceof GrammarNotLoaded;
}

/** For catch-alls that keep one bad part from taking an analysis down: this one must go through. */
export function rethrowGrammar(e: unknown): void {
  if (e instanceof GrammarNotLoaded) throw e;
}

const loaders = new Map<Grammar, () => Promise<void>>();
const loaded = new Map<Grammar, number>();

/** Registered by the modules that own the parsers (shell.ts, runtime.ts). */
export function registerGrammar(g: Grammar, load: () => Promise<void>): void {
  loaders.set(g, load);
}

/** Load a grammar (once; later calls share the first). Resolves when it is usable. */
export async function loadGrammar(g: Grammar): Promise<void> {
  const load = loaders.get(g);
  if (!load) throw new Error(`stopcheck: no loader for the ${g} grammar`);
  const t = Date.now();
  await load();
  if (!loaded.has(g)) loaded.set(g, Date.now() - t);
}

/** Grammars loaded so far, with how long each took (ms). */
export function loadedGrammars(): ReadonlyMap<Grammar, number> {
  return loaded;
}

/**
 * Run a synchronous analysis; when it needs a grammar that is not loaded yet, load it and run it
 * again. A grammar that fails to load is reported by its loader (Python: its apps become unknown);
 * the bash grammar failing to load is an error for the caller.
 */
export async function withGrammars<T>(fn: () => T, onLoad?: (g: Grammar, ms: number) => void): Promise<T> {
  const tried = new Set<Grammar>();
  for (;;) {
    try {
      return fn();
    } catch (e) {
      if (!isGrammarNotLoaded(e) || tried.has(e.grammar)) throw e;
      tried.add(e.grammar);
      const first = !loaded.has(e.grammar);
      await loadGrammar(e.grammar);
      if (first && onLoad) onLoad(e.grammar, loaded.get(e.grammar) ?? 0);
    }
  }
}

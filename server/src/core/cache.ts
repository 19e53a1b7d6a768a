// Results of pure functions of a text (a parsed Dockerfile, a start script's analysis), kept by the
// text itself: the same text gives the same result, so a hit needs no invalidation, and an edit
// (a new text) simply misses. Bounded by entries and by the characters of the keys; least recently
// used first out. A key may belong to a group (a file): a group's newer text pushes its older one
// out, so typing in a file does not fill the cache with its past versions. Callers must treat what
// they get as read-only: it is shared.

export interface CacheStats {
  hits: number;
  misses: number;
  entries: number;
}

export class TextCache<V> {
  private readonly map = new Map<string, V>();
  /** Group → its latest key. */
  private readonly latest = new Map<string, string>();
  private chars = 0;
  hits = 0;
  misses = 0;

  constructor(readonly name: string, private readonly maxEntries: number, private readonly maxChars: number) {
    caches.set(name, this);
  }

  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v === undefined) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    // Most recently used last.
    this.map.delete(key);
    this.map.set(key, v);
    return v;
  }

  set(key: string, value: V, group?: string): void {
    if (key.length > this.maxChars) return;
    if (group !== undefined) {
      const prev = this.latest.get(group);
      if (prev !== undefined && prev !== key && this.map.delete(prev)) this.chars -= prev.length;
      this.latest.delete(group); // re-inserted last: the oldest groups go first when there are too many
      this.latest.set(group, key);
      if (this.latest.size > this.maxEntries) this.latest.delete(this.latest.keys().next().value as string);
    }
    const old = this.map.get(key);
    if (old !== undefined) this.map.delete(key);
    else this.chars += key.length;
    this.map.set(key, value);
    while (this.map.size > this.maxEntries || this.chars > this.maxChars) {
      const first = this.map.keys().next().value as string;
      this.map.delete(first);
      this.chars -= first.length;
    }
  }

  /** The cached value, or compute, store and return it. */
  through(key: string, compute: () => V, group?: string): V {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const v = compute();
    this.set(key, v, group);
    return v;
  }

  clear(): void {
    this.map.clear();
    this.latest.clear();
    this.chars = 0;
  }

  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, entries: this.map.size };
  }
}

/** What the registry can empty and report on: every TextCache, and caches of other shapes. */
export interface ClearableCache {
  clear(): void;
  stats(): CacheStats;
}

const caches = new Map<string, ClearableCache>();

/** Register a cache that is not a TextCache (it is emptied with the others). */
export function registerCache(name: string, cache: ClearableCache): void {
  caches.set(name, cache);
}

/** Empty one cache by name, or all of them (benchmarks measure cold analysis this way). */
export function clearTextCaches(name?: string): void {
  for (const [n, c] of caches) if (name === undefined || n === name) c.clear();
}

export function textCacheStats(): Record<string, CacheStats> {
  const out: Record<string, CacheStats> = {};
  for (const [n, c] of caches) out[n] = c.stats();
  return out;
}

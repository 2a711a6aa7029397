// The Raft log with its snapshot offset (a student helper file of raft.ts).
// SOLUTION BEGIN
/** A log entry, on the wire and on disk as in memory: [term, command] (compact JSON). */
export type Entry = [term: number, command: unknown];

/**
 * Entries base+1..lastIndex(); entries[0] = [term of base, null] stands for everything the
 * snapshot covers, so that the entry before any kept one always has a term. Indices are
 * the paper's (1-based); base is the snapshot's lastIncludedIndex (0: no snapshot).
 */
export class RaftLog {
  constructor(
    readonly me: number,
    public base = 0,
    public entries: Entry[] = [[0, null]],
  ) {}

  lastIndex(): number {
    return this.base + this.entries.length - 1;
  }

  lastTerm(): number {
    return this.entries[this.entries.length - 1]![0];
  }

  baseTerm(): number {
    return this.entries[0]![0];
  }

  /** The term of entry index (base..lastIndex); throws for an index the log does not hold. */
  termAt(index: number): number {
    const e = this.entries[index - this.base];
    if (e === undefined) throw new Error(`raft ${this.me}: no log entry ${index} (log holds ${this.base}..${this.lastIndex()})`);
    return e[0];
  }

  entryAt(index: number): Entry {
    this.termAt(index);
    return this.entries[index - this.base]!;
  }

  /** Entries from index (> base) to the end. */
  from(index: number): Entry[] {
    return this.entries.slice(index - this.base);
  }

  /** Figure 2's up-to-date rule: a log whose last entry is (index, term) is at least as new as ours. */
  candidateUpToDate(index: number, term: number): boolean {
    return term > this.lastTerm() || (term === this.lastTerm() && index >= this.lastIndex());
  }

  /** The first index (> base) of the run of entries of index's term that holds index: the follower's fast-backup hint. */
  firstOfTerm(index: number): number {
    const term = this.termAt(index);
    while (index - 1 > this.base && this.termAt(index - 1) === term) index--;
    return index;
  }

  /** Our last index (≤ atMost, > base) of term, or 0 if we hold none: where the leader backs up to. */
  lastOfTerm(term: number, atMost: number): number {
    for (let i = Math.min(atMost, this.lastIndex()); i > this.base; i--) {
      const t = this.termAt(i);
      if (t === term) return i;
      if (t < term) break;
    }
    return 0;
  }

  /** Drop entries index..end (a follower's conflicting suffix). */
  truncateFrom(index: number): void {
    this.entries.length = index - this.base;
  }

  /** A snapshot now covers everything through index, of term: keep only what follows. */
  compact(index: number, term: number): void {
    const rest = index < this.lastIndex() && this.termAt(index) === term ? this.entries.slice(index - this.base + 1) : [];
    this.entries = [[term, null], ...rest];
    this.base = index;
  }
}
// SOLUTION END

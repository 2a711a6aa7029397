// What a MapReduce application is, as the worker and mrsequential see it.

/** One intermediate pair; the field names are the course's. */
export interface KeyValue {
  Key: string;
  Value: string;
}

/** Map may sleep (the timing apps do), so it may return a promise. */
export type MapFunc = (filename: string, contents: string) => KeyValue[] | Promise<KeyValue[]>;

export type ReduceFunc = (key: string, values: string[]) => string | Promise<string>;

export interface MrApp {
  /** The module file that was loaded. */
  path: string;
  map: MapFunc;
  reduce: ReduceFunc;
}

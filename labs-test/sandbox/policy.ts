// What submitted code may use: the one list behind the static check (labs-test/tools/
// static-check.ts), the compartment's module map (student-modules.ts) and the student
// README's rules. Student code (the manifest's student files and the helpers beside them)
// may import only these framework modules and other student files; it sees only these
// globals (SES's frozen JavaScript intrinsics besides: Object, Array, Map, Promise, JSON,
// Math without random, Date without a clock …).

/**
 * Framework modules student code may import (repository paths), with the names each
 * offers. This is the course's API: the runtime's clock and randomness, labrpc's client
 * end and codec (with EncodedArray, the codec's incremental array encoding that labrpc's
 * README offers a Raft), the persister, and the framework's error values the labs' Clerks use.
 * Anything else (the harness, the network's insides, Node's modules, packages) is refused.
 */
export const FRAMEWORK_API: Readonly<Record<string, readonly string[]>> = {
  "runtime/index.ts": [
    "now", "sleep", "after", "randInt", "random", "nrand", "trace", "traceOwn", "annotate", "annotatePeer", "debug",
    "Channel", "ChannelClosed",
  ],
  // EncodedArray: the codec's incremental array encoding, for a Raft that persists its log
  // without re-encoding it whole (pure data, no authority; hardened like the error classes).
  "labrpc/index.ts": ["encode", "decode", "encodeText", "decodeText", "decodeInto", "describeValue", "CodecError", "RpcError", "EncodedArray"],
  "raft/persister.ts": ["makePersister"],
  "shardctrler/framework/errors.ts": ["ErrInvalidArgs", "ShardCtrlerError"],
  "shardkv/framework/errors.ts": ["ErrInvalidArgs", "CorruptSnapshotError"],
};

/**
 * Framework files student code may import that themselves import student files (Config #0
 * is built from the student's NShards): they run inside the compartment, like a student
 * file, so their import of the student's common.ts gets the student's module.
 */
export const FRAMEWORK_IN_COMPARTMENT: readonly string[] = ["shardctrler/framework/zero-config.ts"];

/**
 * Host globals student code gets besides the intrinsics, each a hardened stand-in or a
 * frozen shared object: console (printing only), the text codecs, structuredClone,
 * queueMicrotask (a microtask never leaves the virtual clock), base64.
 */
export const EXTRA_GLOBALS: readonly string[] = ["console", "TextEncoder", "TextDecoder", "structuredClone", "queueMicrotask", "atob", "btoa"];

/**
 * Names the static check refuses in student code, with why. The compartment does not
 * have them (or has inert ones); the check says so before any test runs.
 */
export const REFUSED_NAMES: Readonly<Record<string, string>> = {
  process: "student code cannot see the process (env, argv, IPC, exit)",
  globalThis: "student code cannot reach the global object; use the runtime's API",
  global: "student code cannot reach the global object",
  window: "student code cannot reach the global object",
  self: "student code cannot reach the global object",
  eval: "eval is not allowed in student code",
  Function: "the Function constructor is not allowed in student code",
  require: "use an import of an allowed module",
  module: "student code is an ES module",
  exports: "student code is an ES module",
  Buffer: "use Uint8Array (and encode/decode from labrpc)",
  setTimeout: "use sleep() or after() from runtime/index.ts (time is virtual in tests)",
  setInterval: "use a loop with sleep() from runtime/index.ts",
  setImmediate: "use sleep() from runtime/index.ts",
  clearTimeout: "cancel the Timer that after() returned",
  clearInterval: "use a loop with sleep() from runtime/index.ts",
  clearImmediate: "not available in student code",
  performance: "use now() from runtime/index.ts (time is virtual in tests)",
  fetch: "student code cannot use the network",
  WebAssembly: "not available in student code",
  SharedArrayBuffer: "not available in student code",
  Atomics: "not available in student code",
  Compartment: "not available in student code",
  harden: "not available in student code",
  lockdown: "not available in student code",
};

/** Member uses the static check refuses: object name → member → why. */
export const REFUSED_MEMBERS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  Math: { random: "use randInt(n), random() or nrand() from runtime/index.ts (tests replay a seed)" },
  Date: { now: "use now() from runtime/index.ts (time is virtual in tests)" },
};

/** The rules, as the student README states them (handout-readme.ts) and the checker enforces them. */
export function rulesForReadme(): string[] {
  const modules = [...Object.keys(FRAMEWORK_API), ...FRAMEWORK_IN_COMPARTMENT].map((m) => `\`${m}\``).join(", ");
  return [
    `Your files may import only each other (your files and helper files beside them, and the lab's common files) and these framework modules: ${modules}, and only the names listed in \`labs-test/sandbox/policy.ts\` (the course's API). No Node.js modules (\`node:fs\`, \`node:child_process\` …) and no packages.`,
    "Your code cannot see `process` (no environment, arguments, exit or IPC), `globalThis`, `eval`, `Function`, `require` or dynamic `import()`.",
    "Time and randomness come only from `runtime/index.ts`: no `setTimeout`, `setInterval`, `setImmediate`, `Date` (its clock), `performance` or `Math.random`.",
    `Besides JavaScript's own built-ins your code has ${EXTRA_GLOBALS.map((g) => `\`${g}\``).join(", ")}. Built-ins and framework objects are frozen: your code cannot change them.`,
    "Objects the tests hand your code (client ends, the persister, applyCh) offer only the course's API.",
  ];
}

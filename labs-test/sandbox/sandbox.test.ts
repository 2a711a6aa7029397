import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { expect, test } from "vitest";
import { Network } from "../../labrpc/index.js";
import { runWorld } from "../../runtime/world.js";
import { frameworkFacades, hardenPrototypes, REACHABLE_CLASSES, toStudent } from "./facades.js";
import { lockdownOnce } from "./lockdown.js";

// What the sandbox hands to student code is frozen where it is shared with the framework:
// the failed-call result every call returns, every error class a framework call can throw
// across, the module stand-ins, and the prototypes of whatever else the tests pass in.
// (The hostile submissions in labs-test/tools/grade/ try the same from inside.)

lockdownOnce();
frameworkFacades();

/** Framework modules whose functions student code calls (directly or through a stand-in). */
const CALLED_FROM_STUDENT_CODE = ["runtime", "labrpc", "shardctrler/framework", "shardkv/framework"];

test("the failed-call result labrpc shares among calls is frozen", async () => {
  await runWorld({ seed: 1 }, async () => {
    const net = new Network();
    const end = net.makeEnd("lonely");
    const r = await end.call("Raft.RequestVote", {});
    expect(r).toEqual({ ok: false });
    expect(Object.isFrozen(r)).toBe(true);
    net.cleanup();
  });
});

test("every error class the framework student code calls can throw is reachable-hardened", async () => {
  const root = path.resolve(import.meta.dirname, "../..");
  const found: string[] = [];
  for (const dir of CALLED_FROM_STUDENT_CODE) {
    for (const f of readdirSync(path.join(root, dir)).filter((f) => f.endsWith(".ts") && !f.endsWith(".test.ts") && !f.endsWith(".d.ts"))) {
      const text = readFileSync(path.join(root, dir, f), "utf8");
      for (const m of text.matchAll(/^export class (\w+) extends \w*Error\b/gm)) {
        const mod = (await import(pathToFileURL(path.join(root, dir, f)).href)) as Record<string, unknown>;
        const cls = mod[m[1]!] as { prototype: object };
        found.push(`${dir}/${f}:${m[1]}`);
        expect(REACHABLE_CLASSES, `${dir}/${f}: ${m[1]} reaches student code and is not in facades.ts REACHABLE_CLASSES`).toContain(cls);
        expect(Object.isFrozen(cls) && Object.isFrozen(cls.prototype)).toBe(true);
      }
    }
  }
  // The scan itself found what we know is there.
  expect(found).toEqual(expect.arrayContaining(["runtime/channel.ts:ChannelClosed", "labrpc/service.ts:RpcError", "labrpc/codec-check.ts:CodecError"]));
});

test("the module stand-ins are frozen, their functions too", () => {
  for (const [file, ns] of frameworkFacades()) {
    expect(Object.isFrozen(ns), file).toBe(true);
    for (const [k, v] of Object.entries(ns)) {
      if (typeof v !== "function") continue;
      const proto = (v as { prototype?: object }).prototype;
      expect(Object.isFrozen(v) && (proto === undefined || Object.isFrozen(proto)), `${file} ${k}`).toBe(true);
    }
  }
});

test("an instance of another framework class handed to student code gets its prototypes hardened", () => {
  class Inner {
    hello(): string {
      return "hi";
    }
  }
  class Outer extends Inner {}
  const o = new Outer();
  expect(toStudent(o)).toBe(o);
  expect(Object.isFrozen(Outer.prototype) && Object.isFrozen(Inner.prototype)).toBe(true);
  expect(() => {
    (Inner.prototype as { hello: unknown }).hello = () => "patched";
  }).toThrow(TypeError);
  // The instance itself stays the caller's (it is data).
  expect(Object.isFrozen(o)).toBe(false);
  hardenPrototypes(null);
  hardenPrototypes(3);
});

test("what a framework callback handed to student code throws has its prototypes hardened", () => {
  class CallbackError extends Error {}
  const f = toStudent(() => {
    throw new CallbackError("no such group");
  }) as () => unknown;
  expect(f).toThrow(CallbackError);
  expect(Object.isFrozen(CallbackError.prototype)).toBe(true);
});

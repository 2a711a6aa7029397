// Bad input to the key/value service through its public API, and what any correct
// solution must do about it (not graded; shipped with the handout): a Clerk called with
// non-strings, RPC args that break the course's shapes (rejected by the framework before
// a handler runs), and a leader dying under a write. None may lose an acknowledged write.
// Extra tests of 3A (labs-test/labs.ts): `make test-3A` runs them.
import { expect } from "vitest";
import { graded } from "../labs-test/harness/graded.js";
import { Network, RpcError, Server, Service } from "../labrpc/index.js";
import { guardClerk } from "./framework/clerk-guard.js";
import { makeClerk } from "./client.js";
import { sleep } from "../runtime/index.js";
import { expectValue, inWorld, rawEnd, withCluster } from "./framework/test-cluster.js";
import { KV_ARGS_SCHEMAS } from "./framework/rpc-schemas.js";

// ---- Clerk input ----
{
  // a non-string key or value is a TypeError, and nothing is sent
  graded("TestBadClerkArgs3A", async () => {
    await inWorld(async () => {
      const net = new Network();
      const ck = guardClerk(makeClerk([net.makeEnd("e0"), net.makeEnd("e1")]));
      const bad: Array<[() => Promise<unknown>, RegExp]> = [
        [() => ck.get(42 as never), /^Clerk\.get: key must be a string, got number 42$/],
        [() => ck.get(undefined as never), /^Clerk\.get: key must be a string, got undefined$/],
        [() => ck.put("k", 7 as never), /^Clerk\.put: value must be a string, got number 7$/],
        [() => ck.put(null as never, "v"), /^Clerk\.put: key must be a string, got null$/],
        [() => ck.append("k", { a: 1 } as never), /^Clerk\.append: value must be a string, got object \{"a":1\}$/],
        [() => ck.append(["k"] as never, "v"), /^Clerk\.append: key must be a string, got array \["k"\]$/],
        [() => ck.putAppend("k", "v", "Delete" as never), /^Clerk\.putAppend: op must be "Put" or "Append"/],
        [() => ck.putAppend("k", 1n as never, "Put"), /^Clerk\.putAppend: value must be a string, got bigint$/],
      ];
      for (const [call, msg] of bad) {
        const p = call();
        await expect(p).rejects.toThrow(TypeError);
        await expect(p).rejects.toThrow(msg);
      }
      expect(net.getTotalCount()).toBe(0);
      net.cleanup();
    });
  });

  // after rejected calls the Clerk still works
  graded("TestClerkAfterBadArgs3A", async () => {
    await withCluster(async (_cfg, ck) => {
      await expect(ck.append("a", 2 as never)).rejects.toThrow(TypeError);
      await ck.append("a", "2");
      await expectValue(ck, "a", "A2");
    });
  });
}

// ---- malformed RPC args ----
{
  const badPutAppend: unknown[] = [
    null,
    [],
    "Put a X",
    { key: 1, value: "X", op: "Put" },
    { key: "a", op: "Put" },
    { key: "a", value: "X", op: "Delete" },
    { key: "a", value: ["X"], op: "Append" },
  ];
  const badGet: unknown[] = [7, {}, { key: null }, { key: ["a"] }];

  // are rejected by labrpc with an RpcError naming the field; the handler never runs
  graded("TestMalformedRpcArgs3A", async () => {
    await inWorld(async () => {
      const net = new Network();
      const seen: unknown[] = [];
      const handlers = {
        get(args: unknown): unknown {
          seen.push(args);
          return { err: "OK", value: "" };
        },
        putAppend(args: unknown): unknown {
          seen.push(args);
          return { err: "OK" };
        },
      };
      const srv = new Server();
      srv.addService(Service.fromReceiver("KVServer", handlers, { args: KV_ARGS_SCHEMAS }));
      net.addServer("kv", srv);
      const end = net.makeEnd("raw");
      net.connect("raw", "kv");
      net.enable("raw", true);
      for (const args of badPutAppend) {
        const p = end.call("KVServer.PutAppend", args);
        await expect(p, JSON.stringify(args)).rejects.toThrow(RpcError);
        await expect(end.call("KVServer.PutAppend", args)).rejects.toThrow(
          /^labrpc: malformed args for KVServer\.PutAppend \(the handler did not run\): /,
        );
      }
      await expect(end.call("KVServer.PutAppend", { key: 1, value: "X", op: "Put" })).rejects.toThrow(
        /key: .* \(got number 1\)/,
      );
      await expect(end.call("KVServer.Get", { key: null })).rejects.toThrow(/key: .* \(got null\)/);
      await expect(end.call("KVServer.Get", 7)).rejects.toThrow(/args must be an object, got number 7/);
      for (const args of badGet) await expect(end.call("KVServer.Get", args)).rejects.toThrow(RpcError);
      expect(seen).toEqual([]);
      // Well-formed requests, with fields of the student's own, reach the handler unchanged.
      const ok = { key: "a", value: "X", op: "Put", clientId: 3, seq: 1 };
      expect(await end.call("KVServer.PutAppend", ok)).toEqual({ ok: true, reply: { err: "OK" } });
      expect(await end.call("KVServer.Get", { key: "a", mine: [1] })).toEqual({ ok: true, reply: { err: "OK", value: "" } });
      expect(seen).toEqual([ok, { key: "a", mine: [1] }]);
      net.cleanup();
    });
  });

  // sent to a running cluster change nothing; the servers keep serving
  graded("TestMalformedRpcArgsCluster3A", async () => {
    await withCluster(async (cfg, ck, l) => {
      const end = rawEnd(cfg, "raw", l);
      for (const args of badPutAppend) {
        await expect(end.call("KVServer.PutAppend", args), JSON.stringify(args)).rejects.toThrow(RpcError);
      }
      for (const args of badGet) await expect(end.call("KVServer.Get", args)).rejects.toThrow(RpcError);
      await expectValue(ck, "a", "A");
      await ck.append("a", "B");
      await expectValue(ck, "a", "AB");
    });
  });
}

// ---- a leader dying ----
{
  // a write in flight when the leader dies completes once, elsewhere
  graded("TestLeaderDiesUnderWrite3A", async () => {
    await withCluster(async (cfg, ck, l) => {
      const acked: string[] = [];
      const writes = (async () => {
        for (let i = 0; i < 50; i++) {
          await ck.append("w", `<${i}>`);
          acked.push(`<${i}>`);
        }
      })();
      await sleep(30);
      cfg.shutdownServer(l);
      await writes;
      cfg.startServer(l);
      cfg.connectAll();
      await expectValue(ck, "w", acked.join(""));
      // The restarted server holds every acknowledged write too.
      cfg.partition([l, (l + 1) % 3], [(l + 2) % 3]);
      await expectValue(cfg.makeClient([l, (l + 1) % 3]), "w", acked.join(""));
      expect(acked).toHaveLength(50);
    });
  });
}

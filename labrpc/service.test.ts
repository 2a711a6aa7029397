// Service.fromReceiver (the course's MakeService: every method is a handler, names are
// the student's) and argument schemas checked at dispatch.
import { expect, test } from "vitest";
import { z } from "zod";
import { runWorld } from "../runtime/world.js";
import { Network, RpcError, Server, Service } from "./index.js";
import { reflectHandlers } from "./reflect.js";

class Base {
  inherited(a: { n: number }): { n: number } {
    return { n: a.n + 1 };
  }
}

class Peer extends Base {
  hidden = 1;
  arrow = (a: { n: number }): { n: number } => ({ n: a.n * 2 });
  get state(): number {
    throw new Error("a getter must not be called by registration");
  }
  askMe(a: { n: number }): { n: number } {
    return { n: -a.n };
  }
  _helper(): void {}
  start(): void {}
  getState(): void {}
  kill(): void {}
  killed(): boolean {
    return false;
  }
  snapshot(): void {}
  condInstallSnapshot(): boolean {
    return true;
  }
}

test("reflectHandlers takes own, prototype and inherited methods, minus the deny-list and _names", () => {
  expect(reflectHandlers(new Peer())).toEqual(["arrow", "askMe", "inherited"]);
});

test("fromReceiver: every handler answers under the course's spelling and its own", async () => {
  await runWorld({ seed: 1 }, async () => {
    const net = new Network();
    const srv = new Server();
    srv.addService(Service.fromReceiver("Raft", new Peer()));
    net.addServer(0, srv);
    const e = net.makeEnd("e");
    net.connect("e", 0);
    net.enable("e", true);
    expect(await e.call("Raft.AskMe", { n: 3 })).toEqual({ ok: true, reply: { n: -3 } });
    expect(await e.call("Raft.askMe", { n: 3 })).toEqual({ ok: true, reply: { n: -3 } });
    expect(await e.call("Raft.Arrow", { n: 3 })).toEqual({ ok: true, reply: { n: 6 } });
    expect(await e.call("Raft.Inherited", { n: 3 })).toEqual({ ok: true, reply: { n: 4 } });
    await expect(e.call("Raft.Kill", {})).rejects.toThrow(/unknown method Kill in service Raft; expecting one of \[Arrow, AskMe, Inherited\]/);
    // Reflected services take object args only (the course's args are structs).
    await expect(e.call("Raft.AskMe", 5)).rejects.toThrow(/malformed args for Raft\.AskMe .*args must be an object, got number 5/);
    net.cleanup();
  });
});

test("a schema rejects bad args before the handler; extra fields pass through", async () => {
  await runWorld({ seed: 1 }, async () => {
    const net = new Network();
    const seen: unknown[] = [];
    const srv = new Server();
    const recv = { put(a: unknown): unknown { seen.push(a); return {}; } };
    srv.addService(Service.fromReceiver("S", recv, { args: { Put: z.looseObject({ k: z.string() }) } }));
    net.addServer(0, srv);
    const e = net.makeEnd("e");
    net.connect("e", 0);
    net.enable("e", true);
    const p = e.call("S.Put", { k: 1, x: 2 });
    await expect(p).rejects.toThrow(RpcError);
    await expect(e.call("S.put", { k: 1 })).rejects.toThrow(/^labrpc: malformed args for S\.Put \(the handler did not run\): k: .*\(got number 1\)$/);
    await expect(e.call("S.Put", { x: 2 })).rejects.toThrow(/k: .*\(got undefined\)/);
    expect(seen).toEqual([]);
    expect(await e.call("S.Put", { k: "a", x: 2 })).toEqual({ ok: true, reply: {} });
    expect(seen).toEqual([{ k: "a", x: 2 }]);
    net.cleanup();
  });
});

test("bad registrations are clear errors", () => {
  expect(() => Service.fromReceiver("S", { get(): void {} }, { args: { Put: z.object({}) } })).toThrow(
    /service S has a schema for Put but no such method; it has \[Get\]/,
  );
  expect(() => Service.fromReceiver("S", { get(): void {}, Get(): void {} })).toThrow(/has both get and Get/);
  expect(() => Service.fromReceiver("a.b", {})).toThrow(/bad service name "a.b"/);
});

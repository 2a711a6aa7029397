import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { createConnection } from "node:net";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { serve, ServeError, type RpcServer } from "./server.js";
import { call, ping, waitForCoordinator } from "./client.js";
import { endpointFrom, parseTcp, EndpointError, type Endpoint } from "./endpoint.js";
import { MAX_BODY_BYTES } from "./methods.js";

const table = {
  Add: { args: z.object({ X: z.number().int() }), reply: z.object({ Y: z.number().int() }) },
  Boom: { args: z.object({}), reply: z.object({}) },
  Bad: { args: z.object({}), reply: z.object({ Y: z.number() }) },
};

let calls = 0;
const impl = {
  Add: (a: { X: number }) => {
    calls++;
    return { Y: a.X + 1 };
  },
  Boom: (): Record<string, never> => {
    throw new Error("kaboom");
  },
  // A server bug: the reply breaks its own schema.
  Bad: () => ({ Y: "not a number" }) as unknown as { Y: number },
};

let dir: string;
let sock: string;
let server: RpcServer | undefined;
const unix = (): Endpoint => ({ kind: "unix", path: sock });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "mr-transport-"));
  sock = join(dir, "s.sock");
  calls = 0;
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

function raw(method: string, path: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: sock, method, path, agent: false }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function garbage(bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createConnection(sock);
    let text = "";
    s.on("data", (c) => (text += c.toString()));
    s.on("end", () => resolve(text));
    s.on("error", reject);
    s.write(bytes);
  });
}

describe("transport", () => {
  test("a call round-trips and both sides validate", async () => {
    server = await serve(table, impl, unix());
    const r = await call(table, "Add", { X: 41 }, unix());
    expect(r).toEqual({ ok: true, reply: { Y: 42 } });
    // The client refuses to send arguments that break the schema.
    const bad = await call(table, "Add", { X: 1.5 }, unix());
    expect(bad.ok).toBe(false);
    expect(calls).toBe(1);
  });

  test("malformed requests get error replies and the server keeps serving", async () => {
    server = await serve(table, impl, unix());
    const json = await raw("POST", "/rpc/Add", "{not json");
    expect(json.status).toBe(400);
    expect(JSON.parse(json.text).error).toMatch(/malformed JSON for Add/);

    const schema = await raw("POST", "/rpc/Add", JSON.stringify({ X: "1" }));
    expect(schema.status).toBe(400);
    expect(JSON.parse(schema.text).error).toMatch(/invalid arguments for Add/);

    expect((await raw("POST", "/rpc/Nope", "{}")).status).toBe(404);
    expect((await raw("GET", "/rpc/Add")).status).toBe(405);
    expect((await raw("GET", "/elsewhere")).status).toBe(404);
    const big = await raw("POST", "/rpc/Add", "x".repeat(MAX_BODY_BYTES + 10));
    expect(big.status).toBe(413);
    expect(await garbage("HELLO THERE\r\n\r\n")).toMatch(/^HTTP\/1\.1 400/);

    const thrown = await call(table, "Boom", {}, unix());
    expect(thrown).toMatchObject({ ok: false, reachable: true });
    expect(!thrown.ok && thrown.error).toMatch(/HTTP 500: Boom failed: kaboom/);
    const badReply = await call(table, "Bad", {}, unix());
    expect(!badReply.ok && badReply.error).toMatch(/Bad produced an invalid reply/);

    expect(calls).toBe(0);
    expect(await call(table, "Add", { X: 1 }, unix())).toEqual({ ok: true, reply: { Y: 2 } });
  });

  test("a live socket is refused, a stale one replaced, a plain file left alone", async () => {
    server = await serve(table, impl, unix());
    await expect(serve(table, impl, unix())).rejects.toThrow(/in use by a running coordinator/);
    expect(await ping(unix())).toBeUndefined(); // the first server still answers

    // Closing leaves no file; a socket file with nobody behind it is taken over.
    await server.close();
    expect(existsSync(sock)).toBe(false);

    writeFileSync(sock, "not a socket");
    await expect(serve(table, impl, unix())).rejects.toThrow(ServeError);
    await expect(serve(table, impl, unix())).rejects.toThrow(/is not a socket/);
  });

  test("nobody listening is reported as unreachable, within the bounded wait", async () => {
    const r = await call(table, "Add", { X: 1 }, unix());
    expect(r).toMatchObject({ ok: false, reachable: false });
    expect(await waitForCoordinator(300, unix())).toMatch(/ENOENT/);
  });

  test("TCP works with an explicit endpoint", async () => {
    server = await serve(table, impl, { kind: "tcp", host: "127.0.0.1", port: 0 });
    expect(server.endpoint.kind === "tcp" && server.endpoint.port).toBeGreaterThan(0);
    expect(await call(table, "Add", { X: 6 }, server.endpoint)).toEqual({ ok: true, reply: { Y: 7 } });
  });
});

describe("endpoint", () => {
  test("flags, then environment, then the per-user default", () => {
    expect(endpointFrom({ socket: "/x/s" }, {})).toEqual({ kind: "unix", path: "/x/s" });
    expect(endpointFrom({ tcp: "db1:7000" }, { MR_SOCKET: "/y" })).toEqual({ kind: "tcp", host: "db1", port: 7000 });
    expect(endpointFrom({}, { MR_SOCKET: "/y" })).toEqual({ kind: "unix", path: "/y" });
    expect(endpointFrom({}, { MR_TCP: ":7001" })).toEqual({ kind: "tcp", host: "", port: 7001 });
    const d = endpointFrom({}, {});
    expect(d.kind === "unix" && d.path).toMatch(/824-mr-/);
    expect(() => endpointFrom({ socket: "/a", tcp: "1" }, {})).toThrow(/not both/);
    expect(() => parseTcp("host:99999")).toThrow(EndpointError);
    expect(() => parseTcp("nonsense")).toThrow(/\[host:\]port/);
  });
});

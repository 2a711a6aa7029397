// The compiled programs as a user runs them: a small job end to end, and every kind of
// bad input getting a clear message, a non-zero exit, and no half-written output.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { buildMr } from "./build.js";
import { appPath, programPath } from "./paths.js";
import { writeCorpus } from "./corpus.js";
import { outputFiles, sortedNonEmpty } from "./outputs.js";
import { ProcessGroup } from "./launch.js";
import { RealClock } from "../../runtime/real-clock.js";

const root = mkdtempSync(join(tmpdir(), "mr-cli-"));
const group = new ProcessGroup();
const clock = new RealClock();
let corpus: string[];
let n = 0;

/** A fresh working folder and socket path per test, so tests can run side by side. */
function scratch(): { dir: string; sock: string } {
  const dir = join(root, `t${++n}`);
  mkdirSync(dir);
  return { dir, sock: join(dir, "c.sock") };
}

function run(prog: "mrcoordinator" | "mrworker" | "mrsequential", args: string[], cwd: string) {
  return group.node(programPath(prog), args, { cwd, label: prog, timeoutMs: 60_000 }).done;
}

function fixture(dir: string, name: string, code: string): string {
  const p = join(dir, name);
  writeFileSync(p, code);
  return p;
}

beforeAll(async () => {
  await buildMr();
  corpus = writeCorpus(join(root, "in"), { bytes: 120_000, files: 5, seed: 3 });
}, 120_000);

afterAll(async () => {
  await group.dispose();
  clock.stop();
  rmSync(root, { recursive: true, force: true });
});

describe.concurrent("a job", () => {
  test("coordinator and two workers produce what mrsequential does, then all exit 0", async () => {
    const { dir, sock } = scratch();
    const seq = await run("mrsequential", ["--out", "seq.txt", appPath("wc"), join(root, "in", "*.txt")], dir);
    expect(seq.exitCode).toBe(0);
    const c = run("mrcoordinator", ["--socket", sock, "--nreduce", "3", join(root, "in", "*.txt")], dir);
    // Workers started before the socket exists wait for it (bounded; longer than the 3 s
    // default here, since on a loaded machine the coordinator's own start can take longer).
    const wait = ["--wait", "30000"];
    const ws = [run("mrworker", ["--socket", sock, ...wait, "apps/wc.ts"], dir), run("mrworker", ["--socket", sock, ...wait, "wc"], dir)];
    const results = await Promise.all([c, ...ws]);
    expect(results.map((r) => r.exitCode)).toEqual([0, 0, 0]);
    expect(outputFiles(dir).map((f) => f.slice(dir.length + 1))).toEqual(["mr-out-0", "mr-out-1", "mr-out-2"]);
    expect(sortedNonEmpty(outputFiles(dir))).toEqual(sortedNonEmpty([join(dir, "seq.txt")]));
    expect(readdirSync(dir).filter((f) => f.startsWith(".")).length).toBe(0); // no temp files left
    expect(existsSync(sock)).toBe(false); // the coordinator removed its socket
  });

  test("over TCP too, and a malformed HTTP body does not stop the coordinator", async () => {
    const { dir } = scratch();
    const port = await freePort();
    const c = run("mrcoordinator", ["--tcp", `127.0.0.1:${port}`, "--nreduce", "2", ...corpus], dir);
    for (let i = 0; i < 100 && !(await accepts(port)); i++) await clock.sleep(100);
    expect(await sendRaw(port, "POST /rpc/RequestTask HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n{oops")).toMatch(/^HTTP\/1\.1 400/);
    expect(await sendRaw(port, "garbage\r\n\r\n")).toMatch(/^HTTP\/1\.1 400/);
    const w = await run("mrworker", ["--tcp", `127.0.0.1:${port}`, appPath("wc")], dir);
    expect(w.exitCode).toBe(0);
    const cr = await c;
    expect(cr.exitCode).toBe(0);
    expect(cr.stderr).toMatch(/malformed JSON for RequestTask/);
    expect(outputFiles(dir)).toHaveLength(2);
  });

  test("an app that throws in map: clear messages, non-zero exits, no output", async () => {
    const { dir, sock } = scratch();
    const app = fixture(dir, "throws.mjs", 'export function map(f) { throw new Error("bad input in " + f); }\nexport function reduce() { return ""; }\n');
    const c = run("mrcoordinator", ["--socket", sock, ...corpus], dir);
    const w = await run("mrworker", ["--socket", sock, "--wait", "30000", app], dir);
    const cr = await c;
    expect(w.exitCode).toBe(1);
    expect(w.stderr).toMatch(/mrworker: the job was aborted: map task 0 \(.*part-00\.txt\) failed 3 times; last error: .*bad input in/);
    expect(cr.exitCode).toBe(1);
    expect(cr.stderr).toMatch(/mrcoordinator: job failed: map task 0/);
    expect(outputFiles(dir)).toEqual([]);

    const before = "previous result\n";
    writeFileSync(join(dir, "mr-out-0"), before);
    const s = await run("mrsequential", [app, ...corpus], dir);
    expect(s.exitCode).toBe(1);
    expect(s.stderr).toMatch(/mrsequential: map failed on .*part-00\.txt: bad input in/);
    expect(readFileSync(join(dir, "mr-out-0"), "utf8")).toBe(before); // untouched
  });

  test("a socket already served by a coordinator is refused", async () => {
    const { dir, sock } = scratch();
    const first = run("mrcoordinator", ["--socket", sock, ...corpus], dir);
    for (let i = 0; i < 300 && !existsSync(sock); i++) await clock.sleep(100);
    const second = await run("mrcoordinator", ["--socket", sock, ...corpus], dir);
    expect(second.exitCode).toBe(1);
    expect(second.stderr).toMatch(/mrcoordinator: socket .*c\.sock is in use by a running coordinator/);
    // The first one still serves: a worker finishes its job.
    expect((await run("mrworker", ["--socket", sock, "wc"], dir)).exitCode).toBe(0);
    expect((await first).exitCode).toBe(0);
  });
});

describe.concurrent("bad input", () => {
  const cases: [string, string[], RegExp][] = [
    ["no input files", [], /Usage: mrcoordinator inputfiles|missing required argument/],
    ["a missing input file", ["nope.txt"], /mrcoordinator: input file not found: nope\.txt/],
    ["a directory as input", ["."], /mrcoordinator: input is not a regular file: \./],
    ["a pattern matching nothing", ["*.none"], /mrcoordinator: no input file matches \*\.none/],
    ["nReduce 0", ["--nreduce", "0", "x"], /mrcoordinator: nReduce must be an integer >= 1, got "0"/],
    ["nReduce not a number", ["-n", "ten", "x"], /nReduce must be an integer >= 1, got "ten"/],
  ];
  for (const [what, args, message] of cases) {
    test(`mrcoordinator: ${what}`, async () => {
      const { dir, sock } = scratch();
      const r = await run("mrcoordinator", ["--socket", sock, ...args], dir);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toMatch(message);
      expect(existsSync(sock)).toBe(false);
    });
  }

  test("mrworker and mrsequential: a wrong app path or an app without reduce", async () => {
    const { dir, sock } = scratch();
    const w = await run("mrworker", ["--socket", sock, "apps/nosuch.ts"], dir);
    expect(w.exitCode).toBe(1);
    expect(w.stderr).toMatch(/mrworker: app not found: apps\/nosuch\.ts/);
    const half = fixture(dir, "half.mjs", "export const map = () => [];\n");
    const s = await run("mrsequential", [half, ...corpus], dir);
    expect(s.exitCode).toBe(1);
    expect(s.stderr).toMatch(/mrsequential: app .*half\.mjs does not export reduce as a function/);
    expect(existsSync(join(dir, "mr-out-0"))).toBe(false);
  });

  test("mrworker with no coordinator gives up after its bounded wait", async () => {
    const { dir, sock } = scratch();
    const t0 = clock.now();
    const r = await run("mrworker", ["--socket", sock, "--wait", "600", "wc"], dir);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toMatch(/mrworker: no coordinator at unix:.*c\.sock after 0\.6 s .*start mrcoordinator first/);
    expect(clock.now() - t0).toBeGreaterThanOrEqual(600);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
    s.on("error", reject);
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(port, "127.0.0.1");
    s.on("connect", () => {
      s.destroy();
      resolve(true);
    });
    s.on("error", () => resolve(false));
  });
}

function sendRaw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = createConnection(port, "127.0.0.1");
    let text = "";
    s.on("data", (c) => {
      text += c.toString();
      if (/\r\n\r\n/.test(text)) s.end();
    });
    s.on("close", () => resolve(text));
    s.on("error", reject);
    s.write(bytes);
  });
}


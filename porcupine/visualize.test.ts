import { existsSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkOperations } from "./checker.js";
import { corruptOneRead, generateKvHistory } from "./kv-history-gen.js";
import { kvModel, type KvOperation } from "./kv-model.js";
import { renderVisualization, visualizationData, writeVisualizationToTemp } from "./visualize.js";

const op = (client: number, kind: "get" | "put" | "append", key: string, value: string, call: number, ret: number): KvOperation =>
  kind === "get"
    ? { clientId: client, input: { op: "get", key, value: "" }, call, output: { value }, return: ret }
    : { clientId: client, input: { op: kind, key, value }, call, output: { value: "" }, return: ret };

// Key "x": put a, append b, then a get that misses the append (illegal). Key "y": fine.
const history: KvOperation[] = [
  op(0, "put", "x", "a", 0, 10),
  op(1, "append", "x", "b", 20, 30),
  op(2, "get", "x", "a", 40, 50),
  op(0, "put", "y", "<q&\"z'>", 0, 5),
  op(1, "get", "y", "<q&\"z'>", 6, 9),
];

describe("visualization data", () => {
  it("gives the longest prefix with its states and marks the op that cannot come next", () => {
    const out = checkOperations(kvModel, history, 0);
    expect(out.result).toBe("illegal");
    const data = visualizationData(kvModel, out.info);
    const x = data.partitions[0]!;
    expect(x.title).toBe("key 'x'");
    expect(x.status).toBe("illegal");
    expect(x.linearizations[0]).toEqual({ ops: [0, 1], states: ["a", "ab"] });
    expect(x.stuck).toEqual([2]);
    expect(x.largest).toEqual([0, 0, -1]);
    expect(x.ops.map((o) => o.desc)).toEqual(["put('x', 'a')", "append('x', 'b')", "get('x') -> 'a'"]);
    // Event slots follow time order.
    expect(x.ops.map((o) => [o.callSlot, o.retSlot])).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
    expect(data.result).toBe("illegal");
  });

  it("elides very long descriptions and states in the middle", () => {
    const long = "v".repeat(5000) + "END";
    const h = [op(0, "put", "k", long, 0, 1), op(1, "get", "k", "", 2, 3)];
    const data = visualizationData(kvModel, checkOperations(kvModel, h, 0).info, { maxText: 100 });
    const p = data.partitions[0]!;
    expect(p.ops[0]!.desc.length).toBeLessThan(150);
    expect(p.ops[0]!.desc).toMatch(/more chars.*END'\)$/);
    expect(p.linearizations[0]!.states[0]).toMatch(/END$/);
  });
});

describe("the HTML file", () => {
  it("is written, self-contained, and holds every op", () => {
    const out = checkOperations(kvModel, history, 0);
    const file = writeVisualizationToTemp(kvModel, out.info);
    expect(file).toMatch(/\.html$/);
    expect(existsSync(file)).toBe(true);
    const html = readFileSync(file, "utf8");
    expect(html).toContain("<title>Porcupine</title>");
    // Nothing loaded from elsewhere: no external scripts, styles or links.
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b|<script[^>]*\bsrc=|@import|url\(/i);
    expect(html).not.toMatch(/https?:/);
    // The data is embedded, with "<" escaped so no value can end the script early.
    const m = /<script type="application\/json" id="porcupine-data">([^]*?)<\/script>/.exec(html);
    expect(m).not.toBeNull();
    expect(m![1]).not.toContain("<");
    const data = JSON.parse(m![1]!) as ReturnType<typeof visualizationData>;
    const descs = data.partitions.flatMap((p) => p.ops.map((o) => o.desc));
    expect(descs).toEqual([
      "put('x', 'a')",
      "append('x', 'b')",
      "get('x') -> 'a'",
      "put('y', '<q&\"z'>')",
      "get('y') -> '<q&\"z'>'",
    ]);
  });

  it("runs its script: draws the failing partition with the stuck op in red", () => {
    const html = renderVisualization(kvModel, checkOperations(kvModel, history, 0).info);
    const dom = runPage(html);
    const x = dom.byId.get("p0")!;
    x.fire("toggle");
    const svg = x.children[1]!.innerHTML;
    expect(svg).toContain("<svg");
    expect(svg.match(/class="stuck"/g)).toHaveLength(1);
    expect(svg.match(/class="lin"/g)).toHaveLength(2);
    expect(svg).toContain("<polyline");
    expect(svg).toContain("get(&#39;x&#39;) -&gt; &#39;a&#39;");
    expect(dom.byId.get("summary")!.innerHTML).toContain("5 operations in 2 partition(s)");
    expect(dom.byId.get("jump")!.href).toBe("#p0");
  });

  it("handles a large illegal history", () => {
    const h = corruptOneRead(generateKvHistory({ seed: 3, clients: 15, opsPerClient: 100, keys: 5 }), 3).history;
    const out = checkOperations(kvModel, h, 10_000);
    expect(out.result).toBe("illegal");
    const html = renderVisualization(kvModel, out.info);
    expect(html.length).toBeGreaterThan(10_000);
    const dom = runPage(html);
    const bad = out.info.partitions.findIndex((p) => p.status === "illegal");
    const sec = dom.byId.get(`p${bad}`)!;
    sec.fire("toggle");
    expect(sec.children[1]!.innerHTML.match(/class="stuck/g)!.length).toBeGreaterThan(0);
  });
});

// Just enough of a DOM to run the page's script and look at what it draws.
class FakeElement {
  id = "";
  className = "";
  innerHTML = "";
  textContent = "";
  href = "";
  open = false;
  value = "";
  style: Record<string, string> = {};
  children: FakeElement[] = [];
  private handlers = new Map<string, (() => void)[]>();

  constructor(private readonly dom: FakeDom) {}

  appendChild(c: FakeElement): void {
    this.children.push(c);
    if (c.id !== "") this.dom.byId.set(c.id, c);
  }
  addEventListener(ev: string, fn: () => void): void {
    this.handlers.set(ev, [...(this.handlers.get(ev) ?? []), fn]);
  }
  fire(ev: string): void {
    if (ev === "toggle") this.open = true;
    for (const fn of this.handlers.get(ev) ?? []) fn();
  }
  querySelector(): FakeElement {
    return new FakeElement(this.dom);
  }
}

class FakeDom {
  byId = new Map<string, FakeElement>();
}

function runPage(html: string): FakeDom {
  const dom = new FakeDom();
  const data = /<script type="application\/json" id="porcupine-data">([^]*?)<\/script>/.exec(html)![1]!;
  for (const id of ["summary", "parts", "tip", "jump", "porcupine-data"]) {
    const el = new FakeElement(dom);
    el.id = id;
    dom.byId.set(id, el);
  }
  dom.byId.get("porcupine-data")!.textContent = data;
  const scripts = [...html.matchAll(/<script>([^]*?)<\/script>/g)].map((m) => m[1]!);
  expect(scripts).toHaveLength(1);
  const document = {
    getElementById: (id: string) => dom.byId.get(id) ?? null,
    createElement: () => new FakeElement(dom),
  };
  const window = { innerWidth: 1200 };
  new Function("document", "window", scripts[0]!)(document, window);
  return dom;
}

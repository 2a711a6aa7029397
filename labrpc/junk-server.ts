import { sleep } from "../runtime/index.js";

/** The course's labrpc test fixture: a server whose handlers log what they saw. */
export class JunkServer {
  log1: string[] = [];
  log2: number[] = [];

  handler1(args: string): number {
    this.log1.push(args);
    return Number.parseInt(args, 10);
  }

  handler2(args: number): string {
    this.log2.push(args);
    return `handler2-${args}`;
  }

  async handler3(args: number): Promise<number> {
    await sleep(20_000);
    return -args;
  }

  /** Object args "by reference": the handler must get a copy. */
  handler4(args: { x: number }): { x: string } {
    args.x = -1; // mutating the copy must not reach the caller
    return { x: "pointer" };
  }

  handler5(args: { x: number }): { x: string } {
    void args;
    return { x: "no pointer" };
  }

  handler6(args: string): number {
    return args.length;
  }

  handler7(args: number): string {
    return "y".repeat(args);
  }
}

export const JUNK_METHODS = [
  "handler1", "handler2", "handler3", "handler4", "handler5", "handler6", "handler7",
] as const;

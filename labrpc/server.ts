import { RpcError, type Service } from "./service.js";

/** A collection of services behind one network name (a Raft peer, later Raft + KV). */
export class Server {
  private readonly services = new Map<string, Service>();
  private count = 0;

  addService(svc: Service): void {
    this.services.set(svc.name, svc);
  }

  /** Incoming RPCs so far, including ones naming an unknown service or method. */
  getCount(): number {
    return this.count;
  }

  dispatch(svcMeth: string, argsText: string): Promise<string> {
    this.count++;
    const dot = svcMeth.lastIndexOf(".");
    const svc = dot > 0 ? this.services.get(svcMeth.slice(0, dot)) : undefined;
    if (svc === undefined) {
      return Promise.reject(
        new RpcError(
          `labrpc: unknown service in ${JSON.stringify(svcMeth)}; expecting "Service.Method" with ` +
            `one of [${[...this.services.keys()].join(", ")}]`,
        ),
      );
    }
    return svc.dispatch(svcMeth.slice(dot + 1), argsText);
  }
}

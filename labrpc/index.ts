// labrpc: the course's simulated RPC network (labrpc.go), in one process, on the runtime
// clock. It can lose requests and replies, delay messages, reorder replies and cut off
// particular hosts, so that Raft and the services on it can be tested against all of it.
// Every argument and reply is encoded with the codec (labgob's job) on the way, so peers
// never share objects and byte counts are real. All delays are on the runtime clock
// (virtual ms in simulated mode) and all random choices come from the world's "labrpc"
// stream, so a seed replays the network's behaviour exactly.
//
// The network (the tester builds it; lab code only ever sees ClientEnds):
//   const net = new Network()           -- inside a world (runWorld / graded test)
//   const end = net.makeEnd(endname)    -- a client end, to talk to one server; starts disabled;
//                                          a name may be made once (RpcError otherwise)
//   net.makeEnd(endname, host)          -- the same, sent on by the machine `host` (a peer's
//                                          server name): its disk and link delay these calls
//   net.addServer(servername, server)   -- put a Server on the network under a name
//   net.deleteServer(servername)        -- take it off: its pending and future calls fail
//   net.connect(endname, servername)    -- route an end to a server
//   net.enable(endname, enabled)        -- connect or cut off one end (one direction of a link)
//   net.setReliable(false)              -- drop and delay messages (below)
//   net.setLongDelays(true)             -- calls to a cut-off end take up to longDelayTimeoutMs to fail
//   net.setLongReordering(true)         -- delay replies a lot, so they arrive out of order
//   net.setDuplicates(true)             -- ours, off by default: some requests reach their server again, up to duplicateDelayMs later
//   net.holdReplies(endname, true)      -- ours, off by default: replies to that end's calls from now on wait in the
//                                          network (handlers have run) until holdReplies(endname, false) lets them all
//                                          arrive, even over a link cut since, in the order of their calls
//                                          (holdReplies(endname, false, "newest-first"): reversed); RpcError for an unknown end
//   net.detachHeldReplies(endname)      -- ours: the replies held so far wait for the function it returns, while later
//                                          calls' replies stay held until holdReplies(endname, false)
//   net.detachHeldRequests(endname)     -- the same for held requests
//   net.holdRequests(endname, true)    -- ours, off by default: requests on that end from now on wait in the network
//                                          before delivery (no handler has run) until holdRequests(endname, false)
//                                          delivers them all, even over a link cut since (not to a replaced server)
//   net.getCount(servername)            -- RPCs that reached that server (RpcError if none lives there)
//   net.getTotalCount()                 -- every call handed to the network, delivered or not
//   net.getTotalBytes()                 -- encoded bytes of every call's args, plus of every reply delivered
//   net.cleanup()                       -- the test is over: every later call fails at once
//
// Servers and services (the tester registers a peer's handlers):
//   const srv = new Server()
//   srv.addService(new Service("Raft", rf, ["requestVote", "appendEntries"]))
//     -- a server may carry several services (kvraft's servers carry "KVServer" and "Raft");
//        each named method of the receiver handles RPCs, reachable as "Raft.RequestVote"
//        (the course's spelling) and as "Raft.requestVote"; naming a method the receiver
//        does not have throws RpcError at registration.
//   srv.addService(Service.fromReceiver("Raft", rf))
//     -- the course's MakeService: every method of the receiver is a handler, except the
//        API the tester calls (start, getState, kill, killed, snapshot, condInstallSnapshot;
//        see reflect.ts) and names starting with "_"; harnesses register student code so,
//        since handler names are the student's. Args must be objects.
//   Service.fromReceiver("KVServer", kv, { args: KV_ARGS_SCHEMAS })
//     -- a zod schema per method (schemas.ts) is checked before the handler runs: malformed
//        args reject the caller with RpcError("labrpc: malformed args for KVServer.Get (the
//        handler did not run): key: …"); fields the schema does not name pass through.
//
// Calls (what lab code does):
//   const r = await end.call<Reply>("Raft.AppendEntries", args)
//     -- resolves to { ok: true, reply } when the server ran the handler and its reply came
//        back, and to { ok: false } when the network lost the request or the reply, the end
//        is disabled or unconnected, or the server is gone or was deleted while the handler
//        ran (checked every handlerPollMs). Go's Call() returning false.
//     -- args are encoded at the call, so the caller may change them right after; the
//        handler gets a fresh decoded copy, and the caller a fresh copy of the reply.
//     -- many calls may be in flight on one end at once, and may be delivered out of order.
//     -- a call always settles, perhaps after a delay, unless its handler never returns.
//     -- it rejects (Go's log.Fatal, loud rather than a silent false) for an unknown service
//        or method or a handler that throws (RpcError, naming the valid choices or the
//        handler's message), and for args or a reply the codec refuses (CodecError).
//   Handlers may be async; they take the decoded args and return the reply (undefined
//   sends {}).
//
// What a call costs, as the course's network behaves (each number a field of the world's
// cost model, World.cost: runtime/cost-model.ts; the values: labrpc/README.md's table):
//   - every call counts at once in getTotalCount() and getTotalBytes();
//   - a disabled, unconnected or serverless end: fails after a random time below
//     deadEndTimeoutMs, or below longDelayTimeoutMs with long delays on (so a peer must not
//     wait on calls to a dead peer one by one);
//   - unreliable: the request waits below unreliableDelayMs, then requestLoss of requests
//     are dropped, and replyLoss of replies are dropped after the handler ran (the
//     handler's effects stay);
//   - long reordering: longReorder of replies are held back longReorderMinMs and more;
//   - held replies and requests: as long as the test holds them (holdReplies, holdRequests).
// and, in simulated mode only, what work costs (runtime/host.ts): each request and reply
// waits for its sender's disk (persister saves) and link, occupies the link
// messageOverheadMs plus its bytes over linkBytesPerMs, then travels wireLatencyMs plus a
// jitter below wireJitterMs. A reply's sender is its server's name; a request's is the
// end's host (none: it waits for nothing).
//
// The codec (codec.ts): encode(value) -> Uint8Array, decode(bytes) -> unknown (CodecError
// on garbage), encodeText/decodeText for the wire's text form, decodeInto(target, bytes)
// for Go-style decoding into an object. Values must survive JSON: numbers (finite),
// strings, booleans, null, arrays, plain objects and Uint8Array; undefined object fields
// are omitted (Go's zero values); functions, Maps, Sets, Dates, cycles, bigints, NaN and
// undefined array elements throw CodecError naming the field; class instances travel as
// plain objects (warned once per class). encode() keeps the bytes of long arrays between
// calls and re-encodes only what changed, encodeText() reuses the texts of array elements
// it has seen unchanged (README, "What encoding costs"); EncodedArray is
// that incremental array encoding, for a Raft whose entries never change in place.

export { Network, ClientEnd, type CallResult, type Name, type ReleaseOrder } from "./network.js";
export { Server } from "./server.js";
export { Service, RpcError, type ServiceOptions } from "./service.js";
export { NOT_HANDLERS, reflectHandlers } from "./reflect.js";
export { checkArgs, type ArgsSchemas } from "./schemas.js";
export { describeValue } from "./describe-value.js";
export { encode, decode, encodeText, decodeText, decodeInto, CodecError, codecErrorCount } from "./codec.js";
export { EncodedArray } from "./encoded-array.js";

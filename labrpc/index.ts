export { Network, ClientEnd, type CallResult, type Name } from "./network.js";
export { Server } from "./server.js";
export { Service, RpcError } from "./service.js";
export { encode, decode, encodeText, decodeText, decodeInto, CodecError, codecErrorCount } from "./codec.js";

export { Network, ClientEnd, type CallResult, type Name } from "./network.js";
export { Server } from "./server.js";
export { Service, RpcError, type ServiceOptions } from "./service.js";
export { NOT_HANDLERS, reflectHandlers } from "./reflect.js";
export { checkArgs, type ArgsSchemas } from "./schemas.js";
export { describeValue } from "./describe-value.js";
export { encode, decode, encodeText, decodeText, decodeInto, CodecError, codecErrorCount } from "./codec.js";

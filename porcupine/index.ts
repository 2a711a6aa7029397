// The linearizability checker (porcupine): models, the checker, the KV model, the picture.
export type { Operation, Model } from "./model.js";
export {
  checkOperations,
  isLinearizable,
  type CheckResult,
  type CheckOutcome,
  type CheckOptions,
  type LinearizationInfo,
  type PartitionInfo,
  type PartitionStatus,
} from "./checker.js";
export { kvModel, type KvInput, type KvOutput, type KvOp, type KvOperation, type KvState } from "./kv-model.js";
export { parseKvLog } from "./kv-log.js";
export {
  visualizationData,
  renderVisualization,
  writeVisualization,
  writeVisualizationToTemp,
  type VisualizeOptions,
} from "./visualize.js";

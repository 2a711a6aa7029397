// An upload replaces the student file it names, and never a same-named file of another lab.
import { expect, test } from "vitest";
import { uploadTarget } from "./upload-target.js";

const FILES_4B = ["shardkv/client.ts", "shardkv/common.ts", "shardkv/server.ts", "shardctrler/client.ts", "shardctrler/common.ts", "shardctrler/server.ts", "raft/raft.ts"];

test("a base name that one student file has goes to that file", () => {
  expect(uploadTarget("raft.ts", "", FILES_4B, "shardkv/server.ts")).toEqual({ file: "raft/raft.ts" });
});

test("a base name two labs share goes to the file open in the editor, or to the folder a folder upload names", () => {
  expect(uploadTarget("server.ts", "", FILES_4B, "shardctrler/server.ts")).toEqual({ file: "shardctrler/server.ts" });
  expect(uploadTarget("server.ts", "", FILES_4B, "shardkv/server.ts")).toEqual({ file: "shardkv/server.ts" });
  // The folder wins over the open file.
  expect(uploadTarget("common.ts", "my-labs/shardctrler/common.ts", FILES_4B, "shardkv/common.ts")).toEqual({ file: "shardctrler/common.ts" });
});

test("an ambiguous upload, or a file that is no student file, replaces nothing and says why", () => {
  const ambiguous = uploadTarget("client.ts", "", FILES_4B, "raft/raft.ts");
  expect(ambiguous).toEqual({ refused: expect.stringContaining("could be shardkv/client.ts or shardctrler/client.ts") });
  expect(uploadTarget("notes.ts", "", FILES_4B, "raft/raft.ts")).toEqual({ refused: expect.stringContaining("notes.ts: not a student file of this part") });
});

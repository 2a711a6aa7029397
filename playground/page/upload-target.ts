// Which student file an uploaded file replaces. A browser gives an upload its base name only
// (and, for a folder upload, its path inside that folder), while a part's student files can
// share a base name: 4B's shardkv/server.ts and shardctrler/server.ts, its two common.ts.

/** Where an upload goes: a student file, or why none was chosen. */
export type UploadTarget = { file: string } | { refused: string };

/**
 * The student file of a part that an uploaded file replaces.
 * @param name the upload's base name ("server.ts")
 * @param relativePath the path the browser gives for a folder upload ("labs/shardkv/server.ts"), or "" for single files
 * @param studentFiles the part's student files, relative to the project root ("shardkv/server.ts")
 * @param openFile the file open in the editor: it decides between files of one base name
 * @returns the file, or the reason no file is replaced (the note the page shows)
 */
export function uploadTarget(name: string, relativePath: string, studentFiles: readonly string[], openFile: string): UploadTarget {
  const candidates = studentFiles.filter((s) => s.split("/").pop() === name);
  if (candidates.length === 0) return { refused: `${name}: not a student file of this part (${studentFiles.join(", ")}); left out` };
  if (candidates.length === 1) return { file: candidates[0]! };
  // A folder upload names the folder: the candidate whose path ends the upload's path.
  const byFolder = candidates.filter((c) => relativePath === c || relativePath.endsWith(`/${c}`));
  if (byFolder.length === 1) return { file: byFolder[0]! };
  if (candidates.includes(openFile)) return { file: openFile };
  return { refused: `${name}: could be ${candidates.join(" or ")}; open the one you mean in the editor and upload it again; left out` };
}

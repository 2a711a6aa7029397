/**
 * Print a line of test output straight to stdout, as `go test -v` would, without the
 * test runner's per-line decoration.
 */
export function say(line: string): void {
  process.stdout.write(line + "\n");
}

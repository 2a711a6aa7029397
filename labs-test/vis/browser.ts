// Headless Chromium for the timeline page's browser tests (Debian's chromium package,
// driven by playwright-core; .ci/run installs it). Missing Chromium is an error with the
// command that installs it, never a skipped test.
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type BrowserContext } from "playwright-core";

export const CHROMIUM = "/usr/bin/chromium";

/**
 * Launch headless Chromium with a fresh profile (a new temp dir), no network services,
 * no sandbox (CI runs as root). Close the returned context to end the browser.
 */
export async function launchChromium(viewport = { width: 1400, height: 700 }): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `the timeline page's browser tests need Chromium at ${CHROMIUM}: ` +
        "install it with `apt-get update && apt-get install -y chromium` (.ci/run does this)",
    );
  }
  const profile = mkdtempSync(path.join(tmpdir(), "labs-vis-chromium-"));
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport,
    args: [
      "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

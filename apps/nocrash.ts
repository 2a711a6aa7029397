// The crash app without the crashes: the reference output for the crash test.
import { crashApp } from "./support/crash-app.js";

export const { map, reduce } = crashApp(async () => {});

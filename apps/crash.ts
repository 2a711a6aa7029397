// Like nocrash, but a third of map and reduce calls kill the worker and another third
// stall it for up to 10 s.
import { crashApp, maybeCrash } from "./support/crash-app.js";

export const { map, reduce } = crashApp(maybeCrash);

// The worker bundle's first lines (playground/build.ts puts this file in as esbuild's
// banner): the moment the worker's script began to run, on the platform's clock, before
// any module is evaluated, so the page can tell compiling the script from evaluating it.
"use strict";self.PLAYGROUND_SCRIPT_T0=performance.now();

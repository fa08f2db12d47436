#!/usr/bin/env node
// `npx wsinspect`: the native command line's parsing and rendering, run from the package's
// command-line module (pkg/cli/, the Rust `cli` module compiled to wasm), so its output and
// exit statuses are the native binary's. `serve` and `proxy` need the native binary.
import { readFileSync } from "node:fs";
import { initSync, runCli } from "../pkg/cli/wsinspect_cli.js";
import { nodeIo } from "./cli-io.js";

initSync({ module: readFileSync(new URL("../pkg/cli/wsinspect_cli_bg.wasm", import.meta.url)) });
process.exitCode = runCli(["wsinspect", ...process.argv.slice(2)], nodeIo);

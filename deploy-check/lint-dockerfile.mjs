// Lints a Dockerfile with dockerfile-utils (the validator behind the Docker language server): syntax, instruction
// arguments and flags, and the settings below raised to errors.
//
//   node deploy-check/lint-dockerfile.mjs docker/Dockerfile
//
// Prints one line per finding ("<line>:<column> error|warning <message>") and exits 1 when there is any error or
// warning. Install first: npm ci --prefix deploy-check
import { readFile } from "node:fs/promises";
import dockerfileUtils from "dockerfile-utils";

const { validate, ValidationSeverity } = dockerfileUtils;

const file = process.argv[2];
if (!file) {
  console.error("usage: node lint-dockerfile.mjs <Dockerfile>");
  process.exit(2);
}

const ERROR = ValidationSeverity.ERROR;
const diagnostics = validate(await readFile(file, "utf8"), {
  deprecatedMaintainer: ERROR,
  directiveCasing: ERROR,
  emptyContinuationLine: ERROR,
  instructionCasing: ERROR,
  instructionCmdMultiple: ERROR,
  instructionEntrypointMultiple: ERROR,
  instructionHealthcheckMultiple: ERROR,
  instructionJSONInSingleQuotes: ERROR,
  instructionWorkdirRelative: ERROR,
});

// LSP severities: 1 error, 2 warning, 3 information, 4 hint.
const names = { 1: "error", 2: "warning", 3: "info", 4: "hint" };
for (const d of diagnostics) {
  console.log(`${file}:${d.range.start.line + 1}:${d.range.start.character + 1} ${names[d.severity]} ${d.message}`);
}
const failing = diagnostics.filter((d) => d.severity <= 2).length;
console.log(`${diagnostics.length} findings, ${failing} errors or warnings`);
process.exit(failing === 0 ? 0 : 1);

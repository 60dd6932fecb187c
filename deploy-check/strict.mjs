// Unknown-field check for Kubernetes manifests, like `kubectl apply --validate=strict`: the JSON schemas that
// kubernetes-models validates against accept any extra property, so a misspelt field (readinesProbe) would pass them
// and be dropped silently by the API server. The field lists come from the type declarations (.d.ts) that
// kubernetes-models ships beside each model: one interface per API type, one line per field.
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const nodeModules = join(dirname(require.resolve("kubernetes-models/package.json")), "..");

const interfaces = new Map(); // .d.ts path -> { fields: Map(name -> type text), imports: Map(type -> .d.ts path) } | null

function resolveImport(fromFile, specifier) {
  const base = specifier.startsWith(".") ? join(dirname(fromFile), specifier) : join(nodeModules, specifier);
  const file = `${base}.d.ts`;
  return existsSync(file) ? file : undefined;
}

// The first exported interface of a declaration file; null for a type alias file (IntOrString, Quantity, Time).
function parse(file) {
  if (interfaces.has(file)) {
    return interfaces.get(file);
  }
  const lines = readFileSync(file, "utf8").split("\n");
  const imports = new Map();
  for (const line of lines) {
    const match = /^import \{ ([^}]+) \} from "([^"]+)";/.exec(line);
    if (match) {
      for (const name of match[1].split(",").map((n) => n.trim())) {
        imports.set(name, resolveImport(file, match[2]));
      }
    }
  }
  const start = lines.findIndex((line) => /^export interface \w+/.test(line));
  if (start < 0) {
    interfaces.set(file, null);
    return null;
  }
  const fields = new Map();
  let indexSignature = false;
  for (let i = start + 1; i < lines.length && lines[i] !== "}"; i++) {
    const match = /^ {4}"([^"]+)"\??: (.*)$/.exec(lines[i]);
    if (match) {
      // A type may span lines ({ [key: string]: T; }): read on until its braces close.
      let type = match[2];
      let depth = (type.match(/\{/g) || []).length - (type.match(/\}/g) || []).length;
      while (depth > 0) {
        const next = lines[++i];
        type += ` ${next.trim()}`;
        depth += (next.match(/\{/g) || []).length - (next.match(/\}/g) || []).length;
      }
      fields.set(match[1], type.replace(/;$/, ""));
    } else if (/^ {4}\[key: string\]/.test(lines[i])) {
      indexSignature = true;
    }
  }
  const parsed = { fields, imports, indexSignature };
  interfaces.set(file, parsed);
  return parsed;
}

// What a field's value must look like: {kind: "object"|"array"|"map", file} for a referenced API type, or null for
// anything the check leaves alone (strings, numbers, enums, aliases).
function shapeOf(type, imports) {
  const reference = /\b(I[A-Z]\w*)\b/.exec(type);
  if (!reference || !imports.has(reference[1])) {
    return null;
  }
  const file = imports.get(reference[1]);
  if (!file) {
    return null;
  }
  if (/^Array<\s*I\w+\s*>$/.test(type) || /^I\w+\[\]$/.test(type)) {
    return { kind: "array", file };
  }
  if (/^\{\s*\[key: string\]: I\w+;?\s*\}$/.test(type)) {
    return { kind: "map", file };
  }
  if (/^I\w+$/.test(type)) {
    return { kind: "object", file };
  }
  return null;
}

function check(value, file, path, problems) {
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    return;
  }
  const declared = parse(file);
  if (!declared || declared.indexSignature) {
    return;
  }
  for (const [key, child] of Object.entries(value)) {
    if (!declared.fields.has(key)) {
      problems.push(`${path}/${key}: unknown field`);
      continue;
    }
    const shape = shapeOf(declared.fields.get(key), declared.imports);
    if (!shape) {
      continue;
    }
    if (shape.kind === "object") {
      check(child, shape.file, `${path}/${key}`, problems);
    } else if (shape.kind === "array" && Array.isArray(child)) {
      child.forEach((item, index) => check(item, shape.file, `${path}/${key}/${index}`, problems));
    } else if (shape.kind === "map" && child && typeof child === "object") {
      for (const [name, item] of Object.entries(child)) {
        check(item, shape.file, `${path}/${key}/${name}`, problems);
      }
    }
  }
}

/**
 * The unknown fields of a manifest, as "/spec/template/.../field: unknown field" lines; undefined when there are no
 * declarations for its apiVersion (a custom resource).
 */
export function unknownFields(manifest, modulePath) {
  const file = join(nodeModules, `${modulePath}/${manifest.kind}.d.ts`);
  if (!modulePath.startsWith("kubernetes-models/") || !existsSync(file)) {
    return undefined;
  }
  const problems = [];
  check(manifest, file, "", problems);
  return problems;
}

// Validates Kubernetes manifests (one YAML file, several documents, as `helm template` writes them) against the API
// schemas of kubernetes-models, and ServiceMonitors against the prometheus-operator CRD models. Built-in kinds are
// also checked for unknown fields (strict.mjs), which the schemas alone let through.
//
//   node deploy-check/validate.mjs rendered.yaml
//
// Prints one line per document ("ok Deployment/x" or the schema errors) and exits 1 when any document is invalid or
// of a kind it has no schema for. Install first: npm ci --prefix deploy-check
import { readFile } from "node:fs/promises";
import { parseAllDocuments } from "yaml";
import { unknownFields } from "./strict.mjs";

// apiVersion -> the module that holds its models. The core group ("v1") has no group prefix.
const MODULES = {
  "v1": "kubernetes-models/v1",
  "apps/v1": "kubernetes-models/apps/v1",
  "policy/v1": "kubernetes-models/policy/v1",
  "networking.k8s.io/v1": "kubernetes-models/networking.k8s.io/v1",
  "batch/v1": "kubernetes-models/batch/v1",
  "autoscaling/v2": "kubernetes-models/autoscaling/v2",
  "rbac.authorization.k8s.io/v1": "kubernetes-models/rbac.authorization.k8s.io/v1",
  "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
};

async function modelFor(apiVersion, kind) {
  const module = MODULES[apiVersion];
  if (!module) {
    return undefined;
  }
  const models = await import(module);
  return models[kind];
}

const file = process.argv[2];
if (!file) {
  console.error("usage: node validate.mjs <manifests.yaml>");
  process.exit(2);
}

const documents = parseAllDocuments(await readFile(file, "utf8"));
let failures = 0;
let checked = 0;
for (const document of documents) {
  if (document.errors.length > 0) {
    failures++;
    console.log(`invalid YAML: ${document.errors.map((e) => e.message).join("; ")}`);
    continue;
  }
  const manifest = document.toJS();
  if (manifest === null || manifest === undefined) {
    continue; // an empty document (a template that rendered nothing)
  }
  const name = `${manifest.kind}/${manifest.metadata?.name}`;
  const Model = await modelFor(manifest.apiVersion, manifest.kind);
  if (!Model) {
    failures++;
    console.log(`no schema for ${manifest.apiVersion} ${name}`);
    continue;
  }
  checked++;
  try {
    new Model(manifest).validate();
  } catch (error) {
    failures++;
    const details = error.errors ? JSON.stringify(error.errors, null, 2) : "";
    console.log(`invalid ${manifest.apiVersion} ${name}: ${error.message}\n${details}`);
    continue;
  }
  const unknown = unknownFields(manifest, MODULES[manifest.apiVersion]);
  if (unknown && unknown.length > 0) {
    failures++;
    console.log(`invalid ${manifest.apiVersion} ${name}:\n  ${unknown.join("\n  ")}`);
    continue;
  }
  console.log(`ok ${manifest.apiVersion} ${name}${unknown ? "" : " (schema only: no field list for unknown fields)"}`);
}
console.log(`${checked} documents checked, ${failures} failed`);
process.exit(failures === 0 && checked > 0 ? 0 : 1);

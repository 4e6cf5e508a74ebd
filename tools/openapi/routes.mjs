// routes.mjs - the route table (src/api/routes.c) against docs/openapi.yaml's operations, both
// ways, so the two never drift. `node tools/openapi/routes.mjs` prints what differs and exits 1;
// the contract test imports compareRoutes().
//
// Mapping: a route "/x/*" is documented as one or more "/x/{name}..." paths (widget preflight:
// OPTIONS on each widget path); the catch-all "* /*" (the web app) as GET /. Path parameter
// names need not match ({channel} vs {id}): each {…} compares as {}.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import path from "node:path";
import { createRequire } from "node:module";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const YAML = require("yaml");
export const ROOT = path.resolve(here, "../..");

const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

export function loadSpec() {
    return YAML.parse(readFileSync(path.join(ROOT, "docs/openapi.yaml"), "utf8"));
}

// Each entry of the table starts { "METHOD", "/path", ... (the method may be "*").
export function tableRoutes() {
    const src = readFileSync(path.join(ROOT, "src/api/routes.c"), "utf8");
    const out = [];
    for (const m of src.matchAll(/\{\s*"([A-Z*]+)",\s*"([^"]+)",/g))
        out.push({ method: m[1], path: m[2] });
    return out;
}

export function specOperations(spec) {
    const out = [];
    for (const [p, item] of Object.entries(spec.paths || {}))
        for (const m of METHODS)
            if (item[m]) out.push({ method: m.toUpperCase(), path: p });
    return out;
}

const norm = (p) => p.replace(/\{[^}]*\}/g, "{}");

// Returns a list of human-readable differences (empty when the two agree).
export function compareRoutes(spec) {
    const ops = specOperations(spec);
    const routes = tableRoutes();
    const problems = [];
    // A table this small means its layout changed and the pattern above no longer reads it.
    if (routes.length < 20)
        problems.push(`read only ${routes.length} routes from src/api/routes.c: update tableRoutes()`);
    const covered = new Set();
    const key = (o) => `${o.method} ${o.path}`;
    for (const r of routes) {
        let matches;
        if (r.method === "*" && r.path === "/*") {
            matches = ops.filter((o) => o.method === "GET" && o.path === "/");
        } else if (r.path.endsWith("/*")) {
            const prefix = norm(r.path.slice(0, -1));
            matches = ops.filter((o) => o.method === r.method && norm(o.path).startsWith(prefix));
        } else {
            matches = ops.filter((o) => o.method === r.method && norm(o.path) === norm(r.path));
        }
        if (matches.length === 0)
            problems.push(`route ${r.method} ${r.path} (src/api/routes.c) is not in docs/openapi.yaml`);
        for (const m of matches) covered.add(key(m));
    }
    for (const o of ops)
        if (!covered.has(key(o)))
            problems.push(`operation ${key(o)} (docs/openapi.yaml) is not a route in src/api/routes.c`);
    return problems;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
    const problems = compareRoutes(loadSpec());
    for (const p of problems) console.log(p);
    console.log(`routes vs openapi: ${problems.length ? problems.length + " differences" : "in step"}`);
    process.exit(problems.length ? 1 : 0);
}

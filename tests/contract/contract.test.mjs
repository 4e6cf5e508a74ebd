// contract.test.mjs - calls every operation of docs/openapi.yaml against a running hark
// ($HARK_URL, an admin API token in $HARK_TOKEN; started by run.sh) and checks each answer
// against the description: the status is one the operation documents, and a JSON body is valid
// against that status's schema (JSON Schema 2020-12, as OpenAPI 3.1 uses, by ajv). Every
// operation must be called at least once with a 2xx answer; most also get one error path.
// Also checks the route table and the description list the same operations (routes.mjs).
//
// HARK_CONTRACT_DUMP=FILE writes every answer seen to FILE (JSON), to help write schemas.
// Prints "contract tests: N passed, M failed"; exits 1 on any failure.
import { createHmac } from "node:crypto";
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";

const ROOT = process.env.HARK_ROOT || path.resolve(import.meta.dirname, "../..");
const { loadSpec, compareRoutes, specOperations } = await import(
    path.join(ROOT, "tools/openapi/routes.mjs"));
const require = createRequire(path.join(ROOT, "tools/openapi/package.json"));
const Ajv2020 = require("ajv/dist/2020").default;
const addFormats = require("ajv-formats").default;

const URL0 = process.env.HARK_URL;
const TOKEN = process.env.HARK_TOKEN;
const spec = loadSpec();
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(spec, "spec");

let passed = 0, failed = 0;
const seen = new Map(); // "METHOD /path" -> set of statuses
const dump = [];
const ok = (name) => { passed++; };
const bad = (name, why) => { failed++; console.log(`FAIL: ${name}: ${why}`); };

const ptr = (s) => s.replace(/~/g, "~0").replace(/\//g, "~1");
function deref(obj, at) {
    while (obj && obj.$ref) {
        at = obj.$ref.slice(1);
        obj = obj.$ref.slice(2).split("/").reduce((o, k) =>
            o[k.replace(/~1/g, "/").replace(/~0/g, "~")], spec);
    }
    return [obj, at];
}

const validators = new Map();
function validatorAt(pointer) {
    if (!validators.has(pointer))
        validators.set(pointer, ajv.compile({ $ref: "spec#" + pointer }));
    return validators.get(pointer);
}

// Fields the answer has that its schema does not name (the description must be complete): the
// properties of an object schema, following $ref, allOf, anyOf and oneOf; an object schema
// without properties (settings, attributes) is free-form.
function undocumented(schema, data, where, out) {
    schema = deref(schema, "")[0];
    if (!schema || typeof schema !== "object" || data === null || typeof data !== "object") return out;
    if (Array.isArray(data)) {
        if (schema.items) data.forEach((x, i) => undocumented(schema.items, x, `${where}/${i}`, out));
        for (const k of ["allOf", "anyOf", "oneOf"])
            for (const sub of schema[k] || []) undocumented(sub, data, where, out);
        return out;
    }
    const props = {}, branches = [schema, ...(schema.allOf || []), ...(schema.anyOf || []), ...(schema.oneOf || [])];
    let free = true;
    for (let b of branches) {
        b = deref(b, "")[0];
        if (b && b.properties) { free = false; Object.assign(props, b.properties); }
        if (b && b.additionalProperties) free = true;
    }
    for (const [k, v] of Object.entries(data)) {
        if (props[k]) undocumented(props[k], v, `${where}/${k}`, out);
        else if (!free) out.push(`${where}/${k}`);
    }
    return out;
}

// Checks a response against the operation `op` ("METHOD /documented/path").
function checkResponse(name, op, res, text) {
    const [method, p] = op.split(" ");
    const item = spec.paths[p];
    const operation = item && item[method.toLowerCase()];
    if (!operation) return bad(name, `${op} is not documented`);
    const st = String(res.status);
    let resp = operation.responses[st], at = `/paths/${ptr(p)}/${method.toLowerCase()}/responses/${st}`;
    if (!resp) return bad(name, `status ${st} is not documented for ${op} (body: ${text.slice(0, 200)})`);
    [resp, at] = deref(resp, at);
    if (!seen.has(op)) seen.set(op, new Set());
    seen.get(op).add(res.status);
    const ctype = (res.headers.get("content-type") || "").split(";")[0].trim();
    const content = resp.content || {};
    if (!Object.keys(content).length) {
        if (text.length && res.status !== 204 && method !== "HEAD")
            return bad(name, `${op} ${st} documents no body but got ${ctype}: ${text.slice(0, 120)}`);
        return ok(name);
    }
    if (!content[ctype])
        return bad(name, `${op} ${st}: content-type ${ctype || "(none)"} not documented (${Object.keys(content)})`);
    if (ctype === "application/json") {
        let body;
        try { body = JSON.parse(text); } catch { return bad(name, `not JSON: ${text.slice(0, 120)}`); }
        const v = validatorAt(`${at}/content/${ptr(ctype)}/schema`);
        if (!v(body))
            return bad(name, `${op} ${st}: ${ajv.errorsText(v.errors)}; body: ${text.slice(0, 300)}`);
        const extra = undocumented(content[ctype].schema, body, "", []);
        if (extra.length) return bad(name, `${op} ${st}: fields not in the description: ${extra.slice(0, 8).join(", ")}`);
    }
    ok(name);
}

let cookie = "", csrf = "";
// call(op, path, {body, auth: "token"|"cookie"|"none"|string, headers, raw, stream, want})
async function call(op, p, o = {}) {
    const headers = { ...(o.headers || {}) };
    const auth = o.auth || "token"; // "token", "cookie", or anything else: only o.headers
    if (auth === "token") headers.Authorization = `Bearer ${TOKEN}`;
    else if (auth === "cookie") { headers.Cookie = cookie; headers["X-CSRF-Token"] = csrf; }
    let body;
    if (o.raw !== undefined) body = o.raw;
    else if (o.body !== undefined) { body = JSON.stringify(o.body); headers["Content-Type"] = "application/json"; }
    const method = op.split(" ")[0];
    const ctl = new AbortController();
    const timer = setTimeout(() => ctl.abort(), 10000);
    let res, text = "";
    try {
        res = await fetch(URL0 + p, { method, headers, body, signal: ctl.signal, redirect: "manual" });
        if (o.stream) {
            // An event stream never ends: read its first chunk (the answer is in), then hang up.
            const rd = res.body.getReader();
            const first = await rd.read();
            text = first.value ? Buffer.from(first.value).toString("utf8") : "";
            ctl.abort();
        } else {
            text = await res.text();
        }
    } catch (e) {
        clearTimeout(timer);
        bad(`${op} ${p}`, `request failed: ${e}`);
        return { status: 0, json: null, text: "", headers: new Headers() };
    }
    clearTimeout(timer);
    const name = `${op} ${p} -> ${res.status}`;
    // A request the server accepted must be one the description allows.
    if (res.status >= 200 && res.status < 300 && o.body !== undefined) {
        const [m, dp] = op.split(" ");
        const rb = deref(spec.paths[dp]?.[m.toLowerCase()]?.requestBody, "")[0];
        if (!rb?.content?.["application/json"]) bad(name, `${op} took a JSON body the description does not list`);
        else {
            const v = validatorAt(`/paths/${ptr(dp)}/${m.toLowerCase()}/requestBody/content/application~1json/schema`);
            if (!v(o.body)) bad(name, `${op}: the accepted request is not valid against its schema: ${ajv.errorsText(v.errors)}`);
        }
    }
    if (o.want !== undefined && res.status !== o.want)
        bad(name, `want ${o.want} (body: ${text.slice(0, 300)})`);
    if (!o.stream || res.status !== 200) checkResponse(name, op, res, o.stream ? "" : text);
    else checkResponse(name, op, res, "");
    let json = null;
    try { json = JSON.parse(text); } catch { /* not JSON */ }
    if (process.env.HARK_CONTRACT_DUMP)
        dump.push({ op, path: p, status: res.status, ctype: res.headers.get("content-type"), body: json ?? text.slice(0, 300) });
    return { status: res.status, json, text, headers: res.headers };
}

const sign = (secret, body) => "sha256=" + createHmac("sha256", secret).update(body).digest("hex");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// --- The route table and the description agree. ---
for (const p of compareRoutes(spec)) bad("routes", p);

// --- Sessions ---
await call("POST /api/v1/login", "/api/v1/login", { auth: "none", want: 401,
    body: { email: "admin@example.com", password: "wrong-password-1" } });
{
    const r = await call("POST /api/v1/login", "/api/v1/login", { auth: "none", want: 200,
        body: { email: "admin@example.com", password: "admin-password-1" } });
    cookie = (r.headers.get("set-cookie") || "").split(";")[0];
    csrf = r.json?.csrf || "";
}
await call("GET /api/v1/me", "/api/v1/me", { auth: "none", want: 401 });
const me = (await call("GET /api/v1/me", "/api/v1/me", { auth: "cookie", want: 200 })).json;
await call("GET /api/v1/me", "/api/v1/me", { want: 200 }); // the CLI's token: no agent
await call("PATCH /api/v1/me", "/api/v1/me", { auth: "cookie", want: 200, body: { display_name: "Ada", bio: "Support lead" } });
await call("PATCH /api/v1/me", "/api/v1/me", { auth: "cookie", want: 422, body: { display_name: 7 } });
await call("PUT /api/v1/me/availability", "/api/v1/me/availability", { auth: "cookie", want: 200, body: { availability: "online" } });
await call("PUT /api/v1/me/availability", "/api/v1/me/availability", { auth: "cookie", want: 422, body: { availability: "asleep" } });
await call("POST /api/v1/me/password", "/api/v1/me/password", { auth: "cookie", want: 403,
    body: { current_password: "not-the-password", password: "a-new-password-2" } });

// --- Agents ---
const agents = await call("GET /api/v1/agents", "/api/v1/agents", { want: 200 });
const sam = (agents.json?.items || []).find((a) => a.email === "sam@example.com") || { id: 2 };
const newAgent = (await call("POST /api/v1/agents", "/api/v1/agents", { want: 201,
    body: { email: "kim@example.com", name: "Kim Lee", password: "kim-password-12", role: "agent" } })).json;
await call("POST /api/v1/agents", "/api/v1/agents", { want: 409,
    body: { email: "kim@example.com", name: "Kim Lee", password: "kim-password-12" } });
const kim = newAgent?.id ?? 3;
await call("PATCH /api/v1/agents/{id}", `/api/v1/agents/${kim}`, { want: 200,
    body: { display_name: "Kim", bio: "Returns", avatar_url: "https://example.com/kim.png", role: "supervisor" } });
await call("PATCH /api/v1/agents/{id}", `/api/v1/agents/${kim}`, { want: 422, body: { avatar_url: "http://x" } });
await call("PATCH /api/v1/agents/{id}", "/api/v1/agents/9999", { want: 404, body: { bio: "x" } });
const invited = (await call("POST /api/v1/agents", "/api/v1/agents", { want: 201,
    body: { email: "ina@example.com", name: "Ina Vite", role: "store_staff" } })).json;
const ina = invited?.id ?? 4;
const link = (await call("POST /api/v1/agents/{id}/invite", `/api/v1/agents/${ina}/invite`, { want: 200 })).json;
await call("POST /api/v1/agents/{id}/invite", "/api/v1/agents/9999/invite", { want: 404 });
const inviteToken = (link?.invite_url || "").split("/#/invite/")[1] || "x";
await call("GET /api/v1/invites/{token}", `/api/v1/invites/${inviteToken}`, { auth: "none", want: 200 });
await call("GET /api/v1/invites/{token}", "/api/v1/invites/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", { auth: "none", want: 404 });
await call("POST /api/v1/invites/{token}", `/api/v1/invites/${inviteToken}`, { auth: "none", want: 422, body: { password: "short" } });
await call("POST /api/v1/invites/{token}", `/api/v1/invites/${inviteToken}`, { auth: "none", want: 200, body: { password: "ina-chooses-12" } });
await call("POST /api/v1/agents/{id}/disable", `/api/v1/agents/${kim}/disable`, { want: 200 });
await call("POST /api/v1/agents/{id}/disable", "/api/v1/agents/9999/disable", { want: 404 });
await call("POST /api/v1/agents/{id}/enable", `/api/v1/agents/${kim}/enable`, { want: 200 });
await call("POST /api/v1/agents/{id}/enable", "/api/v1/agents/9999/enable", { want: 404 });
await call("POST /api/v1/agents/{id}/password", `/api/v1/agents/${kim}/password`, { want: 200, body: { password: "kim-password-34" } });
await call("POST /api/v1/agents/{id}/password", `/api/v1/agents/${kim}/password`, { want: 422, body: { password: "short" } });
await call("GET /api/v1/agents/profiles", "/api/v1/agents/profiles", { want: 200 });
await call("GET /api/v1/agents/{id}/profile", `/api/v1/agents/${sam.id}/profile`, { want: 200 });
await call("GET /api/v1/agents/{id}/profile", "/api/v1/agents/9999/profile", { want: 404 });
await call("PATCH /api/v1/agents/{id}/profile", `/api/v1/agents/${sam.id}/profile`, { want: 200,
    body: { skills: ["billing"], languages: ["en"], capacity: 5, location: "Berlin" } });
await call("PATCH /api/v1/agents/{id}/profile", `/api/v1/agents/${sam.id}/profile`, { want: 422, body: { capacity: -1 } });

// --- Tokens ---
await call("GET /api/v1/tokens", "/api/v1/tokens", { want: 200 });
const tok = (await call("POST /api/v1/tokens", "/api/v1/tokens", { want: 201, body: { name: "ci", role: "agent", expires_days: 30 } })).json;
await call("POST /api/v1/tokens", "/api/v1/tokens", { want: 422, body: { name: "ci", role: "root" } });
await call("DELETE /api/v1/tokens/{id}", `/api/v1/tokens/${tok?.id ?? 2}`, { want: 200 });
await call("DELETE /api/v1/tokens/{id}", "/api/v1/tokens/9999", { want: 404 });

// --- Channels and webhooks ---
const api = (await call("POST /api/v1/channels", "/api/v1/channels", { want: 201,
    body: { type: "api", name: "API", settings: { callback_url: "http://127.0.0.1:9/closed" } } })).json || {};
await call("POST /api/v1/channels", "/api/v1/channels", { want: 422, body: { type: "pigeon", name: "x" } });
const wa = (await call("POST /api/v1/channels", "/api/v1/channels", { want: 201,
    body: { type: "whatsapp", name: "WA", settings: { phone_number_id: "800000000000002", access_token: "t",
            app_secret: "s", verify_token: "vt" } } })).json || {};
const web = (await call("POST /api/v1/channels", "/api/v1/channels", { want: 201,
    body: { type: "webchat", name: "Site", settings: { brand_name: "Northwind", allowed_origins: ["https://shop.example"] } } })).json || {};
await call("GET /api/v1/channels", "/api/v1/channels", { want: 200 });

const hook = async (id, text, want) => {
    const raw = JSON.stringify({ id: `m-${text.length}-${Date.now()}`, from: { id: "c1", name: "Chris" }, text });
    return call("POST /hooks/{channel}", `/hooks/${id}`, { auth: "none", raw, want,
        headers: { "Content-Type": "application/json", "X-Hark-Signature": sign(api.secret || "", raw) } });
};
const h1 = (await hook(api.id, "My order has not arrived, where is it?", 200)).json || {};
await hook(api.id, "Hello again, any news?", 200);
await call("POST /hooks/{channel}", `/hooks/${api.id}`, { auth: "none", want: 401,
    raw: '{"id":"x","from":{"id":"c1"},"text":"hi"}', headers: { "Content-Type": "application/json", "X-Hark-Signature": "sha256=00" } });
// A platform type signs its own way: WhatsApp's X-Hub-Signature-256 (app_secret), no X-Hark-Signature.
const waBody = JSON.stringify({ object: "whatsapp_business_account", entry: [{ id: "900000000000001", changes: [{ field: "messages",
    value: { messaging_product: "whatsapp", metadata: { display_phone_number: "15550001111", phone_number_id: "800000000000002" },
             contacts: [{ profile: { name: "Ana Lima" }, wa_id: "5511987654321" }],
             messages: [{ from: "5511987654321", id: "wamid.CONTRACT1", timestamp: String(Math.floor(Date.now() / 1000)),
                          type: "text", text: { body: "Where is my parcel?" } }] } }] }] });
const waHook = (await call("POST /hooks/{channel}", `/hooks/${wa.id}`, { auth: "none", raw: waBody, want: 200,
    headers: { "Content-Type": "application/json", "X-Hub-Signature-256": sign("s", waBody) } })).json || {};
await call("POST /hooks/{channel}", `/hooks/${wa.id}`, { auth: "none", raw: waBody, want: 401,
    headers: { "Content-Type": "application/json", "X-Hark-Signature": sign("s", waBody) } });
await call("GET /hooks/{channel}", `/hooks/${wa.id}?hub.mode=subscribe&hub.verify_token=vt&hub.challenge=12345`, { auth: "none", want: 200 });
await call("GET /hooks/{channel}", `/hooks/${wa.id}?hub.mode=subscribe&hub.verify_token=no&hub.challenge=12345`, { auth: "none", want: 403 });
await call("GET /hooks/{channel}", `/hooks/${api.id}`, { auth: "none", want: 404 });
// One channel with its status; change, rotate and delete (a channel with conversations: 409).
await call("GET /api/v1/channels/{id}", `/api/v1/channels/${wa.id}`, { want: 200 });
await call("GET /api/v1/channels/{id}", "/api/v1/channels/9999", { want: 404 });
await call("PATCH /api/v1/channels/{id}", `/api/v1/channels/${web.id}`, { want: 200,
    body: { name: "Site chat", settings: { color: "#7c2d12", greeting: "Hi!", launcher_text: "Ask us" } } });
await call("PATCH /api/v1/channels/{id}", `/api/v1/channels/${web.id}`, { want: 422, body: { settings: { color: "red" } } });
{
    const spare = (await call("POST /api/v1/channels", "/api/v1/channels", { want: 201, body: { type: "api", name: "Spare" } })).json || {};
    await call("POST /api/v1/channels/{id}/rotate", `/api/v1/channels/${spare.id}/rotate`, { want: 200 });
    await call("POST /api/v1/channels/{id}/rotate", "/api/v1/channels/9999/rotate", { want: 404 });
    await call("DELETE /api/v1/channels/{id}", `/api/v1/channels/${spare.id}`, { want: 204 });
    await call("DELETE /api/v1/channels/{id}", `/api/v1/channels/${api.id}`, { want: 409 });
}

// --- Conversations ---
const conv = h1.conversation_id || 1;
await call("GET /api/v1/conversations", "/api/v1/conversations?status=all&limit=10", { want: 200 });
await call("GET /api/v1/conversations", "/api/v1/conversations?unanswered=true", { want: 200 });
await call("GET /api/v1/conversations", "/api/v1/conversations?status=nonsense", { want: 400 });
await call("GET /api/v1/conversations/counts", "/api/v1/conversations/counts", { want: 200 });
await call("GET /api/v1/conversations/{id}", `/api/v1/conversations/${conv}?limit=1`, { want: 200 });
await call("GET /api/v1/conversations/{id}", "/api/v1/conversations/9999", { want: 404 });
{   // a WhatsApp DM has a reply window
    const c = (await call("GET /api/v1/conversations/{id}", `/api/v1/conversations/${waHook.conversation_id}`, { want: 200 })).json || {};
    if (typeof c.reply_window_closes_at !== "string" || c.reply_window_open !== true)
        bad("reply window", `a fresh WhatsApp conversation should have an open window: ${JSON.stringify(c).slice(0, 200)}`);
    else ok("reply window");
}
await call("GET /api/v1/conversations/{id}/messages", `/api/v1/conversations/${conv}/messages?limit=1`, { want: 200 });
await call("GET /api/v1/conversations/{id}/messages", `/api/v1/conversations/${conv}/messages?before=zzz`, { want: 400 });
const reply = (await call("POST /api/v1/conversations/{id}/messages", `/api/v1/conversations/${conv}/messages`,
    { want: 201, body: { text: "Sorry about that, checking now." } })).json || {};
await call("POST /api/v1/conversations/{id}/messages", `/api/v1/conversations/${conv}/messages`,
    { want: 201, body: { text: "Carrier says Tuesday.", private: true } });
await call("POST /api/v1/conversations/{id}/messages", "/api/v1/conversations/9999/messages", { want: 404, body: { text: "x" } });
await call("POST /api/v1/conversations/{id}/private-reply", `/api/v1/conversations/${conv}/private-reply`,
    { want: 422, body: { text: "Let's continue in private." } });
{   // A Facebook Page comment (a public thread), then Meta's private reply through the fake Graph API.
    const PAGE = "111222333444555";
    const fb = (await call("POST /api/v1/channels", "/api/v1/channels", { want: 201, body: { type: "messenger", name: "FB",
        settings: { app_secret: "fb-secret", verify_token: "vt-fb", access_token: "contract-page-token", page_id: PAGE,
                    api_base: process.env.HARK_GRAPH, timeout_ms: 2000 } } })).json || {};
    const entry = JSON.parse(execFileSync("python3", [path.join(ROOT, "tests/fakes/meta_fake.py"), "entry", "fb-comment",
        "--account", PAGE, "--sender", "7770001", "--name", "Carla Dias", "--id", "999_1", "--post", `${PAGE}_42`,
        "--text", "Still waiting for my refund!"], { encoding: "utf8" }));
    const raw = JSON.stringify({ object: "page", entry: [entry] });
    const pub = (await call("POST /hooks/{channel}", `/hooks/${fb.id}`, { auth: "none", raw, want: 200,
        headers: { "Content-Type": "application/json", "X-Hub-Signature-256": sign("fb-secret", raw) } })).json || {};
    await call("POST /api/v1/conversations/{id}/private-reply", `/api/v1/conversations/${pub.conversation_id}/private-reply`,
        { want: 201, body: { text: "Hi Carla, could you send us your order number here?" } });
    await call("POST /api/v1/conversations/{id}/private-reply", `/api/v1/conversations/${pub.conversation_id}/private-reply`,
        { want: 502, body: { text: "again" } });
    await call("POST /api/v1/conversations/{id}/callback-offer", `/api/v1/conversations/${pub.conversation_id}/callback-offer`,
        { want: 422, body: {} });
}
{   // WhatsApp templates: none without a business account id; the approved list through the fake Graph API;
    // a template reply checked against it.
    await call("GET /api/v1/conversations/{id}/templates", `/api/v1/conversations/${waHook.conversation_id}/templates`, { want: 409 });
    const WABA_PHONE = "800000000000077";
    const wt = (await call("POST /api/v1/channels", "/api/v1/channels", { want: 201, body: { type: "whatsapp", name: "WA templates",
        settings: { app_secret: "wt-secret", verify_token: "vt-wt", access_token: "contract-page-token", phone_number_id: WABA_PHONE,
                    business_account_id: "102290129340398", api_base: process.env.HARK_GRAPH, timeout_ms: 2000 } } })).json || {};
    const raw = JSON.stringify({ object: "whatsapp_business_account", entry: [{ id: "102290129340398", changes: [{ field: "messages",
        value: { messaging_product: "whatsapp", metadata: { display_phone_number: "15550001111", phone_number_id: WABA_PHONE },
                 contacts: [{ profile: { name: "Tomas Vale" }, wa_id: "5511900000077" }],
                 messages: [{ from: "5511900000077", id: "wamid.CONTRACT77", timestamp: "1700000000", type: "text", text: { body: "Hi?" } }] } }] }] });
    const h = (await call("POST /hooks/{channel}", `/hooks/${wt.id}`, { auth: "none", raw, want: 200,
        headers: { "Content-Type": "application/json", "X-Hub-Signature-256": sign("wt-secret", raw) } })).json || {};
    await call("GET /api/v1/conversations/{id}/templates", `/api/v1/conversations/${h.conversation_id}/templates`, { want: 200 });
    await call("GET /api/v1/conversations/{id}/templates", `/api/v1/conversations/${h.conversation_id}/templates?refresh=1`, { want: 200 });
    await call("GET /api/v1/conversations/{id}/templates", `/api/v1/conversations/${h.conversation_id}/templates?refresh=2`, { want: 400 });
    await call("GET /api/v1/conversations/{id}/templates", `/api/v1/conversations/${conv}/templates`, { want: 422 });
    await call("GET /api/v1/conversations/{id}/templates", "/api/v1/conversations/9999/templates", { want: 404 });
    await call("POST /api/v1/conversations/{id}/messages", `/api/v1/conversations/${h.conversation_id}/messages`,
        { want: 422, body: { template: { name: "holiday_hours", language: "en_US" } } });
    await call("POST /api/v1/conversations/{id}/messages", `/api/v1/conversations/${h.conversation_id}/messages`,
        { want: 201, body: { template: { name: "holiday_hours", language: "en_US",
            components: [{ type: "body", parameters: [{ type: "text", text: "Monday" }, { type: "text", text: "Tuesday" }] }] } } });
}
{   // A phone callback: the offer, the public page's slots and answer, the task and done.
    const offer = (await call("POST /api/v1/conversations/{id}/callback-offer", `/api/v1/conversations/${conv}/callback-offer`,
        { auth: "cookie", want: 201, body: { text: "Happy to call you: {link}" } })).json || {};
    await call("POST /api/v1/conversations/{id}/callback-offer", "/api/v1/conversations/9999/callback-offer", { want: 404, body: {} });
    const tok = String(offer.callback?.url || "").replace(/.*\/callback\//, "");
    const page = (await call("GET /api/v1/callback/{token}", `/api/v1/callback/${tok}`, { auth: "none", want: 200 })).json || {};
    await call("GET /api/v1/callback/{token}", "/api/v1/callback/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", { auth: "none", want: 404 });
    await call("POST /api/v1/callback/{token}", `/api/v1/callback/${tok}`, { auth: "none", want: 422, body: { slot: page.slots?.[0], phone: "12" } });
    await call("POST /api/v1/callback/{token}", `/api/v1/callback/${tok}`, { auth: "none", want: 201,
        body: { slot: page.slots?.[0], phone: "+49 151 2345678", note: "mornings" } });
    const tasks = (await call("GET /api/v1/callbacks", "/api/v1/callbacks?mine=1", { auth: "cookie", want: 200 })).json || {};
    await call("GET /api/v1/callbacks", "/api/v1/callbacks?mine=2", { want: 400 });
    await call("POST /api/v1/callbacks/{id}/done", `/api/v1/callbacks/${tasks.items?.[0]?.id}/done`, { auth: "cookie", want: 200, body: {} });
    await call("POST /api/v1/callbacks/{id}/done", "/api/v1/callbacks/9999/done", { want: 404, body: {} });
}
await call("POST /api/v1/conversations/{id}/assign", `/api/v1/conversations/${conv}/assign`, { auth: "cookie", want: 200, body: { agent_id: "me" } });
await call("POST /api/v1/conversations/{id}/assign", `/api/v1/conversations/${conv}/assign`, { want: 200, body: { agent_id: null } });
await call("POST /api/v1/conversations/{id}/assign", `/api/v1/conversations/${conv}/assign`, { want: 422, body: { agent_id: "me" } });
await call("POST /api/v1/conversations/{id}/assign", "/api/v1/conversations/9999/assign", { want: 404, body: { agent_id: null } });
await call("POST /api/v1/conversations/{id}/labels", `/api/v1/conversations/${conv}/labels`, { want: 200, body: { add: ["shipping"] } });
await call("POST /api/v1/conversations/{id}/labels", `/api/v1/conversations/${conv}/labels`, { want: 422, body: { add: "shipping" } });
await call("POST /api/v1/conversations/{id}/read", `/api/v1/conversations/${conv}/read`, { want: 200 });
await call("POST /api/v1/conversations/{id}/read", "/api/v1/conversations/9999/read", { want: 404 });
await call("GET /api/v1/conversations/{id}/sla", `/api/v1/conversations/${conv}/sla`, { want: 200 });
await call("GET /api/v1/conversations/{id}/sla", "/api/v1/conversations/9999/sla", { want: 404 });
await call("POST /api/v1/conversations/{id}/status", `/api/v1/conversations/${conv}/status`, { want: 422, body: { status: "asleep" } });
await call("POST /api/v1/conversations/{id}/status", `/api/v1/conversations/${conv}/status`, { want: 200, body: { status: "pending" } });

// --- Messages: triage corrections and delivery retry ---
const review = (await call("GET /api/v1/triage/review", "/api/v1/triage/review?limit=20", { want: 200 })).json || { items: [] };
if (!review.items.length) throw new Error("review queue empty: the contract server runs without models?");
await call("GET /api/v1/triage/review", "/api/v1/triage/review?limit=21", { want: 400 });
await call("POST /api/v1/messages/{id}/triage", `/api/v1/messages/${review.items[0].message_id}/triage`, { want: 200, body: { skip: true } });
await call("POST /api/v1/messages/{id}/triage", `/api/v1/messages/${review.items[0].message_id}/triage`, { want: 200, body: { confirm: true } });
await call("POST /api/v1/messages/{id}/triage", `/api/v1/messages/${review.items[0].message_id}/triage`, { want: 422, body: { confirm: "yes" } });
await call("POST /api/v1/messages/{id}/triage", `/api/v1/messages/${h1.message_id || 1}/triage`,
    { want: 200, body: { intent: "complaint", sentiment: "negative" } });
await call("POST /api/v1/messages/{id}/triage", `/api/v1/messages/${h1.message_id || 1}/triage`, { want: 422, body: { intent: "nonsense" } });
await call("GET /api/v1/triage/corrections", "/api/v1/triage/corrections?model=intent", { want: 200 });
for (let i = 0; i < 100; i++) {   // the reply's one delivery attempt fails (closed port)
    const m = await fetch(`${URL0}/api/v1/conversations/${conv}/messages?limit=50`,
        { headers: { Authorization: `Bearer ${TOKEN}` } }).then((r) => r.json());
    if ((m.items || []).some((x) => x.id === reply.id && x.status === "failed")) break;
    await sleep(100);
}
await call("POST /api/v1/messages/{id}/retry", `/api/v1/messages/${reply.id}/retry`, { want: 200 });
await call("POST /api/v1/messages/{id}/retry", `/api/v1/messages/${h1.message_id || 1}/retry`, { want: 404 });

// --- Triage model versions: corrections until the intent model can be scored, a retrain,
// its job, a switch back to the shipped version. ---
const tmodels = (await call("GET /api/v1/triage/models", "/api/v1/triage/models", { want: 200 })).json || { versions: [] };
const shippedIntent = tmodels.versions.find((v) => v.kind === "intent" && v.source === "shipped")?.id || 1;
await call("POST /api/v1/triage/models/retrain", "/api/v1/triage/models/retrain", { want: 422, body: { kinds: ["sentiment"] } });
for (let i = 0; i < 150; i++) {
    const a = (await hook(api.id, `the flumbox ${i} rattles`, 200)).json || {};
    await fetch(`${URL0}/api/v1/messages/${a.message_id}/triage`, { method: "POST", headers: { Authorization: `Bearer ${TOKEN}`,
        "Content-Type": "application/json" }, body: JSON.stringify({ intent: i % 2 ? "spam" : "praise" }) });
    if (i >= 40 && i % 10 === 0) {
        const st = await fetch(`${URL0}/api/v1/triage/models`, { headers: { Authorization: `Bearer ${TOKEN}` } }).then((r) => r.json());
        if (st.kinds.find((k) => k.kind === "intent").ready) break;
    }
}
const tjob = (await call("POST /api/v1/triage/models/retrain", "/api/v1/triage/models/retrain", { want: 202, body: { kinds: ["intent"], force: true } })).json || {};
for (let i = 0; i < 600; i++) {
    const j = (await call("GET /api/v1/triage/models/jobs/{id}", `/api/v1/triage/models/jobs/${tjob.id}`, { want: 200 })).json;
    if (!j || j.state !== "running") break;
    await sleep(100);
}
await call("GET /api/v1/triage/models/jobs/{id}", "/api/v1/triage/models/jobs/99999", { want: 404 });
await call("GET /api/v1/triage/models", "/api/v1/triage/models", { want: 200 });
await call("POST /api/v1/triage/models/{id}/activate", `/api/v1/triage/models/${shippedIntent}/activate`, { want: 200 });
await call("POST /api/v1/triage/models/{id}/activate", "/api/v1/triage/models/99999/activate", { want: 404 });

// --- Contacts ---
const contacts = (await call("GET /api/v1/contacts", "/api/v1/contacts?q=Chris&limit=5", { want: 200 })).json;
const contact = contacts?.items?.[0]?.id || 1;
await call("GET /api/v1/contacts/{id}", `/api/v1/contacts/${contact}`, { want: 200 });
await call("GET /api/v1/contacts/{id}", "/api/v1/contacts/9999", { want: 404 });
await call("PATCH /api/v1/contacts/{id}", `/api/v1/contacts/${contact}`, { want: 200, body: { email: "chris@example.com", tags: ["vip"], status: "customer" } });
await call("PATCH /api/v1/contacts/{id}", `/api/v1/contacts/${contact}`, { want: 422, body: { status: "emperor" } });
await call("PATCH /api/v1/contacts/{id}", `/api/v1/contacts/${contact}`, { want: 422, body: { status: "blocked" } });
await call("GET /api/v1/contacts/{id}/block", `/api/v1/contacts/${contact}/block`, { want: 200 });
await call("POST /api/v1/contacts/{id}/block", `/api/v1/contacts/${contact}/block`, { want: 422, body: {} });
await call("POST /api/v1/contacts/{id}/block", `/api/v1/contacts/${contact}/block`, { want: 200, body: { reason: "Insults the team" } });
await call("GET /api/v1/contacts/{id}", `/api/v1/contacts/${contact}`, { want: 200 });
await call("PATCH /api/v1/contacts/{id}", `/api/v1/contacts/${contact}`, { want: 409, body: { status: "customer" } });
await call("POST /api/v1/contacts/{id}/block", `/api/v1/contacts/${contact}/block`, { want: 409, body: { reason: "again" } });
await call("DELETE /api/v1/contacts/{id}/block", `/api/v1/contacts/${contact}/block`, { want: 200 });
await call("DELETE /api/v1/contacts/{id}/block", `/api/v1/contacts/${contact}/block`, { want: 409 });

// --- Contact merge: Chris on a second identity with the same email ---
const raw2 = JSON.stringify({ id: `m-merge-${Date.now()}`, from: { id: "c2", name: "Chris M." }, text: "order #55501 is late" });
const h2 = (await call("POST /hooks/{channel}", `/hooks/${api.id}`, { auth: "none", raw: raw2, want: 200,
    headers: { "Content-Type": "application/json", "X-Hark-Signature": sign(api.secret || "", raw2) } })).json || {};
const other = (await call("GET /api/v1/conversations/{id}", `/api/v1/conversations/${h2.conversation_id}`, { want: 200 })).json?.contact?.id || 2;
await call("PATCH /api/v1/contacts/{id}", `/api/v1/contacts/${other}`, { want: 200, body: { email: "CHRIS@example.com" } });
await call("GET /api/v1/contacts/{id}/merge-suggestions", `/api/v1/contacts/${contact}/merge-suggestions`, { want: 200 });
await call("GET /api/v1/contacts/{id}/merge-suggestions", "/api/v1/contacts/9999/merge-suggestions", { want: 404 });
await call("POST /api/v1/contacts/{id}/merge", `/api/v1/contacts/${contact}/merge`, { want: 422, body: {} });
await call("POST /api/v1/contacts/{id}/merge", `/api/v1/contacts/${contact}/merge`, { want: 404, body: { other_id: 9999 } });
const merged = (await call("POST /api/v1/contacts/{id}/merge", `/api/v1/contacts/${contact}/merge`, { want: 200, body: { other_id: other } })).json || {};
await call("POST /api/v1/contacts/{id}/merge", `/api/v1/contacts/${contact}/merge`, { want: 409, body: { other_id: other } });
await call("GET /api/v1/contacts/{id}/merge", `/api/v1/contacts/${contact}/merge`, { want: 200 });
await call("GET /api/v1/contacts/{id}/merges", `/api/v1/contacts/${contact}/merges`, { want: 200 });
await call("GET /api/v1/contacts/{id}/merge", "/api/v1/contacts/9999/merge", { want: 404 });
await call("GET /api/v1/contacts/{id}/merges", "/api/v1/contacts/9999/merges", { want: 404 });
await call("GET /api/v1/contact-merges/{id}", `/api/v1/contact-merges/${merged.merge?.id || 1}`, { want: 200 });
await call("GET /api/v1/contact-merges/{id}", "/api/v1/contact-merges/9999", { want: 404 });
await call("POST /api/v1/contact-merges/{id}/undo", `/api/v1/contact-merges/${merged.merge?.id || 1}/undo`, { want: 200 });
await call("POST /api/v1/contact-merges/{id}/undo", `/api/v1/contact-merges/${merged.merge?.id || 1}/undo`, { want: 409 });
await call("POST /api/v1/contacts/{id}/merge-suggestions/dismiss", `/api/v1/contacts/${contact}/merge-suggestions/dismiss`, { want: 422, body: { other_id: contact } });
await call("POST /api/v1/contacts/{id}/merge-suggestions/dismiss", `/api/v1/contacts/${contact}/merge-suggestions/dismiss`, { want: 200, body: { other_id: other } });

// --- Live events ---
await call("GET /api/v1/events", "/api/v1/events", { want: 200, stream: true });
await call("GET /api/v1/events", "/api/v1/events", { auth: "none", want: 401 });

// --- Health and metrics ---
await call("GET /healthz", "/healthz", { auth: "none", want: 200 });
await call("GET /metrics", "/metrics", { auth: "none", want: 401 });
await call("GET /metrics", "/metrics", { auth: "contract-metrics", want: 200, headers: { Authorization: "Bearer contract-metrics" } });

// --- Web chat widget ---
const W = `/api/v1/widget/${web.id}`;
await call("OPTIONS /api/v1/widget/{channel}/info", `${W}/info`, { auth: "none", want: 204,
    headers: { Origin: "https://shop.example", "Access-Control-Request-Method": "GET" } });
await call("OPTIONS /api/v1/widget/{channel}/session", `${W}/session`, { auth: "none", want: 204,
    headers: { Origin: "https://shop.example", "Access-Control-Request-Method": "POST" } });
await call("OPTIONS /api/v1/widget/{channel}/messages", `${W}/messages`, { auth: "none", want: 204,
    headers: { Origin: "https://shop.example", "Access-Control-Request-Method": "POST" } });
await call("OPTIONS /api/v1/widget/{channel}/events", `${W}/events`, { auth: "none", want: 204,
    headers: { Origin: "https://shop.example", "Access-Control-Request-Method": "GET" } });
await call("GET /api/v1/widget/{channel}/info", `${W}/info`, { auth: "none", want: 200 });
await call("GET /api/v1/widget/{channel}/info", `/api/v1/widget/${api.id}/info`, { auth: "none", want: 404 });
await call("GET /api/v1/widget/{channel}/info", `${W}/info`, { auth: "none", want: 403, headers: { Origin: "https://evil.example" } });
const sess = (await call("POST /api/v1/widget/{channel}/session", `${W}/session`, { auth: "none", want: 200, body: {} })).json || {};
const vis = { "X-Hark-Visitor": sess.token || "" };
await call("GET /api/v1/widget/{channel}/messages", `${W}/messages`, { auth: "none", want: 401 });
await call("POST /api/v1/widget/{channel}/messages", `${W}/messages`, { auth: "none", want: 201, headers: vis,
    body: { text: "Do you ship to Norway?", id: "w1", name: "Nora" } });
await call("POST /api/v1/widget/{channel}/messages", `${W}/messages`, { auth: "none", want: 200, headers: vis,
    body: { text: "Do you ship to Norway?", id: "w1", name: "Nora" } });
await call("POST /api/v1/widget/{channel}/messages", `${W}/messages`, { auth: "none", want: 422, headers: vis, body: { text: "   " } });
await call("GET /api/v1/widget/{channel}/messages", `${W}/messages?limit=10`, { auth: "none", want: 200, headers: vis });
await call("POST /api/v1/widget/{channel}/session", `${W}/session`, { auth: "none", want: 200, body: { token: sess.token } });
await call("GET /api/v1/widget/{channel}/events", `${W}/events?token=${encodeURIComponent(sess.token || "")}`, { auth: "none", want: 200, stream: true });
await call("GET /api/v1/widget/{channel}/events", `${W}/events?token=forged`, { auth: "none", want: 401 });

// --- CSAT surveys: settings, a survey by link (API channel) and by the widget's stars, figures ---
{
    await call("GET /api/v1/settings/surveys", "/api/v1/settings/surveys", { want: 200 });
    await call("PUT /api/v1/settings/surveys", "/api/v1/settings/surveys", { want: 422, body: { window_hours: 0 } });
    await call("PUT /api/v1/settings/surveys", "/api/v1/settings/surveys", { want: 200,
        body: { enabled: true, delay_seconds: 0, repeat_days: 0, channels: [], nps_question: { en: "Would you recommend us?" },
                extra_questions: [{ text: "Anything to improve?", kind: "text" }] } });
    const raw = JSON.stringify({ id: "csat-1", thread_id: "csat", from: { id: "c-csat", name: "Sol Ray" }, text: "Where is my parcel?" });
    const h = (await call("POST /hooks/{channel}", `/hooks/${api.id}`, { auth: "none", raw, want: 200,
        headers: { "Content-Type": "application/json", "X-Hark-Signature": sign(api.secret || "", raw) } })).json || {};
    await call("POST /api/v1/conversations/{id}/status", `/api/v1/conversations/${h.conversation_id}/status`,
        { want: 200, body: { status: "resolved", reason: "no_reply_needed" } });
    let tok = "";
    for (let i = 0; i < 100 && !tok; i++) {
        const r = await fetch(`${URL0}/api/v1/conversations/${h.conversation_id}/messages`, { headers: { Authorization: `Bearer ${TOKEN}` } });
        const m = ((await r.json()).items || []).find((x) => /\/s\//.test(x.text || ""));
        tok = m ? m.text.replace(/.*\/s\//, "").trim() : "";
        if (!tok) await new Promise((ok) => setTimeout(ok, 100));
    }
    await call("GET /api/v1/survey/{token}", `/api/v1/survey/${tok}`, { auth: "none", want: 200 });
    await call("GET /api/v1/survey/{token}", "/api/v1/survey/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", { auth: "none", want: 404 });
    await call("POST /api/v1/survey/{token}", `/api/v1/survey/${tok}`, { auth: "none", want: 422, body: { score: 9 } });
    await call("POST /api/v1/survey/{token}", `/api/v1/survey/${tok}`, { auth: "none", want: 200,
        body: { score: 4, comment: "Fine", nps: 8, extra: { q1: "Faster" } } });
    await call("POST /api/v1/survey/{token}", `/api/v1/survey/${tok}`, { auth: "none", want: 409, body: { score: 5 } });
    // The widget visitor's conversation: a reply, resolved, then the stars.
    const page0 = (await call("GET /api/v1/widget/{channel}/messages", `${W}/messages`, { auth: "none", want: 200, headers: vis })).json || {};
    const wconv = page0.conversation?.id;
    await call("POST /api/v1/conversations/{id}/messages", `/api/v1/conversations/${wconv}/messages`,
        { want: 201, body: { text: "Hi Nora, yes we ship to Norway.", send_anyway: true } });
    await call("POST /api/v1/conversations/{id}/status", `/api/v1/conversations/${wconv}/status`, { want: 200, body: { status: "resolved" } });
    let sid = 0;
    for (let i = 0; i < 100 && !sid; i++) {
        const r = await fetch(`${URL0}${W}/messages`, { headers: vis });
        sid = ((await r.json()).messages || []).find((x) => x.survey)?.survey?.id || 0;
        if (!sid) await new Promise((ok) => setTimeout(ok, 100));
    }
    await call("OPTIONS /api/v1/widget/{channel}/survey", `${W}/survey`, { auth: "none", want: 204,
        headers: { Origin: "https://shop.example", "Access-Control-Request-Method": "POST" } });
    await call("GET /api/v1/widget/{channel}/messages", `${W}/messages`, { auth: "none", want: 200, headers: vis });
    await call("POST /api/v1/widget/{channel}/survey", `${W}/survey`, { auth: "none", want: 422, headers: vis, body: { survey_id: sid } });
    await call("POST /api/v1/widget/{channel}/survey", `${W}/survey`, { auth: "none", want: 200, headers: vis, body: { survey_id: sid, score: 5 } });
    await call("POST /api/v1/widget/{channel}/survey", `${W}/survey`, { auth: "none", want: 409, headers: vis, body: { survey_id: sid, score: 5 } });
    await call("GET /api/v1/csat", "/api/v1/csat?min_answers=1", { want: 200 });
    await call("GET /api/v1/csat", "/api/v1/csat?from=yesterday", { want: 400 });
    await call("PUT /api/v1/settings/surveys", "/api/v1/settings/surveys", { want: 200, body: { enabled: false } });
}

// --- The web app and its assets ---
const index = await call("GET /", "/", { auth: "none", want: 200 });
const asset = (index.text.match(/\/assets\/[^"']+/) || ["/assets/missing.js"])[0];
await call("GET /assets/{file}", asset, { auth: "none", want: 200 });
await call("GET /assets/{file}", "/assets/no-such-file.js", { auth: "none", want: 404 });
await call("GET /widget.js", "/widget.js", { auth: "none", want: 200 });

// --- Listening ---
const q = (await call("POST /api/v1/listening/queries", "/api/v1/listening/queries", { want: 201,
    body: { name: "Brand", query: "northwind", active: true } })).json || {};
await call("POST /api/v1/listening/queries", "/api/v1/listening/queries", { want: 422, body: { query: "text:(" } });
await call("GET /api/v1/listening/queries", "/api/v1/listening/queries", { want: 200 });
await call("GET /api/v1/listening/queries/{id}", `/api/v1/listening/queries/${q.id}`, { want: 200 });
await call("GET /api/v1/listening/queries/{id}", "/api/v1/listening/queries/9999", { want: 404 });
await call("PATCH /api/v1/listening/queries/{id}", `/api/v1/listening/queries/${q.id}`, { want: 200, body: { name: "Brand name" } });
await call("PATCH /api/v1/listening/queries/{id}", "/api/v1/listening/queries/9999", { want: 404, body: { name: "x" } });
const lines = [
    { id: "p1", text: "Northwind jacket broke after a week, terrible", platform: "bluesky", author: "bob", lang: "en", created_at: "2026-01-02T03:04:05Z" },
    { id: "p2", text: "Love my new northwind boots!", platform: "bluesky", author: "amy", lang: "en", created_at: "2026-01-02T03:05:05Z" },
].map((x) => JSON.stringify(x)).join("\n") + "\n";
await call("POST /api/v1/listening/ingest", "/api/v1/listening/ingest", { want: 200, raw: lines, headers: { "Content-Type": "application/x-ndjson" } });
await call("POST /api/v1/listening/ingest", "/api/v1/listening/ingest", { want: 400, raw: "not json\n", headers: { "Content-Type": "application/x-ndjson" } });
await call("POST /api/v1/listening/queries/test", "/api/v1/listening/queries/test", { want: 200, body: { query: "northwind", examples: 5 } });
await call("POST /api/v1/listening/queries/test", "/api/v1/listening/queries/test", { want: 422, body: { query: "northwind (" } });
const mentions = (await call("GET /api/v1/listening/mentions", "/api/v1/listening/mentions?limit=10", { want: 200 })).json;
await call("GET /api/v1/listening/mentions", "/api/v1/listening/mentions?limit=0", { want: 400 });
const mention = mentions?.items?.[0]?.id || 1;
await call("GET /api/v1/listening/mentions/{id}", `/api/v1/listening/mentions/${mention}`, { want: 200 });
await call("GET /api/v1/listening/mentions/{id}", "/api/v1/listening/mentions/9999", { want: 404 });
await call("POST /api/v1/listening/mentions/{id}/convert", `/api/v1/listening/mentions/${mention}/convert`, { want: 201, body: { channel_id: api.id } });
await call("POST /api/v1/listening/mentions/{id}/convert", `/api/v1/listening/mentions/${mention}/convert`, { want: 200, body: { channel_id: api.id } });
await call("POST /api/v1/listening/mentions/{id}/convert", "/api/v1/listening/mentions/9999/convert", { want: 404, body: { channel_id: api.id } });
await call("GET /api/v1/listening/mentions", "/api/v1/listening/mentions?lang=en&platform=bluesky&addressed=false&dismissed=false", { want: 200 });
await call("POST /api/v1/listening/mentions/{id}/dismiss", `/api/v1/listening/mentions/${mention}/dismiss`, { want: 200 });
await call("POST /api/v1/listening/mentions/{id}/dismiss", "/api/v1/listening/mentions/9999/dismiss", { want: 404 });
await call("DELETE /api/v1/listening/mentions/{id}/dismiss", `/api/v1/listening/mentions/${mention}/dismiss`, { want: 200 });
await call("DELETE /api/v1/listening/mentions/{id}/dismiss", "/api/v1/listening/mentions/9999/dismiss", { want: 404 });
const lv = (await call("POST /api/v1/listening/views", "/api/v1/listening/views", { auth: "cookie", want: 201,
    body: { name: "Complaints", filters: { intent: "complaint", addressed: false } } })).json || {};
await call("POST /api/v1/listening/views", "/api/v1/listening/views", { auth: "cookie", want: 422, body: { name: "x", filters: { colour: "red" } } });
await call("GET /api/v1/listening/views", "/api/v1/listening/views", { auth: "cookie", want: 200 });
await call("GET /api/v1/listening/views", "/api/v1/listening/views", { want: 403 });
await call("PATCH /api/v1/listening/views/{id}", `/api/v1/listening/views/${lv.id}`, { auth: "cookie", want: 200, body: { name: "Unhappy" } });
await call("PATCH /api/v1/listening/views/{id}", "/api/v1/listening/views/9999", { auth: "cookie", want: 404, body: { name: "x" } });
await call("DELETE /api/v1/listening/views/{id}", `/api/v1/listening/views/${lv.id}`, { auth: "cookie", want: 204 });
await call("DELETE /api/v1/listening/views/{id}", `/api/v1/listening/views/${lv.id}`, { auth: "cookie", want: 404 });
await call("GET /api/v1/listening/alerts", "/api/v1/listening/alerts?limit=5", { want: 200 });
await call("GET /api/v1/listening/alerts", "/api/v1/listening/alerts?limit=0", { want: 400 });
const src = (await call("POST /api/v1/listening/sources", "/api/v1/listening/sources", { want: 201,
    body: { spec: "jetstream://127.0.0.1:9", tls: false, active: false } })).json || {};
await call("POST /api/v1/listening/sources", "/api/v1/listening/sources", { want: 422, body: { spec: "/etc/passwd" } });
await call("GET /api/v1/listening/sources", "/api/v1/listening/sources", { want: 200 });
await call("PATCH /api/v1/listening/sources/{id}", `/api/v1/listening/sources/${src.id}`, { want: 200, body: { active: false } });
await call("PATCH /api/v1/listening/sources/{id}", `/api/v1/listening/sources/${src.id}`, { want: 200, body: { spec: "mastodon://127.0.0.1:9", token: "t" } });
await call("PATCH /api/v1/listening/sources/{id}", `/api/v1/listening/sources/${src.id}`, { want: 422, body: { spec: "ftp://x" } });
await call("PATCH /api/v1/listening/sources/{id}", "/api/v1/listening/sources/9999", { want: 404, body: { active: false } });
await call("DELETE /api/v1/listening/sources/{id}", `/api/v1/listening/sources/${src.id}`, { want: 204 });
await call("DELETE /api/v1/listening/sources/{id}", `/api/v1/listening/sources/${src.id}`, { want: 404 });
await call("DELETE /api/v1/listening/queries/{id}", `/api/v1/listening/queries/${q.id}`, { want: 204 });
await call("DELETE /api/v1/listening/queries/{id}", `/api/v1/listening/queries/${q.id}`, { want: 404 });

// --- Routing, SLAs, business hours ---
const cal = (await call("POST /api/v1/calendars", "/api/v1/calendars", { want: 201, body: { name: "Office", tz: "Europe/Berlin",
    hours: { mon: [["09:00", "17:00"]], tue: [["09:00", "17:00"]] }, holidays: ["2026-12-25"] } })).json || {};
await call("POST /api/v1/calendars", "/api/v1/calendars", { want: 422, body: { name: "Mars", tz: "Mars/Olympus" } });
await call("GET /api/v1/calendars", "/api/v1/calendars", { want: 200 });
await call("GET /api/v1/calendars/{id}", `/api/v1/calendars/${cal.id}`, { want: 200 });
await call("GET /api/v1/calendars/{id}", "/api/v1/calendars/9999", { want: 404 });
await call("PUT /api/v1/calendars/{id}", `/api/v1/calendars/${cal.id}`, { want: 200, body: { name: "Office", tz: "UTC", hours: { mon: [["08:00", "16:00"]] } } });
await call("PUT /api/v1/calendars/{id}", `/api/v1/calendars/${cal.id}`, { want: 422, body: { name: "Office", tz: "Nowhere/Town" } });
const team = (await call("POST /api/v1/teams", "/api/v1/teams", { want: 201, body: { name: "Support", members: [sam.id, me?.agent?.id ?? me?.id ?? 1],
    lead_agent_id: sam.id, calendar_id: cal.id, autoack: { enabled: false } } })).json || {};
await call("POST /api/v1/teams", "/api/v1/teams", { want: 409, body: { name: "Support", members: [] } });
await call("GET /api/v1/teams", "/api/v1/teams", { want: 200 });
await call("GET /api/v1/teams/{id}", `/api/v1/teams/${team.id}`, { want: 200 });
await call("GET /api/v1/teams/{id}", "/api/v1/teams/9999", { want: 404 });
await call("PUT /api/v1/teams/{id}", `/api/v1/teams/${team.id}`, { want: 200, body: { name: "Support", members: [sam.id] } });
await call("PUT /api/v1/teams/{id}", `/api/v1/teams/${team.id}`, { want: 404, body: { name: "Support", members: [9999] } });
const pol = (await call("POST /api/v1/sla/policies", "/api/v1/sla/policies", { want: 201, body: { name: "Default", position: 0,
    first_response_s: 3600, next_response_s: 3600, resolution_s: 86400, business_hours: false, warn_pct: 80 } })).json || {};
await call("POST /api/v1/sla/policies", "/api/v1/sla/policies", { want: 422, body: { name: "Bad", warn_pct: 500 } });
await call("GET /api/v1/sla/policies", "/api/v1/sla/policies", { want: 200 });
await call("GET /api/v1/sla/policies/{id}", `/api/v1/sla/policies/${pol.id}`, { want: 200 });
await call("GET /api/v1/sla/policies/{id}", "/api/v1/sla/policies/9999", { want: 404 });
await call("PUT /api/v1/sla/policies/{id}", `/api/v1/sla/policies/${pol.id}`, { want: 200, body: { name: "Default", first_response_s: 1800 } });
await call("PUT /api/v1/sla/policies/{id}", "/api/v1/sla/policies/9999", { want: 404, body: { name: "Default" } });
const rule = (await call("POST /api/v1/routing/rules", "/api/v1/routing/rules", { want: 201, body: { name: "All", position: 0, enabled: true,
    conditions: { languages: ["en"] }, skills: [], team_id: team.id, strategy: "least_loaded" } })).json || {};
await call("POST /api/v1/routing/rules", "/api/v1/routing/rules", { want: 422, body: { name: "Bad", team_id: team.id, strategy: "random" } });
await call("GET /api/v1/routing/rules", "/api/v1/routing/rules", { want: 200 });
await call("GET /api/v1/routing/rules/{id}", `/api/v1/routing/rules/${rule.id}`, { want: 200 });
await call("GET /api/v1/routing/rules/{id}", "/api/v1/routing/rules/9999", { want: 404 });
await call("PUT /api/v1/routing/rules/{id}", `/api/v1/routing/rules/${rule.id}`, { want: 200, body: { name: "All", team_id: team.id, strategy: "round_robin" } });
await call("PUT /api/v1/routing/rules/{id}", "/api/v1/routing/rules/9999", { want: 404, body: { name: "All", team_id: team.id, strategy: "round_robin" } });
await call("GET /api/v1/routing/queue", "/api/v1/routing/queue?limit=10", { want: 200 });
await call("GET /api/v1/routing/queue", "/api/v1/routing/queue?cursor=zzz", { want: 400 });
await call("PUT /api/v1/routing/rules/order", "/api/v1/routing/rules/order", { want: 200, body: { ids: [rule.id] } });
await call("PUT /api/v1/routing/rules/order", "/api/v1/routing/rules/order", { want: 409, body: { ids: [] } });
await call("PUT /api/v1/routing/rules/order", "/api/v1/routing/rules/order", { want: 422, body: { ids: "all" } });
await call("POST /api/v1/routing/dry-run", "/api/v1/routing/dry-run", { want: 200, body: { channel_id: api.id, text: "Where is my parcel?", contact: { location: "Berlin", tags: ["vip"] } } });
await call("POST /api/v1/routing/dry-run", "/api/v1/routing/dry-run", { want: 422, body: { channel_id: api.id, text: "" } });
await call("POST /api/v1/routing/autoack/preview", "/api/v1/routing/autoack/preview", { want: 200, body: { template: "We reply by {when}.", language: "en", team_name: "Support", calendar_id: cal.id } });
await call("POST /api/v1/routing/autoack/preview", "/api/v1/routing/autoack/preview", { want: 422, body: { template: "" } });
await call("DELETE /api/v1/teams/{id}", `/api/v1/teams/${team.id}`, { want: 409 });
await call("DELETE /api/v1/routing/rules/{id}", `/api/v1/routing/rules/${rule.id}`, { want: 204 });
await call("DELETE /api/v1/routing/rules/{id}", `/api/v1/routing/rules/${rule.id}`, { want: 404 });
await call("DELETE /api/v1/teams/{id}", `/api/v1/teams/${team.id}`, { want: 204 });
await call("DELETE /api/v1/sla/policies/{id}", `/api/v1/sla/policies/${pol.id}`, { want: 204 });
await call("DELETE /api/v1/sla/policies/{id}", `/api/v1/sla/policies/${pol.id}`, { want: 404 });
await call("DELETE /api/v1/calendars/{id}", `/api/v1/calendars/${cal.id}`, { want: 204 });
await call("DELETE /api/v1/calendars/{id}", `/api/v1/calendars/${cal.id}`, { want: 404 });

// --- Canned replies and the reply check (docs/api.md "Canned replies"). ---
const canned = (await call("POST /api/v1/canned", "/api/v1/canned", { want: 201,
    body: { title: "Refund", shortcut: "refund", shared: true, tags: ["billing"],
            bodies: { en: "Hi {contact.first_name}, your refund {order.ref} is on its way.", es: "Hola {contact.first_name}." } } })).json || {};
await call("POST /api/v1/canned", "/api/v1/canned", { want: 422, body: { title: "x", shortcut: "Bad!", shared: true, bodies: { en: "x" } } });
await call("POST /api/v1/canned", "/api/v1/canned", { auth: "cookie", want: 201, body: { title: "Mine", shortcut: "mine", bodies: { en: "Mine." } } });
await call("GET /api/v1/canned", "/api/v1/canned?q=ref&lang=es", { want: 200 });
await call("GET /api/v1/canned", "/api/v1/canned?limit=0", { want: 400 });
await call("GET /api/v1/canned/{id}", `/api/v1/canned/${canned.id}`, { want: 200 });
await call("GET /api/v1/canned/{id}", "/api/v1/canned/9999", { want: 404 });
await call("PUT /api/v1/canned/{id}", `/api/v1/canned/${canned.id}`, { want: 200,
    body: { title: "Refund sent", shortcut: "refund", bodies: { en: "Hi {contact.first_name}, your refund is on its way." } } });
await call("PUT /api/v1/canned/{id}", `/api/v1/canned/${canned.id}`, { want: 422, body: { title: "", shortcut: "refund", bodies: { en: "x" } } });
await call("POST /api/v1/canned/{id}/render", `/api/v1/canned/${canned.id}/render`, { want: 200, body: { conversation_id: conv } });
await call("POST /api/v1/canned/{id}/render", `/api/v1/canned/${canned.id}/render`, { want: 422, body: {} });
await call("POST /api/v1/conversations/{id}/reply-check", `/api/v1/conversations/${conv}/reply-check`, { want: 200,
    body: { text: "We apologize for any inconvenience. Thank you for your patience.", canned_id: canned.id } });
await call("POST /api/v1/conversations/{id}/reply-check", `/api/v1/conversations/${conv}/reply-check`, { want: 422, body: {} });
await call("POST /api/v1/conversations/{id}/messages", `/api/v1/conversations/${conv}/messages`, { auth: "cookie", want: 201,
    body: { text: "We apologize for any inconvenience. Thank you for your patience.", send_anyway: true } });
await call("GET /api/v1/canned/overrides", "/api/v1/canned/overrides", { want: 200 });
// The FAQ bot.
const faq = (await call("POST /api/v1/faqs", "/api/v1/faqs", { want: 201,
    body: { question: "What are your opening hours?", variants: ["When are you open?"], answers: { en: "9 to 5." },
            link: "https://example.com/hours", threshold: 0.4 } })).json || {};
await call("POST /api/v1/faqs", "/api/v1/faqs", { want: 422, body: { question: "", answers: { en: "x" } } });
await call("GET /api/v1/faqs", "/api/v1/faqs", { want: 200 });
await call("GET /api/v1/faqs/{id}", `/api/v1/faqs/${faq.id}`, { want: 200 });
await call("GET /api/v1/faqs/{id}", "/api/v1/faqs/9999", { want: 404 });
await call("PUT /api/v1/faqs/{id}", `/api/v1/faqs/${faq.id}`, { want: 200,
    body: { question: "Opening hours", answers: { en: "9 to 5.", de: "9 bis 17 Uhr." }, enabled: true } });
await call("PUT /api/v1/faqs/{id}", `/api/v1/faqs/${faq.id}`, { want: 422, body: { question: "x", answers: {} } });
await call("GET /api/v1/faq-bot", "/api/v1/faq-bot", { want: 200 });
await call("PUT /api/v1/faq-bot", "/api/v1/faq-bot", { want: 200, body: { window_seconds: 600 } });
await call("PUT /api/v1/faq-bot", "/api/v1/faq-bot", { want: 422, body: { channels: [99999] } });
await call("POST /api/v1/faq-bot/try", "/api/v1/faq-bot/try", { want: 200, body: { text: "When are you open?" } });
await call("POST /api/v1/faq-bot/try", "/api/v1/faq-bot/try", { want: 200, body: { text: "Do you sell bikes?" } });
await call("POST /api/v1/faq-bot/try", "/api/v1/faq-bot/try", { want: 422, body: { text: "" } });
await call("DELETE /api/v1/faqs/{id}", `/api/v1/faqs/${faq.id}`, { want: 204 });
await call("DELETE /api/v1/faqs/{id}", `/api/v1/faqs/${faq.id}`, { want: 404 });
await call("DELETE /api/v1/canned/{id}", `/api/v1/canned/${canned.id}`, { want: 204 });
await call("DELETE /api/v1/canned/{id}", `/api/v1/canned/${canned.id}`, { want: 404 });

// --- Care policy: root causes, the policy, a conversation's cause and goodwill, the queue,
// the reports. ---
const rc = (await call("POST /api/v1/root-causes", "/api/v1/root-causes", { want: 201,
    body: { name: "Damaged in transit", keywords: ["broken", "arrived damaged"] } })).json || {};
await call("POST /api/v1/root-causes", "/api/v1/root-causes", { want: 422, body: { name: "" } });
const rc2 = (await call("POST /api/v1/root-causes", "/api/v1/root-causes", { want: 201, body: { name: "Unused" } })).json || {};
await call("GET /api/v1/root-causes", "/api/v1/root-causes?archived=1", { want: 200 });
await call("GET /api/v1/root-causes/{id}", `/api/v1/root-causes/${rc.id}`, { want: 200 });
await call("GET /api/v1/root-causes/{id}", "/api/v1/root-causes/9999", { want: 404 });
await call("PUT /api/v1/root-causes/{id}", `/api/v1/root-causes/${rc.id}`, { want: 200, body: { keywords: ["broken", "smashed"] } });
await call("PUT /api/v1/root-causes/{id}", `/api/v1/root-causes/${rc.id}`, { want: 422, body: { name: 7 } });
await call("DELETE /api/v1/root-causes/{id}", `/api/v1/root-causes/${rc2.id}`, { want: 204 });
await call("DELETE /api/v1/root-causes/{id}", `/api/v1/root-causes/${rc2.id}`, { want: 404 });
await call("GET /api/v1/care-policy", "/api/v1/care-policy", { want: 200 });
await call("PUT /api/v1/care-policy", "/api/v1/care-policy", { want: 200, body: { root_cause: "required", limits: { agent: 2000 } } });
await call("PUT /api/v1/care-policy", "/api/v1/care-policy", { want: 422, body: { currency: "EURO" } });
await call("GET /api/v1/conversations/{id}/root-cause", `/api/v1/conversations/${conv}/root-cause`, { want: 200 });
await call("PUT /api/v1/conversations/{id}/root-cause", `/api/v1/conversations/${conv}/root-cause`, { want: 200, body: { root_cause_id: rc.id } });
await call("PUT /api/v1/conversations/{id}/root-cause", `/api/v1/conversations/${conv}/root-cause`, { want: 422, body: { root_cause_id: 9999 } });
await call("GET /api/v1/conversations/{id}/goodwill", `/api/v1/conversations/${conv}/goodwill`, { want: 200 });
await call("GET /api/v1/conversations/{id}/goodwill", "/api/v1/conversations/9999/goodwill", { want: 404 });
const gw = (await call("POST /api/v1/conversations/{id}/goodwill", `/api/v1/conversations/${conv}/goodwill`, { want: 201,
    body: { kind: "voucher", amount_minor: 500, currency: "USD", root_cause_id: rc.id, note: "sorry" } })).json || {};
await call("POST /api/v1/conversations/{id}/goodwill", `/api/v1/conversations/${conv}/goodwill`, { want: 201,
    body: { kind: "refund", amount_minor: 700, currency: "USD", root_cause_id: rc.id } });
await call("POST /api/v1/conversations/{id}/goodwill", `/api/v1/conversations/${conv}/goodwill`, { want: 409,
    body: { kind: "freebie", amount_minor: 100, root_cause_id: rc.id } });
await call("POST /api/v1/conversations/{id}/goodwill", `/api/v1/conversations/${conv}/goodwill`, { want: 422,
    body: { kind: "voucher", amount_minor: 5.5, root_cause_id: rc.id } });
await call("GET /api/v1/goodwill", "/api/v1/goodwill", { want: 200 });
await call("GET /api/v1/goodwill", "/api/v1/goodwill?status=nope", { want: 400 });
await call("GET /api/v1/goodwill/{id}", `/api/v1/goodwill/${gw.id}`, { want: 200 });
await call("GET /api/v1/goodwill/{id}", "/api/v1/goodwill/9999", { want: 404 });
await call("POST /api/v1/goodwill/{id}/approve", `/api/v1/goodwill/${gw.id}`+"/approve", { want: 200, body: { note: "ok" } });
await call("POST /api/v1/goodwill/{id}/approve", `/api/v1/goodwill/${gw.id}`+"/approve", { want: 409, body: {} });
await call("POST /api/v1/goodwill/{id}/decline", `/api/v1/goodwill/${gw.id + 1}`+"/decline", { want: 200, body: {} });
await call("POST /api/v1/goodwill/{id}/decline", "/api/v1/goodwill/9999/decline", { want: 404, body: {} });
for (const r of ["root-causes", "goodwill"]) {
    await call(`GET /api/v1/reports/${r}`, `/api/v1/reports/${r}`, { want: 200 });
    await call(`GET /api/v1/reports/${r}`, `/api/v1/reports/${r}?format=csv`, { want: 200 });
    await call(`GET /api/v1/reports/${r}`, `/api/v1/reports/${r}?from=yesterday`, { want: 400 });
}

// --- Error paths of the rest: no credentials (401), an agent's token on admin reads (403), a
// foreign origin (403), a channel that is no web chat (404); a cached copy (304). ---
const agentTok = (await call("POST /api/v1/tokens", "/api/v1/tokens", { want: 201, body: { name: "agent", role: "agent" } })).json || {};
for (const p of ["/api/v1/agents", "/api/v1/agents/profiles", "/api/v1/channels", "/api/v1/conversations/counts",
                 "/api/v1/contacts", "/api/v1/listening/queries", "/api/v1/teams", "/api/v1/calendars",
                 "/api/v1/sla/policies", "/api/v1/routing/rules"])
    await call(`GET ${p}`, p, { auth: "none", want: 401 });
await call("POST /api/v1/logout", "/api/v1/logout", { auth: "none", want: 401 });
for (const p of ["/api/v1/tokens", "/api/v1/listening/sources", "/api/v1/triage/corrections", "/api/v1/triage/models"])
    await call(`GET ${p}`, p, { auth: "agent", want: 403, headers: { Authorization: `Bearer ${agentTok.token}` } });
// The audit log (everything above was recorded): a page, a bad argument, the CSV export; an
// agent's token is refused both.
await call("GET /api/v1/audit", "/api/v1/audit?action=team.&limit=2", { want: 200 });
await call("GET /api/v1/audit", "/api/v1/audit?since=yesterday", { want: 400 });
await call("GET /api/v1/audit/export", "/api/v1/audit/export?action=token.", { want: 200 });
for (const p of ["/api/v1/audit", "/api/v1/audit/export"])
for (const p of ["/api/v1/tokens", "/api/v1/listening/sources", "/api/v1/triage/corrections", "/api/v1/canned/overrides"])
    await call(`GET ${p}`, p, { auth: "agent", want: 403, headers: { Authorization: `Bearer ${agentTok.token}` } });
for (const e of ["info", "session", "messages", "events"])
    await call(`OPTIONS /api/v1/widget/{channel}/${e}`, `${W}/${e}`, { auth: "none", want: 403,
        headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "GET" } });
await call("POST /api/v1/widget/{channel}/session", `/api/v1/widget/${api.id}/session`, { auth: "none", want: 404, body: {} });
for (const [op, p] of [["GET /widget.js", "/widget.js"], ["GET /", "/"]]) {
    const etag = (await fetch(URL0 + p)).headers.get("etag") || "none";
    await call(op, p, { auth: "none", want: 304, headers: { "If-None-Match": etag } });
}

// --- Last: the session's own password, then logout ---
await call("POST /api/v1/me/password", "/api/v1/me/password", { auth: "cookie", want: 200,
    body: { current_password: "admin-password-1", password: "admin-password-2" } });
await call("POST /api/v1/logout", "/api/v1/logout", { auth: "cookie", want: 200 });

// --- Every documented operation was answered with a 2xx at least once. ---
for (const o of specOperations(spec)) {
    const k = `${o.method} ${o.path}`;
    const st = [...(seen.get(k) || [])];
    if (!st.some((s) => s >= 200 && s < 300)) bad(k, `never called with a 2xx answer (seen: ${st.join(",") || "none"})`);
    else ok(k);
}

const ops = specOperations(spec).map((o) => `${o.method} ${o.path}`);
const noError = ops.filter((k) => ![...(seen.get(k) || [])].some((st) => st >= 400));
console.log(`operations: ${ops.length}, each answered 2xx; ${ops.length - noError.length} also on an error path` +
    (noError.length ? ` (not: ${noError.join(", ")})` : ""));
if (process.env.HARK_CONTRACT_DUMP) writeFileSync(process.env.HARK_CONTRACT_DUMP, JSON.stringify(dump, null, 1));
console.log(`contract tests: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);

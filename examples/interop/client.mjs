// client.mjs: the official TypeScript MCP SDK client, driven headless.
//
// It connects to a protected MCP server and lets the SDK run the whole MCP
// authorization flow on its own: 401 -> protected resource metadata ->
// authorization server metadata -> dynamic client registration -> authorize
// (PKCE S256, resource indicator) -> token -> retry, and a 403
// insufficient_scope step-up. The only part a browser would do, the login and
// consent pages, is done here by a generic form submitter: it follows
// redirects by hand with a cookie jar, fills username/password into the first
// <form> of each page, submits it, and stops at the redirect to our
// redirect_uri. It works with oidc-provider (provider.mjs) and with any issuer
// whose login form posts username/password and whose consent page's first
// form approves.
//
// Usage:
//   node client.mjs <mcp-url> [--transport streamable|sse] [--scope "a b"]
//                   [--tool whoami] [--args '{"k":"v"}'] [--then tool] [--username demo]
//                   [--password demo] [--timeout 60] [--client-metadata '{"k":"v"}']
// --client-metadata adds members to the registration request (RFC 7591).
// --then calls a second tool (no arguments) after the first, with the token
// the client then holds (after a step-up, for instance).
// Output: ONE JSON line on stdout:
//   {"ok":true,"result":<CallToolResult>,"then":<CallToolResult>,"tools":[...],"authorizations":N,"scope":"..."}
//   {"ok":false,"error":"..."}          (exit status 1)
// No token, code or secret is ever printed.

import { randomBytes } from 'node:crypto';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';

// Nothing listens here: the form submitter stops at the redirect and reads the
// code from its Location header.
const REDIRECT_URI = 'http://127.0.0.1:8976/callback';
const MAX_STEPS = 20;
const STEP_TIMEOUT_MS = 10_000;

function parseArgs(argv) {
  const opts = {
    url: undefined,
    transport: 'streamable',
    scope: undefined,
    tool: 'whoami',
    then: undefined,
    args: {},
    clientMetadata: {},
    username: process.env.INTEROP_USERNAME ?? 'demo',
    password: process.env.INTEROP_PASSWORD ?? 'demo',
    timeout: 60,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`missing value for ${a}`);
      return argv[++i];
    };
    switch (a) {
      case '--transport': opts.transport = value(); break;
      case '--scope': opts.scope = value(); break;
      case '--tool': opts.tool = value(); break;
      case '--then': opts.then = value(); break;
      case '--client-metadata': opts.clientMetadata = JSON.parse(value()); break;
      case '--args': opts.args = JSON.parse(value()); break;
      case '--username': opts.username = value(); break;
      case '--password': opts.password = value(); break;
      case '--timeout': opts.timeout = Number(value()); break;
      default:
        if (a.startsWith('--') || opts.url) throw new Error(`unexpected argument ${a}`);
        opts.url = a;
    }
  }
  if (!opts.url) throw new Error('usage: node client.mjs <mcp-url> [--transport streamable|sse] [--scope "a b"] [--tool name]');
  if (!['streamable', 'sse'].includes(opts.transport)) throw new Error(`unknown transport ${opts.transport}`);
  if (!(opts.timeout > 0 && opts.timeout <= 600)) throw new Error('timeout must be in (0, 600] seconds');
  return opts;
}

// A small cookie jar: enough for login sessions (host-only, path-prefixed).
class CookieJar {
  #cookies = new Map(); // key host|path|name -> {host, path, name, value}

  store(url, response) {
    const host = new URL(url).host;
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      let path = '/';
      let expired = value === '';
      for (const attr of attrs) {
        const [k, v = ''] = attr.split('=');
        const key = k.trim().toLowerCase();
        if (key === 'path' && v.trim().startsWith('/')) path = v.trim();
        if (key === 'max-age' && Number(v) <= 0) expired = true;
        if (key === 'expires' && Date.parse(v) <= Date.now()) expired = true;
      }
      const id = `${host}|${path}|${name}`;
      if (expired) this.#cookies.delete(id);
      else this.#cookies.set(id, { host, path, name, value });
    }
  }

  header(url) {
    const u = new URL(url);
    const matches = [...this.#cookies.values()].filter((c) => c.host === u.host
      && (u.pathname === c.path || u.pathname.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`)));
    return matches.map((c) => `${c.name}=${c.value}`).join('; ');
  }
}

function decodeEntities(s) {
  return s
    .replace(/&#x([0-9a-f]+);/gi, (_, h) => String.fromCodePoint(parseInt(h, 16)))
    .replace(/&#(\d+);/g, (_, d) => String.fromCodePoint(Number(d)))
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

function attributes(tag) {
  const attrs = {};
  const re = /([^\s=/>"']+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+)))?/g;
  const inner = tag.replace(/^<\s*\w+/, '').replace(/\/?>$/, '');
  let m;
  while ((m = re.exec(inner)) !== null) {
    attrs[m[1].toLowerCase()] = decodeEntities(m[2] ?? m[3] ?? m[4] ?? '');
  }
  return attrs;
}

const USERNAME_FIELDS = new Set(['username', 'user', 'login', 'email', 'identifier']);

// firstForm parses the first <form> of a page into {action, method, fields}.
// Text fields named like a username and password fields get the credentials;
// hidden fields keep their values; only the first submit button is sent.
function firstForm(html, pageURL, creds) {
  const start = html.search(/<form[\s>]/i);
  if (start < 0) return undefined;
  const end = html.indexOf('</form>', start);
  const formHTML = html.slice(start, end < 0 ? undefined : end);
  const formTag = formHTML.match(/^<form[^>]*>/i)[0];
  const fa = attributes(formTag);
  const form = {
    action: new URL(fa.action || pageURL, pageURL).href,
    method: (fa.method || 'get').toUpperCase(),
    fields: new URLSearchParams(),
  };
  let submitted = false;
  const controls = formHTML.matchAll(/<(input|button|textarea|select)\b[^>]*>/gi);
  for (const [tag, kind] of controls) {
    const a = attributes(tag);
    const type = (a.type || (kind.toLowerCase() === 'button' ? 'submit' : 'text')).toLowerCase();
    if (!a.name && type !== 'submit') continue;
    if ('disabled' in a) continue;
    if (type === 'submit' || type === 'image') {
      if (!submitted && a.name) form.fields.append(a.name, a.value ?? '');
      submitted = true;
    } else if (type === 'button' || type === 'reset' || type === 'file') {
      continue;
    } else if (type === 'password') {
      form.fields.append(a.name, creds.password);
    } else if (type === 'checkbox' || type === 'radio') {
      if ('checked' in a) form.fields.append(a.name, a.value ?? 'on');
    } else if (USERNAME_FIELDS.has(a.name.toLowerCase()) && type !== 'hidden') {
      form.fields.append(a.name, creds.username);
    } else {
      form.fields.append(a.name, a.value ?? '');
    }
  }
  return form;
}

function isRedirectTarget(url) {
  const u = new URL(url);
  const r = new URL(REDIRECT_URI);
  return u.origin === r.origin && u.pathname === r.pathname;
}

// completeAuthorization plays the browser: from the authorization URL to the
// redirect back to REDIRECT_URI. It returns the callback's query parameters.
async function completeAuthorization(authorizationURL, creds, jar) {
  let request = { url: authorizationURL, method: 'GET', body: undefined };
  let lastForm = '';
  for (let step = 0; step < MAX_STEPS; step++) {
    if (isRedirectTarget(request.url)) {
      const u = new URL(request.url);
      return request.method === 'POST' ? new URLSearchParams(request.body) : u.searchParams;
    }
    const headers = { accept: 'text/html,application/xhtml+xml' };
    const cookie = jar.header(request.url);
    if (cookie) headers.cookie = cookie;
    if (request.body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await tracedFetch(request.url, {
      method: request.method,
      headers,
      body: request.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(STEP_TIMEOUT_MS),
    });
    jar.store(request.url, res);
    if (res.status >= 300 && res.status < 400) {
      const location = res.headers.get('location');
      await res.body?.cancel();
      if (!location) throw new Error(`authorization: ${res.status} without Location at ${new URL(request.url).pathname}`);
      request = { url: new URL(location, request.url).href, method: 'GET', body: undefined };
      continue;
    }
    const html = await res.text();
    if (!res.ok) {
      const title = html.match(/<title>([^<]*)<\/title>/i)?.[1] ?? '';
      const pre = html.match(/<pre>([^<]*)<\/pre>/i)?.[1] ?? '';
      throw new Error(`authorization: HTTP ${res.status} at ${new URL(request.url).pathname}: ${decodeEntities(`${title} ${pre}`).trim().slice(0, 200)}`);
    }
    const form = firstForm(html, request.url, creds);
    if (!form) throw new Error(`authorization: no form on page ${new URL(request.url).pathname}`);
    // The same form twice in a row means the submission was refused (wrong password...).
    const signature = `${form.method} ${form.action} ${[...form.fields.keys()].join(',')}`;
    if (signature === lastForm && /alert|error|invalid/i.test(html)) {
      throw new Error(`authorization: form at ${new URL(request.url).pathname} was rejected`);
    }
    lastForm = signature;
    if (form.method === 'POST') {
      request = { url: form.action, method: 'POST', body: form.fields.toString() };
    } else {
      const u = new URL(form.action);
      for (const [k, v] of form.fields) u.searchParams.append(k, v);
      request = { url: u.href, method: 'GET', body: undefined };
    }
  }
  throw new Error(`authorization: no redirect to the client after ${MAX_STEPS} steps`);
}

// HeadlessProvider is the SDK's OAuthClientProvider, all in memory. What
// saveTokens and saveClientInformation receive is stored unchanged (the SDK
// stamps an issuer into both and checks it later).
class HeadlessProvider {
  #client;
  #tokens;
  #verifier;
  #discovery;
  #state;
  #jar = new CookieJar();
  #creds;
  pendingCode = undefined;
  authorizations = 0;

  constructor(creds, scope, extraMetadata = {}) {
    this.#creds = creds;
    this.scope = scope;
    this.extraMetadata = extraMetadata;
  }

  get redirectUrl() { return REDIRECT_URI; }

  get clientMetadata() {
    const m = {
      client_name: 'mcpauth-go interop client (TypeScript SDK)',
      redirect_uris: [REDIRECT_URI],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
      ...this.extraMetadata,
    };
    if (this.scope) m.scope = this.scope;
    return m;
  }

  state() {
    this.#state = randomBytes(16).toString('base64url');
    return this.#state;
  }

  clientInformation() { return this.#client; }
  saveClientInformation(info) { this.#client = info; }
  tokens() { return this.#tokens; }
  saveTokens(tokens) { this.#tokens = tokens; }
  saveCodeVerifier(v) { this.#verifier = v; }
  codeVerifier() {
    if (!this.#verifier) throw new Error('no code verifier saved');
    return this.#verifier;
  }
  saveDiscoveryState(s) { this.#discovery = s; }
  discoveryState() { return this.#discovery; }

  invalidateCredentials(scope) {
    if (scope === 'all' || scope === 'client') this.#client = undefined;
    if (scope === 'all' || scope === 'tokens') this.#tokens = undefined;
    if (scope === 'all' || scope === 'verifier') this.#verifier = undefined;
    if (scope === 'all' || scope === 'discovery') this.#discovery = undefined;
  }

  async redirectToAuthorization(authorizationURL) {
    this.authorizations++;
    const params = await completeAuthorization(authorizationURL.href, this.#creds, this.#jar);
    if (params.get('error')) {
      throw new Error(`authorization denied: ${params.get('error')} ${params.get('error_description') ?? ''}`.trim());
    }
    if (this.#state !== undefined && params.get('state') !== this.#state) {
      throw new Error('authorization: state mismatch in the redirect');
    }
    const iss = params.get('iss');
    const expected = this.#discovery?.authorizationServerMetadata?.issuer;
    if (iss && expected && iss !== expected) {
      throw new Error('authorization: iss in the redirect does not match the issuer (RFC 9207)');
    }
    const code = params.get('code');
    if (!code) throw new Error('authorization: redirect without code');
    this.pendingCode = code;
  }

  takeCode() {
    const c = this.pendingCode;
    this.pendingCode = undefined;
    return c;
  }
}

// INTEROP_DEBUG=1 traces every HTTP exchange on stderr: method, origin and
// path, status. Never query strings, headers or bodies (codes, tokens).
const DEBUG = Boolean(process.env.INTEROP_DEBUG);

function trace(method, url, status) {
  if (!DEBUG) return;
  const u = new URL(url);
  process.stderr.write(`client.mjs: ${method} ${u.origin}${u.pathname} -> ${status}\n`);
}

async function tracedFetch(input, init) {
  const url = input instanceof Request ? input.url : String(input);
  const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
  try {
    const res = await fetch(input, init);
    trace(method, url, res.status);
    return res;
  } catch (err) {
    trace(method, url, `error ${err?.cause?.code ?? err?.name}`);
    throw err;
  }
}

function newTransport(opts, provider) {
  const url = new URL(opts.url);
  return opts.transport === 'sse'
    ? new SSEClientTransport(url, { authProvider: provider, fetch: tracedFetch })
    : new StreamableHTTPClientTransport(url, { authProvider: provider, fetch: tracedFetch });
}

// withAuthorization runs op; when the SDK stopped for a redirect (it throws
// UnauthorizedError after redirectToAuthorization), the code is exchanged with
// transport.finishAuth and op runs again. Bounded: three authorizations.
async function withAuthorization(provider, getTransport, op) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      if (provider.pendingCode === undefined || attempt >= 3) throw err;
      await getTransport().finishAuth(provider.takeCode());
    }
  }
}

async function run(opts) {
  const provider = new HeadlessProvider({ username: opts.username, password: opts.password }, opts.scope, opts.clientMetadata);
  let transport;
  let client;
  await withAuthorization(provider, () => transport, async () => {
    if (client) await client.close().catch(() => {});
    transport = newTransport(opts, provider);
    client = new Client({ name: 'mcpauth-go-interop', version: '0.0.0' });
    await client.connect(transport);
  });
  try {
    const tools = await withAuthorization(provider, () => transport, () => client.listTools());
    const result = await withAuthorization(provider, () => transport,
      () => client.callTool({ name: opts.tool, arguments: opts.args }));
    const then = opts.then === undefined ? undefined : await withAuthorization(provider, () => transport,
      () => client.callTool({ name: opts.then, arguments: {} }));
    return {
      ok: true,
      result,
      then,
      tools: tools.tools.map((t) => t.name),
      authorizations: provider.authorizations,
      scope: provider.tokens()?.scope ?? '',
    };
  } finally {
    await client.close().catch(() => {});
  }
}

// describe turns an error into one line, with the cause fetch hides
// ("fetch failed: connect ECONNREFUSED ...").
function describe(err) {
  let msg = String(err?.message ?? err);
  if (err?.cause?.message && !msg.includes(err.cause.message)) msg += `: ${err.cause.message}`;
  return msg;
}

function finish(out, code) {
  process.stdout.write(`${JSON.stringify(out)}\n`, () => process.exit(code));
}

let opts;
try {
  opts = parseArgs(process.argv.slice(2));
} catch (err) {
  finish({ ok: false, error: err.message }, 2);
}
if (opts) {
  const timer = setTimeout(() => finish({ ok: false, error: `timed out after ${opts.timeout}s` }, 1), opts.timeout * 1000);
  run(opts).then(
    (out) => { clearTimeout(timer); finish(out, out.ok ? 0 : 1); },
    (err) => { clearTimeout(timer); finish({ ok: false, error: describe(err) }, 1); },
  );
}

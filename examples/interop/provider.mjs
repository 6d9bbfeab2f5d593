// provider.mjs: a Logto-like OpenID provider for interoperability tests.
//
// It runs oidc-provider (the engine Logto is built on) the way Logto configures it:
// the issuer has an /oidc path, development interactions are off and a minimal
// login + consent UI is served by this file, dynamic client registration is open,
// PKCE S256 is required for public clients, and resource indicators (RFC 8707) turn
// the access token into an ES384-signed JWT (RFC 9068) whose aud is the resource
// (or, with RESOURCE_TOKEN_FORMAT=opaque, an opaque token with that aud).
// Without a resource the access token is opaque and usable at userinfo.
//
// Usage: node provider.mjs [port]
// Environment:
//   PORT                      listen port on 127.0.0.1 (default 0: any free port)
//   SCOPES                    resource scopes accepted for any resource
//                             (default "whoami:read whoami:admin")
//   ACCESS_TOKEN_TTL          access token lifetime in seconds (default 300)
//   RESOURCE_TOKEN_FORMAT     "jwt" (default, as Logto) or "opaque": the format of access
//                             tokens issued for a resource indicator. An opaque one is
//                             still bound to the resource (introspection reports it as
//                             aud), as Ory Hydra's and Zitadel's opaque tokens are;
//                             oidc-provider introspects only opaque tokens
//   CUSTOM_ACCESS_TOKEN_CLAIMS  "1": put username, name and email into JWT access tokens
//                             when profile / email are granted, as a Logto "custom JWT
//                             claims" script for access tokens does (default: none,
//                             as Logto without such a script)
//   INTROSPECT_CLIENT_ID      id of the confidential client allowed to introspect
//   INTROSPECT_CLIENT_SECRET  its secret (random when unset)
//
// When ready it prints ONE JSON line on stdout:
//   {"issuer":"http://127.0.0.1:N/oidc","port":N,"introspect_client_id":"...","introspect_client_secret":"..."}
// Everything else goes to stderr; no token, code or secret is ever logged there.
// The demo account is username "demo", password "demo".

import { randomBytes, generateKeyPairSync, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';

import Provider, { errors } from 'oidc-provider';

const MOUNT = '/oidc';
const INTERACTION_PREFIX = '/interaction/';

const port = Number(process.argv[2] ?? process.env.PORT ?? 0);
const resourceScopes = (process.env.SCOPES ?? 'whoami:read whoami:admin').split(/\s+/).filter(Boolean);
const accessTokenTTL = Number(process.env.ACCESS_TOKEN_TTL ?? 300);
const resourceTokenFormat = process.env.RESOURCE_TOKEN_FORMAT || 'jwt';
if (resourceTokenFormat !== 'jwt' && resourceTokenFormat !== 'opaque') {
  process.stderr.write(`provider: RESOURCE_TOKEN_FORMAT must be jwt or opaque\n`);
  process.exit(2);
}
const introspectClientID = process.env.INTROSPECT_CLIENT_ID || 'introspector';
const customAccessTokenClaims = process.env.CUSTOM_ACCESS_TOKEN_CLAIMS === '1';
const introspectClientSecret = process.env.INTROSPECT_CLIENT_SECRET || randomBytes(24).toString('base64url');

// The one demo account. Its subject never changes between runs.
const ACCOUNT = {
  sub: 'demo-user-0001',
  username: 'demo',
  password: 'demo',
  claims: {
    name: 'Demo User',
    username: 'demo',
    preferred_username: 'demo',
    email: 'demo@example.com',
    email_verified: true,
  },
};

function signingKey(kty, options, alg) {
  const { privateKey } = generateKeyPairSync(kty, options);
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, alg, use: 'sig', kid: `${alg.toLowerCase()}-${randomBytes(6).toString('hex')}` };
}

function safeEqual(a, b) {
  const x = Buffer.from(String(a));
  const y = Buffer.from(String(b));
  return x.length === y.length && timingSafeEqual(x, y);
}

function escapeHTML(s) {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHTML(title)}</title></head>
<body><h1>${escapeHTML(title)}</h1>
${body}
</body></html>`;
}

function loginPage(uid, clientName, error) {
  return page('Sign in', `${error ? `<p role="alert">${escapeHTML(error)}</p>` : ''}
<p>Sign in to continue to ${escapeHTML(clientName)}.</p>
<form method="post" action="${INTERACTION_PREFIX}${escapeHTML(uid)}/login">
  <label>Username <input name="username" autocomplete="username" required></label>
  <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
  <button type="submit">Sign in</button>
</form>`);
}

function consentPage(uid, clientName, scopes) {
  const items = scopes.map((s) => `<li>${escapeHTML(s)}</li>`).join('');
  return page('Authorize', `<p>${escapeHTML(clientName)} asks for:</p>
<ul>${items || '<li>(no extra permission)</li>'}</ul>
<form method="post" action="${INTERACTION_PREFIX}${escapeHTML(uid)}/confirm">
  <input type="hidden" name="consent" value="approve">
  <button type="submit" name="approve" value="1">Approve</button>
</form>
<form method="post" action="${INTERACTION_PREFIX}${escapeHTML(uid)}/abort">
  <button type="submit">Deny</button>
</form>`);
}

async function readBody(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 56 * 1024) throw new Error('request body too large');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

async function readForm(req) {
  return new URLSearchParams((await readBody(req)).toString('utf8'));
}

function send(res, status, html) {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
  });
  res.end(html);
}

// Start listening first: the issuer must name the real port.
const server = createServer();
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(port, '127.0.0.1', resolve);
});
const actualPort = server.address().port;
const issuer = `http://127.0.0.1:${actualPort}${MOUNT}`;

const configuration = {
  clients: [{
    client_id: introspectClientID,
    client_secret: introspectClientSecret,
    grant_types: [],
    response_types: [],
    redirect_uris: [],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  jwks: {
    keys: [
      // The first key of a type is the default for that algorithm family.
      signingKey('ec', { namedCurve: 'P-384' }, 'ES384'),
      signingKey('rsa', { modulusLength: 2048 }, 'RS256'),
    ],
  },
  cookies: { keys: [randomBytes(32).toString('base64url')] },
  // Logto-like: authorization code only (no implicit, no hybrid).
  responseTypes: ['code'],
  scopes: ['openid', 'offline_access', 'profile', 'email'],
  claims: {
    openid: ['sub'],
    profile: ['name', 'username', 'preferred_username'],
    email: ['email', 'email_verified'],
  },
  async findAccount(_ctx, sub) {
    if (sub !== ACCOUNT.sub) return undefined;
    return {
      accountId: ACCOUNT.sub,
      async claims() {
        return { sub: ACCOUNT.sub, ...ACCOUNT.claims };
      },
    };
  },
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    userinfo: { enabled: true },
    resourceIndicators: {
      enabled: true,
      // A token request without resource uses the one resource the grant holds.
      defaultResource: async (_ctx, _client, oneOf) => oneOf,
      useGrantedResource: async () => true,
      getResourceServerInfo: async (_ctx, resourceIndicator) => {
        let url;
        try {
          url = new URL(resourceIndicator);
        } catch {
          throw new errors.InvalidTarget();
        }
        if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new errors.InvalidTarget();
        const info = {
          scope: resourceScopes.join(' '),
          audience: resourceIndicator,
          accessTokenTTL,
          accessTokenFormat: resourceTokenFormat,
        };
        if (resourceTokenFormat === 'jwt') info.jwt = { sign: { alg: 'ES384' } };
        return info;
      },
    },
  },
  // Logto's "custom JWT claims" for access tokens: the user's identity,
  // as far as the OpenID scopes of the grant allow. Resource-bound tokens
  // are refused at userinfo ("token audience prevents accessing the
  // userinfo endpoint"), so this is how an MCP server learns who calls.
  async extraTokenClaims(ctx, token) {
    if (!customAccessTokenClaims || token.kind !== 'AccessToken' || token.accountId !== ACCOUNT.sub) return undefined;
    const grant = token.grantId ? await ctx.oidc.provider.Grant.find(token.grantId) : undefined;
    const granted = new Set((grant?.getOIDCScope() ?? '').split(' '));
    const claims = {};
    if (granted.has('profile')) Object.assign(claims, { username: ACCOUNT.username, name: ACCOUNT.claims.name });
    if (granted.has('email')) Object.assign(claims, { email: ACCOUNT.claims.email, email_verified: ACCOUNT.claims.email_verified });
    return claims;
  },
  pkce: { required: () => true },
  clientBasedCORS: () => true,
  issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token')
    && code.scopes.has('offline_access'),
  interactions: {
    url: (_ctx, interaction) => `${INTERACTION_PREFIX}${interaction.uid}`,
  },
  ttl: {
    AccessToken: accessTokenTTL,
    AuthorizationCode: 60,
    ClientCredentials: accessTokenTTL,
    IdToken: 300,
    Interaction: 600,
    Session: 3600,
    Grant: 3600,
    RefreshToken: 3600,
  },
  renderError: async (ctx, out) => {
    ctx.type = 'html';
    ctx.body = page('Error', `<pre>${escapeHTML(out.error)}: ${escapeHTML(out.error_description ?? '')}</pre>`);
  },
};

const provider = new Provider(issuer, configuration);
// Plain http on loopback: no reverse proxy in front, so no X-Forwarded-* trust.
provider.proxy = false;
provider.on('server_error', (_ctx, err) => {
  process.stderr.write(`provider: server_error: ${err?.name}: ${err?.message}\n`);
});

const oidc = provider.callback();

async function interaction(req, res) {
  const rest = req.url.slice(INTERACTION_PREFIX.length).split('?')[0];
  const [uid, action] = rest.split('/');
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) return send(res, 400, page('Error', '<p>interaction mismatch</p>'));
  const client = await provider.Client.find(details.params.client_id);
  const clientName = client?.clientName || details.params.client_id;
  const { prompt } = details;

  if (req.method === 'GET' && !action) {
    if (prompt.name === 'login') return send(res, 200, loginPage(uid, clientName));
    const scopes = [
      ...(prompt.details.missingOIDCScope ?? []),
      ...Object.values(prompt.details.missingResourceScopes ?? {}).flat(),
    ];
    return send(res, 200, consentPage(uid, clientName, scopes));
  }
  if (req.method !== 'POST') return send(res, 405, page('Error', '<p>method not allowed</p>'));

  const form = await readForm(req);
  if (action === 'login') {
    if (prompt.name !== 'login') return send(res, 400, page('Error', '<p>not a login step</p>'));
    const ok = safeEqual(form.get('username') ?? '', ACCOUNT.username)
      && safeEqual(form.get('password') ?? '', ACCOUNT.password);
    if (!ok) return send(res, 200, loginPage(uid, clientName, 'Invalid username or password.'));
    return provider.interactionFinished(req, res, { login: { accountId: ACCOUNT.sub } }, { mergeWithLastSubmission: false });
  }
  if (action === 'confirm') {
    if (prompt.name !== 'consent') return send(res, 400, page('Error', '<p>not a consent step</p>'));
    const { details: missing } = prompt;
    let grant;
    if (details.grantId) {
      grant = await provider.Grant.find(details.grantId);
    } else {
      grant = new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    }
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    const consent = details.grantId ? {} : { grantId };
    return provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
  }
  if (action === 'abort') {
    return provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'The user denied the request.',
    }, { mergeWithLastSubmission: false });
  }
  return send(res, 404, page('Error', '<p>not found</p>'));
}

// withoutRequestedScope drops `scope` from a dynamic registration request
// (RFC 7591 section 2 lets the server replace requested metadata).
// oidc-provider accepts only its OIDC scopes there, so an MCP client
// registering the resource scope it was challenged for (whoami:read) would be
// refused, and a registered scope would then forbid a later step-up.
async function withoutRequestedScope(req) {
  const body = await readBody(req);
  let metadata;
  try {
    metadata = JSON.parse(body.toString('utf8'));
  } catch {
    metadata = undefined;
  }
  if (metadata && typeof metadata === 'object' && !Array.isArray(metadata)) {
    delete metadata.scope;
    req.body = JSON.stringify(metadata);
  } else {
    req.body = body.toString('utf8'); // oidc-provider reports the parse error
  }
}

server.on('request', (req, res) => {
  const path = req.url.split('?')[0];
  if (path === MOUNT || path.startsWith(`${MOUNT}/`)) {
    // Mount oidc-provider under /oidc: it derives its mount path from originalUrl.
    req.originalUrl = req.url;
    req.url = req.url.slice(MOUNT.length) || '/';
    if (req.method === 'POST' && path === `${MOUNT}/reg` && /json/i.test(req.headers['content-type'] ?? '')) {
      withoutRequestedScope(req).then(() => oidc(req, res), () => send(res, 413, page('Error', '<p>request too large</p>')));
      return;
    }
    oidc(req, res);
    return;
  }
  if (path.startsWith(INTERACTION_PREFIX)) {
    interaction(req, res).catch((err) => {
      process.stderr.write(`provider: interaction failed: ${err?.name}: ${err?.message}\n`);
      if (!res.headersSent) send(res, 400, page('Error', `<p>${escapeHTML(err?.name ?? 'error')}</p>`));
      else res.end();
    });
    return;
  }
  send(res, 404, page('Not found', '<p>not found</p>'));
});

function shutdown() {
  server.close();
  server.closeAllConnections();
  process.exit(0);
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);

process.stdout.write(`${JSON.stringify({
  issuer,
  port: actualPort,
  introspect_client_id: introspectClientID,
  introspect_client_secret: introspectClientSecret,
})}\n`);

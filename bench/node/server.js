// Loopback load peer for BENCHMARKS.md: mcp-auth (JS) bearerAuth('jwt')
// against a local JWK Set, with the same fixture as cmd/loadserver.
//
//   node server.js FIXTURE_DIR [lifetime_seconds] [bare]
//
// Serves the JWK Set and GET /mcp on random loopback ports, prints
// "listening http://ADDR", exits on SIGTERM or after the lifetime.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import express from 'express';
import { MCPAuth } from 'mcp-auth';

const dir = process.argv[2];
const lifetime = Number(process.argv[3] ?? 300);
const bare = process.argv[4] === 'bare'; // no middleware: Express alone
const issuer = 'https://tenant-4f7a9c.auth.example.com/oidc';
const resource = 'https://mcp.example.com/mcp';
const jwks = readFileSync(join(dir, 'jwks.json'));

const listen = (server) =>
  new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address())));

const jwksServer = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(jwks);
});
const jwksAddr = await listen(jwksServer);

const mcpAuth = new MCPAuth({
  protectedResources: [
    {
      metadata: {
        resource,
        authorizationServers: [
          {
            type: 'oauth',
            metadata: {
              issuer,
              authorizationEndpoint: issuer + '/auth',
              tokenEndpoint: issuer + '/token',
              responseTypesSupported: ['code'],
              codeChallengeMethodsSupported: ['S256'],
              registrationEndpoint: issuer + '/reg',
              jwksUri: `http://127.0.0.1:${jwksAddr.port}/jwks`,
            },
          },
        ],
        scopesSupported: ['read:tools'],
      },
    },
  ],
});

const app = express();
const ok = (req, res) => res.send('ok\n');
if (bare) {
  app.get('/mcp', ok);
} else {
  app.get(
    '/mcp',
    mcpAuth.bearerAuth('jwt', { resource, audience: resource, requiredScopes: ['read:tools'] }),
    ok,
  );
}
const server = createServer(app);
const addr = await listen(server);
console.log(`listening http://127.0.0.1:${addr.port}`);

const stop = () => {
  server.close();
  jwksServer.close();
  server.closeAllConnections();
  jwksServer.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
setTimeout(stop, lifetime * 1000).unref();

// A real OpenID Connect provider for the broker's web tests: panva's certified `oidc-provider`.
//
// Environment: PORT (required), CLIENT_ID, CLIENT_SECRET, REDIRECT_URI (a 127.0.0.1 loopback URI; as
// RFC 8252 section 7.3 allows for native clients, any port of it is accepted). It prints
// `listening <issuer>` once it accepts connections.
//
// People sign in on a plain HTML form (email and password); consent is granted at once for the one
// first-party client, so tests and the browser go from the broker to the form and back.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';

import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
if (!port) {
  console.error('PORT is required');
  process.exit(2);
}
const issuer = `http://127.0.0.1:${port}`;
const clientId = process.env.CLIENT_ID ?? 'iamtwin-broker';
const clientSecret = process.env.CLIENT_SECRET ?? 'broker-test-secret';
const redirectUri = process.env.REDIRECT_URI ?? 'http://127.0.0.1/auth/callback';

// The people of scenario 05, and two used by the security tests; the password is `<local part>-password`.
const ACCOUNTS = {
  alice: { email: 'alice@example.com', groups: ['storage-team'], department: 'storage' },
  bob: { email: 'bob@example.com', groups: ['reviewers-111122223333'], department: 'platform' },
  carol: { email: 'carol@example.com', groups: ['auditors'], department: 'security' },
  mallory: { email: 'mallory@example.com', groups: ['S3Admin', 'reviewers-11112222333'], department: 'storag' },
  dave: { email: 'dave@example.com', groups: ['reviewers-111122223333'], department: 'platform' },
};
const byEmail = new Map(Object.entries(ACCOUNTS).map(([id, a]) => [a.email, { id, ...a }]));

const signingKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: clientId,
      client_secret: clientSecret,
      application_type: 'native',
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  jwks: { keys: [{ ...signingKey, use: 'sig', kid: randomBytes(8).toString('hex'), alg: 'RS256' }] },
  cookies: { keys: [randomBytes(32).toString('hex')] },
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'groups', 'department'],
  claims: {
    openid: ['sub'],
    email: ['email', 'email_verified'],
    groups: ['groups'],
    department: ['department'],
  },
  // The broker reads groups and attributes from the ID token itself, not from userinfo.
  conformIdTokenClaims: false,
  features: { devInteractions: { enabled: false } },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  async findAccount(ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return {
          sub: id,
          email: account.email,
          email_verified: true,
          groups: account.groups,
          department: account.department,
        };
      },
    };
  },
});

function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

function loginPage(uid, message) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in — test identity provider</title></head>
<body><h1>Sign in</h1>${message ? `<p role="alert">${escapeHtml(message)}</p>` : ''}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<label>Email <input name="email" type="email" autocomplete="username" required></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button></form></body></html>`;
}

async function readForm(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

const oidc = provider.callback();
const interaction = /^\/interaction\/([\w-]+)(\/login)?$/;

const server = createServer(async (req, res) => {
  const match = interaction.exec(new URL(req.url, issuer).pathname);
  if (!match) {
    oidc(req, res);
    return;
  }
  try {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== match[1]) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('unexpected interaction');
      return;
    }
    if (details.prompt.name === 'consent') {
      // A first-party client: grant what the prompt says is missing, with no consent page.
      const { grantId, prompt, params, session } = details;
      const grant = grantId
        ? await provider.Grant.find(grantId)
        : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
      if (prompt.details.missingOIDCScope) grant.addOIDCScope(prompt.details.missingOIDCScope.join(' '));
      if (prompt.details.missingOIDCClaims) grant.addOIDCClaims(prompt.details.missingOIDCClaims);
      const saved = await grant.save();
      await provider.interactionFinished(req, res, { consent: { grantId: saved } }, { mergeWithLastSubmission: true });
      return;
    }
    if (details.prompt.name !== 'login') {
      res.writeHead(400, { 'content-type': 'text/plain' }).end(`unexpected prompt ${details.prompt.name}`);
      return;
    }
    if (req.method === 'GET' && !match[2]) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(details.uid));
      return;
    }
    if (req.method === 'POST' && match[2]) {
      const form = await readForm(req);
      const account = byEmail.get(form.get('email') ?? '');
      const local = (form.get('email') ?? '').split('@')[0];
      if (!account || form.get('password') !== `${local}-password`) {
        res.writeHead(401, { 'content-type': 'text/html; charset=utf-8' }).end(loginPage(details.uid, 'wrong email or password'));
        return;
      }
      await provider.interactionFinished(req, res, { login: { accountId: account.id } }, { mergeWithLastSubmission: false });
      return;
    }
    res.writeHead(405, { 'content-type': 'text/plain' }).end('method not allowed');
  } catch (err) {
    res.writeHead(400, { 'content-type': 'text/plain' }).end(`interaction failed: ${err.message}`);
  }
});

server.listen(port, '127.0.0.1', () => {
  console.log(`listening ${issuer}`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}

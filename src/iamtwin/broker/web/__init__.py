"""The broker's web edge: OIDC sign-in, server-rendered pages and a JSON REST API over `Broker`.

Stages, one module each: `config` (what the operator sets) → `oidc` (authorization code + PKCE,
ID tokens checked against the provider's JWKS) → `sessions` (server-side sessions behind a cookie)
→ `csrf` and `security` (tokens on every form, response headers) → `identity` (who is calling, from a
session or a bearer token) → `simulation` (what a role can do, and what a scope narrows it to) →
`presenting` (requests as JSON, CSV and JSON lines), `break_glass` (reviews and unreviewed uses) →
`pages` and `api` (routes) → `background` (sweeps and notifications in the process) → `app` (the
Starlette application). Nothing a client sends decides an approval, a duration, a role or an account:
the routes pass only the request id and the signed-in person to `Broker`.
"""

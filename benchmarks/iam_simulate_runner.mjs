// Runs the benchmark cases through @cloud-copilot/iam-simulate and reports decisions/s as JSON.
//
// Usage:
//   node iam_simulate_runner.mjs --modules TMP/node_modules [--input cases.json | -] [--seconds S]
//
// The input is what `python benchmarks/cases.py` prints: {"cases": [{name, policies, requests}]},
// with policies in iamtwin's simulation-input shape and requests with every context key spelled
// out. Each case is converted once to iam-simulate's `Simulation` objects (one per request and entry
// point, see toSimulation); then both entry points are timed on the same requests, cycling over them:
//   runSimulation(simulation, options)       -> Promise<RunSimulationResults>  (validates input)
//   runUnsafeSimulation(simulation, options) -> EvaluationResult               (no validation)
// Both parse the policies on every call; the library has no "compile once" API.
//
// Output (stdout): {"node_version", "iam_simulate_version", "seconds", "results": [
//   {"case", "entry_point", "decisions", "elapsed_seconds", "decisions_per_second",
//    "outcomes": {request id: "Allowed" | "ExplicitDeny" | "ImplicitDeny" | "Error: ..."},
//    "ignored_context_keys": {request id: [...]}}]}

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const PACKAGE = '@cloud-copilot/iam-simulate';
const OUTCOMES = {
  Allowed: 'Allowed',
  ExplicitlyDenied: 'ExplicitDeny',
  ImplicitlyDenied: 'ImplicitDeny',
};

function parseArgs(argv) {
  const args = { modules: null, input: '-', seconds: 2.0, warmupSeconds: null, minDecisions: 1 };
  for (let i = 0; i < argv.length; i += 1) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === '--modules') args.modules = value;
    else if (flag === '--input') args.input = value;
    else if (flag === '--seconds') args.seconds = Number(value);
    else if (flag === '--warmup-seconds') args.warmupSeconds = Number(value);
    else if (flag === '--min-decisions') args.minDecisions = Number(value);
    else throw new Error(`unknown argument \`${flag}\``);
    i += 1;
  }
  if (!args.modules) throw new Error('--modules DIR (the node_modules folder holding iam-simulate) is required');
  if (!(args.seconds > 0)) throw new Error('--seconds must be a positive number');
  if (args.warmupSeconds === null) args.warmupSeconds = Math.min(1.0, args.seconds / 4);
  return args;
}

async function loadLibrary(modulesDir) {
  // Bare specifiers resolve relative to this file, which lives outside the install folder,
  // so resolve the package from the install folder and import it by path.
  const require = createRequire(join(resolve(modulesDir), '..', 'noop.js'));
  const entry = require.resolve(PACKAGE);
  const imported = await import(pathToFileURL(entry).href);
  const lib = imported.runSimulation ? imported : imported.default;
  let version = 'unknown';
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (pkg.name === PACKAGE) {
        version = pkg.version;
        break;
      }
    } catch {
      // no package.json at this level
    }
  }
  return { lib, version };
}

function named(entry) {
  const policy = typeof entry.document === 'string' ? JSON.parse(entry.document) : entry.document;
  return { name: entry.id, policy };
}

// The AWS-managed RCPFullAWSAccess: runSimulation adds it to every level itself and rejects it as
// input (its validator requires Deny statements in RCPs); runUnsafeSimulation does not add it.
const MANAGED_RCP_SUFFIX = '/p-RCPFullAWSAccess';

function orgLevels(levels, accountId, dropManagedRcp) {
  if (!levels) return [];
  return levels.map((policies, index) => ({
    orgIdentifier: index === 0 ? 'r-root' : index === levels.length - 1 ? accountId : `ou-level-${index}`,
    policies: policies.filter((p) => !(dropManagedRcp && p.id.endsWith(MANAGED_RCP_SUFFIX))).map(named),
  }));
}

// iamtwin simulation input (policies + one request) -> iam-simulate Simulation for one entry point
function toSimulation(lib, policies, request, entryPoint) {
  const validating = entryPoint === 'runSimulation';
  const principal = request.principal === '*' ? lib.anonymousPrincipal : request.principal;
  const sessionPolicies = policies.session_policies ?? [];
  const simulation = {
    request: {
      principal,
      action: request.action,
      resource: { resource: request.resource ?? '*', accountId: request.resource_account },
      contextVariables: request.context ?? {},
    },
    identityPolicies: (policies.identity_policies ?? []).map(named),
    serviceControlPolicies: orgLevels(policies.scps, request.resource_account, false),
    resourceControlPolicies: orgLevels(policies.rcps, request.resource_account, validating),
  };
  if (sessionPolicies.length > 0) simulation.sessionPolicy = named(sessionPolicies[0]).policy;
  if (policies.resource_policy) {
    const { name, policy } = named(policies.resource_policy);
    // runUnsafeSimulation loads the resource policy without a name and then reads the name, so it
    // gets the plain-value ValidatedPolicy shape of @cloud-copilot/iam-policy, which carries one.
    simulation.resourcePolicy = validating
      ? policy
      : { __validated: true, policyDocument: policy, metadata: { name }, errors: [] };
  }
  if (policies.permissions_boundary) simulation.permissionBoundaryPolicies = [named(policies.permissions_boundary)];
  if (policies.vpc_endpoint_policies) simulation.vpcEndpointPolicies = policies.vpc_endpoint_policies.map(named);
  return simulation;
}

const ENTRY_POINTS = {
  async runSimulation(lib, simulation) {
    const result = await lib.runSimulation(simulation, {});
    if (result.resultType === 'error') return { outcome: `Error: ${result.errors.message}`, ignored: [] };
    const ignored = result.resultType === 'single' ? result.result.ignoredContextKeys ?? [] : [];
    return { outcome: OUTCOMES[result.overallResult] ?? String(result.overallResult), ignored };
  },
  async runUnsafeSimulation(lib, simulation) {
    const result = lib.runUnsafeSimulation(simulation, {});
    return { outcome: OUTCOMES[result] ?? String(result), ignored: [] };
  },
};

// Time `call` cycling over `simulations` for at least `seconds` and `minDecisions` decisions.
async function measure(call, lib, simulations, seconds, minDecisions) {
  let decisions = 0;
  const start = process.hrtime.bigint();
  const budget = BigInt(Math.round(seconds * 1e9));
  let elapsed = 0n;
  while (elapsed < budget || decisions < minDecisions) {
    for (const simulation of simulations) {
      await call(lib, simulation);
    }
    decisions += simulations.length;
    elapsed = process.hrtime.bigint() - start;
  }
  return { decisions, elapsed: Number(elapsed) / 1e9 };
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const text = readFileSync(args.input === '-' ? 0 : args.input, 'utf8');
  const payload = JSON.parse(text);
  const { lib, version } = await loadLibrary(args.modules);
  const results = [];
  for (const benchCase of payload.cases) {
    for (const [entryPoint, call] of Object.entries(ENTRY_POINTS)) {
      const simulations = benchCase.requests.map((r) => toSimulation(lib, benchCase.policies, r, entryPoint));
      const outcomes = {};
      const ignoredContextKeys = {};
      for (let i = 0; i < simulations.length; i += 1) {
        const id = benchCase.requests[i].id;
        try {
          const { outcome, ignored } = await call(lib, simulations[i]);
          outcomes[id] = outcome;
          if (ignored.length > 0) ignoredContextKeys[id] = ignored;
        } catch (error) {
          outcomes[id] = `Error: ${error.message}`;
        }
      }
      let timing = { decisions: 0, elapsed: 0 };
      try {
        await measure(call, lib, simulations, args.warmupSeconds, 1);
        timing = await measure(call, lib, simulations, args.seconds, args.minDecisions);
      } catch (error) {
        outcomes['*'] = `Error: ${error.message}`;
      }
      results.push({
        case: benchCase.name,
        entry_point: entryPoint,
        decisions: timing.decisions,
        elapsed_seconds: timing.elapsed,
        decisions_per_second: timing.elapsed > 0 ? timing.decisions / timing.elapsed : null,
        outcomes,
        ignored_context_keys: ignoredContextKeys,
      });
    }
  }
  const report = {
    node_version: process.version,
    iam_simulate_version: version,
    seconds: args.seconds,
    results,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
}

main().catch((error) => {
  process.stderr.write(`iam_simulate_runner: ${error.stack ?? error}\n`);
  process.exit(1);
});

// Starting and watching DAEG nodes: used by the local-network launcher and by the
// integration tests, so that both run the chain the same way. No dependencies beyond Node.js.

import { spawn, execFileSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtempSync, mkdirSync, createWriteStream, writeFileSync } from 'node:fs';
import { tmpdir, homedir } from 'node:os';
import { join, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
/// Milliseconds in an hour of grid time.
export const HOUR_MS = 3_600_000;
/// Milliseconds in a day of grid time.
export const DAY_MS = 24 * HOUR_MS;

/// The node binary: $DAEG_NODE, else the debug build in the cargo target directory that
/// scripts/env.sh sets ($CARGO_TARGET_DIR, by default ~/.cache/daeg/target).
export function nodeBinary() {
  return process.env.DAEG_NODE || debugBinary('daeg-node');
}

/// The simulator (`daeg-sim`): the demo community and the research simulation.
export function simBinary() {
  return process.env.DAEG_SIM || debugBinary('daeg-sim');
}

/// `name` in the debug build of the scripts' target directory.
function debugBinary(name) {
  const target = process.env.CARGO_TARGET_DIR || join(homedir(), '.cache', 'daeg', 'target');
  return join(target, 'debug', name);
}

/// Ports this process has handed out: the kernel may offer a closed port again at once, and
/// two servers told the same port fail (a demo's meter server did, once in CI).
const handedOut = new Set();

/// A TCP port nobody listens on right now, and not one this process handed out before.
export async function freePort() {
  for (;;) {
    const port = await new Promise((res, rej) => {
      const srv = createServer();
      srv.unref();
      srv.on('error', rej);
      srv.listen(0, '127.0.0.1', () => {
        const { port: p } = srv.address();
        srv.close(() => res(p));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/// One JSON-RPC call over HTTP. Resolves to the whole response object ({result} or {error}).
export async function rpcRaw(port, method, params = [], { timeoutMs = 10_000 } = {}) {
  const res = await fetch(`http://127.0.0.1:${port}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
    signal: AbortSignal.timeout(timeoutMs),
  });
  return res.json();
}

/// One JSON-RPC call; throws on a JSON-RPC error.
export async function rpc(port, method, params = []) {
  const r = await rpcRaw(port, method, params);
  if (r.error) throw new Error(`${method}: ${JSON.stringify(r.error)}`);
  return r.result;
}

/// Best and finalized block numbers of the node at `port`.
export async function heads(port) {
  const best = await rpc(port, 'chain_getHeader', []);
  const finHash = await rpc(port, 'chain_getFinalizedHead', []);
  const fin = await rpc(port, 'chain_getHeader', [finHash]);
  return { best: parseInt(best.number, 16), finalized: parseInt(fin.number, 16) };
}

/// Polls `fn` until it returns a truthy value or `timeoutMs` passes.
/// `fatal()`, checked before each try, ends the wait at once with its message.
export async function waitFor(what, fn, { timeoutMs = 120_000, everyMs = 500, fatal = () => null } = {}) {
  const until = Date.now() + timeoutMs;
  let last;
  while (Date.now() < until) {
    const stop = fatal();
    if (stop) throw new Error(`${what}: ${stop}`);
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    await sleep(everyMs);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${last.message}` : ''}`);
}

/// Starts `cmd` with its output appended to `dir/name.log`. Resolves to the process once a
/// line of its output matches `ready` (at once without it), rejects if it exits first;
/// `started(proc)` is called at once, so that the caller can stop it whatever happens.
export function startProcess(dir, name, cmd, args, { ready, started = () => {} } = {}) {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(join(dir, `${name}.log`), { flags: 'a' });
  proc.stdout.pipe(log);
  proc.stderr.pipe(log);
  started(proc);
  if (!ready) return Promise.resolve(proc);
  return new Promise((resolve, reject) => {
    let out = '';
    const seen = (d) => {
      out += d;
      if (ready.test(out)) {
        proc.startup = out;
        resolve(proc);
      }
    };
    proc.stdout.on('data', seen);
    proc.stderr.on('data', seen);
    proc.on('exit', (code) => reject(new Error(`${name} exited with ${code}; see ${join(dir, `${name}.log`)}`)));
  });
}

/// Starts simulated Modbus meters (scripts/lib/modbus_meters.py with `args`, meters on port 0)
/// and returns the ports their servers listen on, in the order given: each server takes a free
/// port itself, so no other process can take it between choosing and listening.
export async function startMeters(dir, python, args, { started } = {}) {
  const proc = await startProcess(dir, 'meters', python, [join(REPO, 'scripts', 'lib', 'modbus_meters.py'), ...args],
    { ready: /^ready$/m, started });
  return [...proc.startup.matchAll(/^meter \S+ unit \d+ on \w+:(\d+)$/gm)].map((m) => Number(m[1]));
}

/// A running node process.
export class Node {
  constructor({ name, args, rpcPort, p2pPort, logFile, basePath }) {
    Object.assign(this, { name, args, rpcPort, p2pPort, logFile, basePath });
    this.proc = null;
  }

  start() {
    const log = createWriteStream(this.logFile, { flags: 'a' });
    this.proc = spawn(nodeBinary(), this.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.proc.stdout.pipe(log);
    this.proc.stderr.pipe(log);
    // The last lines of output, to say why a node died without reading its log.
    this.tail = [];
    this.proc.stderr.on('data', (d) => {
      this.tail.push(...d.toString().split('\n').filter(Boolean));
      this.tail.splice(0, Math.max(0, this.tail.length - 10));
    });
    this.exited = new Promise((res) => this.proc.on('exit', (code, sig) => res({ code, sig })));
    this.proc.on('error', (e) => {
      this.tail.push(`cannot start ${nodeBinary()}: ${e.message}`);
      this.failed = true;
    });
    return this;
  }

  /// Resolves once the node answers JSON-RPC.
  async ready(timeoutMs = 180_000) {
    await waitFor(`${this.name} RPC on port ${this.rpcPort}`,
      async () => (await rpc(this.rpcPort, 'system_health')) !== undefined,
      { timeoutMs, fatal: () => (this.running() ? null : `the node exited:\n${this.tail.join('\n')}\n(log: ${this.logFile})`) });
    return this;
  }

  running() {
    return this.proc !== null && !this.failed && this.proc.exitCode === null && this.proc.signalCode === null;
  }

  heads() {
    return heads(this.rpcPort);
  }

  /// Stops the node (SIGINT, as Ctrl-C does; SIGKILL if it hangs).
  async stop() {
    if (!this.running()) return;
    this.proc.kill('SIGINT');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 20_000);
    await this.exited;
    clearTimeout(t);
  }
}

/// The arguments every node of ours gets: loopback only, no telemetry or mDNS, ParityDB.
function commonArgs({ basePath, rpcPort, p2pPort }) {
  return [
    '--base-path', basePath,
    '--rpc-port', String(rpcPort),
    '--listen-addr', `/ip4/127.0.0.1/tcp/${p2pPort}`,
    '--rpc-cors', 'all',
    '--no-telemetry',
    '--no-mdns',
    '--no-prometheus',
    '--database', 'paritydb',
  ];
}

/// A working directory for a chain: $DAEG_WORK_DIR or a new temporary directory.
export function workDir(prefix) {
  if (process.env.DAEG_WORK_DIR) {
    mkdirSync(process.env.DAEG_WORK_DIR, { recursive: true });
    return mkdtempSync(join(process.env.DAEG_WORK_DIR, `${prefix}-`));
  }
  return mkdtempSync(join(tmpdir(), `daeg-${prefix}-`));
}

/// Writes the `chain` (dev or local) chain spec with its genesis patch changed by
/// `edit(patch)` into `dir`; returns the file's path, for `--chain`.
export function devSpecWith(dir, edit, chain = 'dev') {
  const out = execFileSync(nodeBinary(), ['build-spec', '--chain', chain], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'ignore'] });
  const spec = JSON.parse(out);
  edit(spec.genesis.runtimeGenesis.patch);
  const path = join(dir, 'spec.json');
  writeFileSync(path, JSON.stringify(spec));
  return path;
}

/// Starts a single-validator dev chain (Alice) and resolves once it answers RPC.
export async function startDevNode({ dir = workDir('dev'), rpcPort, extraArgs = [] } = {}) {
  rpcPort ??= await freePort();
  const p2pPort = await freePort();
  const basePath = join(dir, 'alice');
  const node = new Node({
    name: 'dev',
    rpcPort,
    p2pPort,
    basePath,
    logFile: join(dir, 'dev.log'),
    args: ['--dev', ...commonArgs({ basePath, rpcPort, p2pPort }), '--rpc-methods', 'unsafe', ...extraArgs],
  });
  node.start();
  try {
    await node.ready();
  } catch (e) {
    await node.stop();
    throw e;
  }
  return node;
}

export const LOCAL_VALIDATORS = ['alice', 'bob', 'charlie', 'dave'];

/// Fixed libp2p keys for the local network's validators (1 for Alice, 2 for Bob, ...), so that
/// every node knows Alice's address in advance and a restarted node keeps its identity.
/// Test keys for loopback networks only: never use them on a public network.
const nodeKey = (i) => (i + 1).toString(16).padStart(64, '0');
/// The peer id of node key 1.
const ALICE_PEER_ID = '12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp';

/// The four-validator local network on loopback (`--chain local`, or the spec file `chain`);
/// `extraArgs[validator]` are more arguments for that validator's node.
export class LocalNetwork {
  constructor(dir = workDir('local'), { chain = 'local', extraArgs = {} } = {}) {
    this.dir = dir;
    this.chain = chain;
    this.extraArgs = extraArgs;
    this.nodes = {};
  }

  async start() {
    const ports = {};
    for (const v of LOCAL_VALIDATORS) ports[v] = { rpc: await freePort(), p2p: await freePort() };
    const boot = `/ip4/127.0.0.1/tcp/${ports.alice.p2p}/p2p/${ALICE_PEER_ID}`;
    for (const [i, v] of LOCAL_VALIDATORS.entries()) {
      const basePath = join(this.dir, v);
      const args = [
        '--chain', this.chain,
        `--${v}`, // its name, validator role and well-known dev session keys
        ...commonArgs({ basePath, rpcPort: ports[v].rpc, p2pPort: ports[v].p2p }),
        '--allow-private-ip',
        '--node-key', nodeKey(i),
      ];
      if (v !== 'alice') args.push('--bootnodes', boot);
      args.push(...(this.extraArgs[v] ?? []));
      this.nodes[v] = new Node({
        name: v, args, rpcPort: ports[v].rpc, p2pPort: ports[v].p2p, basePath,
        logFile: join(this.dir, `${v}.log`),
      });
    }
    for (const n of Object.values(this.nodes)) n.start();
    try {
      await Promise.all(Object.values(this.nodes).map((n) => n.ready()));
    } catch (e) {
      await this.stop();
      throw e;
    }
    return this;
  }

  async stop() {
    await Promise.all(Object.values(this.nodes).map((n) => n.stop()));
  }
}

// The four-validator local network on loopback: finality survives the loss of one validator,
// and the validator catches up after it comes back.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { LocalNetwork, rpc, waitFor } from '../../../scripts/lib/chain.mjs';

const net = new LocalNetwork();
after(() => net.stop());

/// Resolves once the node's finalized head has advanced by `n` blocks past `from`.
async function finalityAdvances(node, from, n, timeoutMs = 120_000) {
  return waitFor(`${node.name}: finality past #${from + n}`, async () => {
    const h = await node.heads();
    return h.finalized >= from + n ? h : null;
  }, { timeoutMs });
}

test('finality advances, survives a stopped validator, and the validator catches up', async () => {
  await net.start();
  const { alice, bob, dave } = net.nodes;

  // All four peer up and finalize together.
  await waitFor('every validator sees three peers', async () => {
    for (const n of Object.values(net.nodes)) {
      const h = await n.heads();
      const health = await rpc(n.rpcPort, 'system_health');
      if (health.peers < 3 || h.best < 1) return false;
    }
    return true;
  }, { timeoutMs: 120_000 });
  const start = await alice.heads();
  await finalityAdvances(alice, start.finalized, 3);
  await finalityAdvances(dave, start.finalized, 3);

  // Stop Dave: three of four validators are still more than two thirds.
  await dave.stop();
  const withoutDave = await alice.heads();
  const h = await finalityAdvances(alice, withoutDave.finalized, 3);
  await finalityAdvances(bob, withoutDave.finalized, 3);
  assert.ok(h.finalized >= withoutDave.finalized + 3);

  // Restart Dave on his old database: he syncs and follows the finalized head again.
  dave.start();
  await dave.ready();
  const target = (await alice.heads()).finalized;
  const caughtUp = await waitFor(`dave catches up with finalized #${target}`, async () => {
    const d = await dave.heads();
    return d.finalized >= target ? d : null;
  }, { timeoutMs: 180_000 });
  assert.ok(caughtUp.finalized >= target);

  // And the network keeps finalizing with him back.
  await finalityAdvances(dave, caughtUp.finalized, 2);
});

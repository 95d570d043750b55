// The demo's energy community, as the simulator builds it from a scenario file (`daeg-sim
// community`, sim/src/community; scenarios/community.toml by default): its grid and members,
// each meter's forecast and actual power per interval from the real profiles in data/, the
// members' orders and the weather forecast, and what the dispatchable meters measure. One
// implementation of each for the demo and the simulation.

import { execFileSync } from 'node:child_process';
import { simBinary } from '../lib/chain.mjs';

/// `daeg-sim community <args>` for `community` (`{ scenario, households }`, either omitted for
/// the scenario's own), its JSON output parsed.
const run = (args, { scenario, households } = {}, input = '') => JSON.parse(execFileSync(simBinary(), [
  'community', ...args,
  ...(scenario ? ['--scenario', scenario] : []),
  ...(households ? ['--households', String(households)] : []),
], { maxBuffer: 1 << 28, input }));

/// `{ zones, links, members, grid }` of `community`.
export function describe(community) {
  return run(['describe'], community);
}

/// `count` intervals of `intervalMs` from grid time `fromMs`: `[{ interval, startMs, forecast:
/// { irradiance, wind_speed, temperature }, meters: { 'member/meter': [forecastW, actualW] },
/// orders: [{ member, side, meter, energyWh, priceMilli }] }]`.
export function plan(community, fromMs, intervalMs, count) {
  return run(['plan', '--from-ms', String(fromMs), '--interval-ms', String(intervalMs), '--count', String(count)], community).intervals;
}

/// The power (W, import positive) each dispatchable meter measures over a cleared interval:
/// `scheduled` is balancing's schedule by the unit's meter name (`{ 'member/meter': action }`),
/// `sold` what each meter's asks sold (`{ 'member/meter': Wh }`).
export function dispatch(community, intervalMs, { scheduled, sold }) {
  return run(['dispatch', '--interval-ms', String(intervalMs)], community, JSON.stringify({ scheduled, sold }));
}

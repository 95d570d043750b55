// The demo's energy community, as the simulator defines it (`daeg-sim community`, in
// sim/src/community): its grid and members, and each meter's forecast and actual power per
// interval from the real profiles in data/. One definition for the demo and the simulation.

import { execFileSync } from 'node:child_process';
import { simBinary } from '../lib/chain.mjs';

const run = (args) => JSON.parse(execFileSync(simBinary(), ['community', ...args], { maxBuffer: 1 << 28 }));

/// `{ zones, links, members }` of a community of `households` households.
export function describe(households) {
  return run(['describe', '--households', String(households)]);
}

/// `count` intervals of `intervalMs` from grid time `fromMs`: `[{ interval, startMs, weather:
/// { ghiWM2, tempC, windMS }, meters: { 'member/meter': [forecastW, actualW] } }]`.
export function plan(households, fromMs, intervalMs, count) {
  return run(['plan', '--households', String(households), '--from-ms', String(fromMs),
    '--interval-ms', String(intervalMs), '--count', String(count)]).intervals;
}

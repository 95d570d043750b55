"""The demo community's meters for modbus_meters.py: each meter's power follows a power file
written by scripts/demo, on the chain's grid clock.

The community file names the grid clock and the meters:

    {"timeScale": {"chain_origin_ms": ..., "grid_origin_ms": ..., "rate": 120},
     "intervalMs": 3600000,
     "meters": [{"id": 0, "port": 15020, "map": "sdm630", "unit": 1}, ...]}

The power file holds each meter's power (W, import positive) per grid interval,
{"<meter id>": {"<interval>": watts, ...}}: what the community model says it measures, or what
a dispatchable unit was told to do. It is read again whenever it changes; a meter draws nothing
in an interval the file does not name. Energy is integrated exactly over grid time: power is
constant within an interval, so each interval's energy is its power times its length.
"""

import json
import os
import time


class Clock:
    """Grid time from wall time, as the chain computes it (primitives' TimeScale)."""

    def __init__(self, scale):
        self.scale = scale

    def now_ms(self):
        wall = int(time.time() * 1000)
        if not self.scale:
            return wall
        elapsed = max(0, wall - self.scale["chain_origin_ms"])
        return self.scale["grid_origin_ms"] + elapsed * self.scale["rate"]


class PowerFile:
    """The power file, re-read when it changes."""

    def __init__(self, path):
        self.path, self.mtime, self.values = path, None, {}

    def power(self, meter, interval):
        try:
            mtime = os.stat(self.path).st_mtime_ns
            if mtime != self.mtime:
                with open(self.path) as f:
                    self.values = json.load(f)
                self.mtime = mtime
        except (OSError, ValueError):
            pass  # not written yet, or being replaced: keep the last values
        return float(self.values.get(str(meter), {}).get(str(interval), 0.0))


class CommunityMeter:
    """One meter's registers, integrated over grid time."""

    def __init__(self, meter, clock, powers, interval_ms):
        self.id, self.clock, self.powers, self.interval_ms = meter, clock, powers, interval_ms
        self.t = clock.now_ms()
        self.imported = self.exported = 0.0

    def advance(self):
        """Integrates power up to grid time now, interval by interval; returns the registers
        (Wh) and the power now (W)."""
        now = self.clock.now_ms()
        while self.t < now:
            interval = self.t // self.interval_ms
            end = min(now, (interval + 1) * self.interval_ms)
            wh = self.powers.power(self.id, interval) * (end - self.t) / 3_600_000
            if wh >= 0:
                self.imported += wh
            else:
                self.exported -= wh
            self.t = end
        return self.imported, self.exported, self.powers.power(self.id, now // self.interval_ms)


def community(path, powers_path):
    """(port, map, unit, source) of each of the community file's meters."""
    with open(path) as f:
        spec = json.load(f)
    clock = Clock(spec.get("timeScale"))
    powers = PowerFile(powers_path)
    return [(m["port"], m["map"], m.get("unit", 1),
             CommunityMeter(m["id"], clock, powers, spec["intervalMs"]).advance)
            for m in spec["meters"]]

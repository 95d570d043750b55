#!/usr/bin/env python3
"""Simulated smart meters on real Modbus servers (pymodbus), for tests and the demo.

Each meter is a Modbus server of its own, over TCP (MBAP framing) or RTU framing through TCP,
whose registers follow one of meter-oracle's register maps (meter-oracle/maps/*.toml): the
simulator encodes values with the same map the oracle decodes them with, so every map the
oracle ships can be served. Energy registers grow with constant import and export power and are
computed at each read.

    modbus_meters.py --meter tcp:5020:sdm630:1:3600:0 --meter rtu:5021:em24:7:0:7200

Meter spec: transport(tcp|rtu):port:map:unit:import_W:export_W. With --community FILE
--powers FILE, also the demo community's meters (scripts/demo), over TCP, whose power follows
the power file on the chain's grid clock (community_meters.py). Port 0 lets the system choose
a free port (no race with other processes for one chosen beforehand). Prints one line per meter,
in the order given, when its server listens ("meter MAP unit N on TRANSPORT:PORT", the port it
listens on), then "ready"; exits if a server cannot listen. Stops on SIGINT/SIGTERM.
"""

import argparse
import asyncio
import signal
import struct
import sys
import time
import tomllib
from pathlib import Path

from pymodbus import FramerType
from pymodbus.server import ModbusTcpServer
from pymodbus.simulator import DataType, SimData, SimDevice

MAPS = Path(__file__).resolve().parents[2] / "meter-oracle" / "maps"
UNIT_TO_BASE = {"Wh": 1.0, "kWh": 1000.0, "W": 1.0, "kW": 1000.0}
START_WH = 1_000_000.0  # registers start at 1 MWh, as a meter in service would


def words(fmt, raw, word_order):
    """The registers of `raw` (an integer or float) in format `fmt`."""
    if fmt == "f32":
        packed = struct.pack(">f", raw)
    elif fmt == "i16":
        packed = struct.pack(">h", int(raw))
    elif fmt == "u16":
        packed = struct.pack(">H", int(raw))
    elif fmt == "i32":
        packed = struct.pack(">i", int(raw))
    elif fmt == "u32":
        packed = struct.pack(">I", int(raw))
    elif fmt == "u64":
        packed = struct.pack(">Q", int(raw))
    else:
        raise ValueError(f"unknown format {fmt}")
    regs = [int.from_bytes(packed[i:i + 2], "big") for i in range(0, len(packed), 2)]
    return regs[::-1] if word_order == "low-first" else regs


class Meter:
    """A meter on a Modbus server of its own; `source` says what its registers show now:
    `(import_wh, export_wh, power_w)`, registers counted from `START_WH`."""

    def __init__(self, transport, port, map_name, unit, source):
        self.transport, self.port, self.unit = transport, int(port), int(unit)
        self.map = tomllib.loads((MAPS / f"{map_name}.toml").read_text())
        self.map_name = map_name
        self.source = source
        self.function = 4 if self.map["table"] == "input" else 3

    @classmethod
    def constant(cls, spec):
        """A meter of a `--meter` spec, with constant import and export power."""
        transport, port, map_name, unit, imp_w, exp_w = spec.split(":")
        imp_w, exp_w, t0 = float(imp_w), float(exp_w), time.time()

        def source():
            hours = (time.time() - t0) / 3600.0
            return imp_w * hours, exp_w * hours, imp_w - exp_w

        return cls(transport, port, map_name, unit, source)

    def registers(self):
        """(address, words) of every register the map names, as the meter shows them now."""
        imported, exported, power = self.source()
        values = [("import", START_WH + imported), ("export", START_WH + exported), ("power", power)]
        out = []
        check = self.map.get("check")
        if check:
            out.append((check["address"], [check["equals"]]))
        for name, value in values:
            register = self.map.get(name)
            if register is None:
                continue
            raw = value / UNIT_TO_BASE[register["unit"]] / register.get("scale", 1.0)
            if "scale_factor" in register:
                out.append((register["scale_factor"], [0]))  # 10^0
            if register["format"] != "f32":
                raw = round(raw)
            out.append((register["address"],
                        words(register["format"], raw, register.get("word_order", "high-first"))))
        return out

    async def action(self, function_code, start, _address, _count, current, set_values):
        """Refreshes the registers before every read of the map's table."""
        if set_values is None and function_code == self.function:
            for address, regs in self.registers():
                offset = address - start
                if 0 <= offset and offset + len(regs) <= len(current):
                    current[offset:offset + len(regs)] = regs
        return None

    async def serve(self):
        addresses = [a for a, regs in self.registers() for a in range(a, a + len(regs))]
        low, high = min(addresses), max(addresses)
        block = [SimData(low, count=high - low + 1, values=0, datatype=DataType.REGISTERS)]
        bits = [SimData(0, values=False, datatype=DataType.BITS)]
        device = SimDevice(self.unit, simdata=(bits, bits, block, block), action=self.action)
        framer = FramerType.SOCKET if self.transport == "tcp" else FramerType.RTU
        self.server = ModbusTcpServer(device, framer=framer, address=("127.0.0.1", self.port))
        if not await self.server.listen():
            # pymodbus only logs a failed bind; a meter nobody can read must stop the start.
            raise SystemExit(f"meter {self.map_name} unit {self.unit}: cannot listen on {self.transport}:{self.port}")
        self.port = self.server.transport.sockets[0].getsockname()[1]
        print(f"meter {self.map_name} unit {self.unit} on {self.transport}:{self.port}", flush=True)


async def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--meter", action="append", default=[])
    parser.add_argument("--community", help="a community file (scripts/demo)")
    parser.add_argument("--powers", help="the community's power file, which its meters follow")
    args = parser.parse_args()
    meters = [Meter.constant(spec) for spec in args.meter]
    if args.community:
        from community_meters import community
        meters += [Meter("tcp", port, map_name, unit, source)
                   for port, map_name, unit, source in community(args.community, args.powers)]
    if not meters:
        parser.error("no meters: give --meter or --community")
    for m in meters:
        await m.serve()
    print("ready", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    for m in meters:
        await m.server.shutdown()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))

#!/usr/bin/env python3
"""Extracts the community's real profiles from public packages into data/ (run by
scripts/extract-profiles.sh, which installs the pinned packages first).

- weather and solar: pvlib's TMY3 file of Greensboro, NC (USAF 723170): global horizontal
  irradiance, air temperature and 10 m wind speed per hour; the AC output of 1 kWp of PV on a
  30 degree south-facing roof, modelled with pvlib (Hay-Davies transposition, SAPM cell
  temperature, PVWatts DC and inverter models);
- loads: demandlib's BDEW 2025 standard load profiles H25 (households) and G25 (businesses),
  averaged per hour;
- wind power: windpowerlib's power curve of an Enercon E-53/800 at 73 m hub height, driven by the
  TMY3 wind series (logarithmic wind profile, roughness length 0.15 m).

Every series is one non-leap year (2025) of 8,760 hours, hour 0 starting 1 January 00:00 local
standard time, written as integers so that the files stay small and diff well.
"""

import csv
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pvlib
from demandlib import bdew
from pvlib.iotools import read_tmy3
from windpowerlib import ModelChain, WindTurbine

YEAR = 2025
HOURS = 8760
DATA = Path(__file__).resolve().parents[1] / "data"
TURBINE, HUB_HEIGHT = "E-53/800", 73
ROUGHNESS = 0.15
TILT, AZIMUTH = 30, 180


def weather():
    """The TMY3 year, indexed by hour start (local standard time), and the site metadata."""
    path = Path(pvlib.__file__).parent / "data" / "723170TYA.CSV"
    data, meta = read_tmy3(path, coerce_year=YEAR, map_variables=True)
    assert len(data) == HOURS, len(data)
    # TMY3 stamps each hour at its end (01:00 to 24:00): row k is hour k of the year.
    data.index = pd.date_range(f"{YEAR}-01-01", periods=HOURS, freq="1h", tz="Etc/GMT+5")
    return data, meta


def pv_per_kwp(data, meta):
    """AC watts of 1 kWp at each hour's midpoint sun position."""
    location = pvlib.location.Location(meta["latitude"], meta["longitude"], tz=data.index.tz,
                                       altitude=meta["altitude"])
    sun = location.get_solarposition(data.index + pd.Timedelta(minutes=30))
    sun.index = data.index
    dni_extra = pvlib.irradiance.get_extra_radiation(data.index)
    poa = pvlib.irradiance.get_total_irradiance(
        TILT, AZIMUTH, sun["apparent_zenith"], sun["azimuth"], data["dni"], data["ghi"], data["dhi"],
        dni_extra=dni_extra, model="haydavies")
    params = pvlib.temperature.TEMPERATURE_MODEL_PARAMETERS["sapm"]["open_rack_glass_polymer"]
    cell = pvlib.temperature.sapm_cell(poa["poa_global"], data["temp_air"], data["wind_speed"], **params)
    dc = pvlib.pvsystem.pvwatts_dc(poa["poa_global"].fillna(0), cell, pdc0=1000.0, gamma_pdc=-0.004)
    ac = pvlib.inverter.pvwatts(dc, pdc0=1000.0, eta_inv_nom=0.96)
    return ac.clip(lower=0).fillna(0)


def wind_per_mille(data):
    """The turbine's output in thousandths of its rating, per hour."""
    turbine = WindTurbine(hub_height=HUB_HEIGHT, turbine_type=TURBINE)
    frame = pd.DataFrame({
        ("wind_speed", 10): data["wind_speed"].to_numpy(),
        ("temperature", 2): (data["temp_air"] + 273.15).to_numpy(),
        ("pressure", 0): (data["pressure"] * 100.0).to_numpy(),
        ("roughness_length", 0): ROUGHNESS,
    }, index=data.index)
    frame.columns = pd.MultiIndex.from_tuples(frame.columns, names=["variable_name", "height"])
    chain = ModelChain(turbine).run_model(frame)
    return chain.power_output / turbine.nominal_power * 1000.0, turbine


def loads():
    """H25 and G25 in W per MWh a year, hourly means (local standard time, no holidays)."""
    index = pd.date_range(f"{YEAR}-01-01", periods=HOURS * 4, freq="15min")
    out = {}
    for name, profile in (("household", bdew.H25), ("business", bdew.G25)):
        # kW per GWh a year = W per MWh a year.
        series = pd.Series(np.asarray(profile(index), dtype=float), index=index)
        out[name] = series.resample("1h").mean().to_numpy()
    return out


def main():
    data, meta = weather()
    pv = pv_per_kwp(data, meta)
    wind, turbine = wind_per_mille(data)
    load = loads()
    DATA.mkdir(exist_ok=True)
    with open(DATA / "profiles.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["hour", "ghi_w_m2", "temp_dc", "wind_dm_s", "pv_w_per_kwp", "wind_per_mille",
                    "household_dw_per_mwh", "business_dw_per_mwh"])
        for h in range(HOURS):
            row = data.iloc[h]
            w.writerow([h, round(row["ghi"]), round(row["temp_air"] * 10), round(row["wind_speed"] * 10),
                        round(pv.iloc[h]), round(wind.iloc[h]),
                        round(load["household"][h] * 10), round(load["business"][h] * 10)])
    curve = turbine.power_curve
    with open(DATA / "turbine-e53.csv", "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["wind_m_s", "power_w"])
        for speed, power in zip(curve["wind_speed"], curve["value"]):
            w.writerow([f"{speed:g}", round(power)])
    print(f"wrote {DATA / 'profiles.csv'} and {DATA / 'turbine-e53.csv'}:"
          f" PV {pv.sum() / 1000:.0f} kWh/kWp, wind {wind.mean() / 10:.1f} % capacity factor,"
          f" household {load['household'].sum() / 1000:.0f} kWh per MWh, business {load['business'].sum() / 1000:.0f}")


if __name__ == "__main__":
    sys.exit(main())

// This file is part of DAEG. SPDX-License-Identifier: Apache-2.0

//! Weights for `pallet_balancing`: placeholders until `scripts/benchmark.sh balancing`
//! generates them from the benchmarks.

#![cfg_attr(rustfmt, rustfmt_skip)]
#![allow(unused_parens)]
#![allow(unused_imports)]
#![allow(missing_docs)]

use frame_support::{traits::Get, weights::{Weight, constants::ParityDbWeight}};
use core::marker::PhantomData;

/// Weight functions needed for `pallet_balancing`.
pub trait WeightInfo {
	fn set_zone() -> Weight;
	fn register_unit() -> Weight;
	fn deregister_unit() -> Weight;
	fn set_program() -> Weight;
	fn enroll() -> Weight;
	fn leave() -> Weight;
	fn call_demand_response(i: u32, p: u32, ) -> Weight;
	fn set_breakers() -> Weight;
	fn set_emergency_tariff() -> Weight;
	fn zone_status() -> Weight;
	fn shed_load() -> Weight;
	fn on_cleared_zone(u: u32, p: u32, ) -> Weight;
	fn on_final_meter() -> Weight;
	fn on_final_unit() -> Weight;
	fn on_final_participant() -> Weight;
}

/// Weights for `pallet_balancing` using the DAEG node and recommended hardware.
pub struct SubstrateWeight<T>(PhantomData<T>);
impl<T: frame_system::Config> WeightInfo for SubstrateWeight<T> {
	fn set_zone() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(20, 20))
	}
	fn register_unit() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(20, 20))
	}
	fn deregister_unit() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(20, 20))
	}
	fn set_program() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(20, 20))
	}
	fn enroll() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(20, 20))
	}
	fn leave() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(20, 20))
	}
	fn call_demand_response(_i: u32, _p: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(20, 20))
	}
	fn set_breakers() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(20, 20))
	}
	fn set_emergency_tariff() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(20, 20))
	}
	fn zone_status() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(20, 20))
	}
	fn shed_load() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(20, 20))
	}
	fn on_cleared_zone(_u: u32, _p: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(20, 20))
	}
	fn on_final_meter() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(20, 20))
	}
	fn on_final_unit() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(20, 20))
	}
	fn on_final_participant() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(T::DbWeight::get().reads_writes(20, 20))
	}
}

// For backwards compatibility and tests.
impl WeightInfo for () {
	fn set_zone() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(ParityDbWeight::get().reads_writes(20, 20))
	}
	fn register_unit() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(ParityDbWeight::get().reads_writes(20, 20))
	}
	fn deregister_unit() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(ParityDbWeight::get().reads_writes(20, 20))
	}
	fn set_program() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(ParityDbWeight::get().reads_writes(20, 20))
	}
	fn enroll() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(ParityDbWeight::get().reads_writes(20, 20))
	}
	fn leave() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(ParityDbWeight::get().reads_writes(20, 20))
	}
	fn call_demand_response(_i: u32, _p: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(ParityDbWeight::get().reads_writes(20, 20))
	}
	fn set_breakers() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(ParityDbWeight::get().reads_writes(20, 20))
	}
	fn set_emergency_tariff() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(ParityDbWeight::get().reads_writes(20, 20))
	}
	fn zone_status() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(ParityDbWeight::get().reads_writes(20, 20))
	}
	fn shed_load() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(ParityDbWeight::get().reads_writes(20, 20))
	}
	fn on_cleared_zone(_u: u32, _p: u32, ) -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(ParityDbWeight::get().reads_writes(20, 20))
	}
	fn on_final_meter() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(ParityDbWeight::get().reads_writes(20, 20))
	}
	fn on_final_unit() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(ParityDbWeight::get().reads_writes(20, 20))
	}
	fn on_final_participant() -> Weight {
		Weight::from_parts(50_000_000, 10_000).saturating_add(ParityDbWeight::get().reads_writes(20, 20))
	}
}

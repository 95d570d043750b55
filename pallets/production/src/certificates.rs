//! Certificates of origin: issued per facility and hour from final measured renewable export,
//! transferred and claimed in whole or in part, expired after [`Config::HistoryDays`] days; and
//! the feed-in premium paid with each issue.

use crate::{
	pallet::{
		Certificates, Claimed, Config, Error, Event, ExpiryCursor, FeedInPremium, NextCertificate,
		Pallet, UnpaidPremium,
	},
	BalanceOf, Certificate, FacilityOf, FacilityOperation, WeightInfo,
};
use daeg_primitives::{
	consumption::{CarbonIntensities, IntervalRecord, Quality},
	production::{CertificateId, Certification},
	ring, DayIndex, Energy, FacilityId, GridClock, HourIndex, MeterId, Rounding,
};
use frame_support::{
	traits::{fungible::Mutate, tokens::Preservation, Get},
	weights::Weight,
};
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchError, SaturatedConversion,
};

/// Hours in a day, for the certificates' lifetime.
const HOURS_PER_DAY: u32 = 24;
/// The most certificates expired in one block, whatever weight is left.
const MAX_EXPIRIES_PER_BLOCK: u64 = 1_000;

impl<T: Config> Pallet<T> {
	/// Gathers a renewable facility's final interval for its hourly certificate: counts its
	/// export as metered renewable energy, adds it to the open hour when it is certifiable,
	/// and issues the hour's certificate once the hour is complete.
	pub(crate) fn gather_certifiable(
		facility: FacilityId,
		f: &FacilityOf<T>,
		op: &mut FacilityOperation,
		record: &IntervalRecord,
	) {
		if !f.spec.source.is_renewable() {
			return;
		}
		let len = T::Grid::interval_length_ms();
		let Some(hour) = record.interval.hour(len) else { return };
		op.metered_renewable = op.metered_renewable.saturating_add(record.exported);
		// Intervals arrive in order, so a later hour closes the one still open (its last
		// interval belonged to no facility certificate, e.g. it was substituted).
		if let Some((open, energy)) = op.open_hour {
			if open != hour {
				op.open_hour = None;
				Self::issue(facility, f, op, open, energy);
			}
		}
		if Self::certifiable(f, record, len) {
			let so_far = op.open_hour.map(|(_, e)| e).unwrap_or_default();
			op.open_hour = Some((hour, so_far.saturating_add(record.exported)));
		}
		if record.interval.ends_hour(len) {
			if let Some((open, energy)) = op.open_hour.take() {
				Self::issue(facility, f, op, open, energy);
			}
		}
	}

	/// Whether an interval's export earns a certificate: measured (or interpolated between
	/// two readings), not flagged, above zero, from a facility certified when it started.
	fn certifiable(f: &FacilityOf<T>, record: &IntervalRecord, len: u64) -> bool {
		let start = record.interval.start_ms(len).unwrap_or(u64::MAX);
		let certified = matches!(
			f.certification,
			Certification::Certified { until_ms, .. } if start < until_ms
		);
		certified
			&& record.quality != Quality::Substituted
			&& record.anomaly.is_none()
			&& !record.exported.is_zero()
	}

	/// Issues a certificate of `energy` produced in `hour` to the facility's producer, and
	/// pays its feed-in premium.
	fn issue(
		facility: FacilityId,
		f: &FacilityOf<T>,
		op: &mut FacilityOperation,
		hour: HourIndex,
		energy: Energy,
	) {
		if energy.is_zero() {
			return;
		}
		let serial = NextCertificate::<T>::get();
		NextCertificate::<T>::put(serial.saturating_add(1));
		let id = CertificateId { hour, serial };
		let intensity = T::Meters::intensity_of(f.spec.source);
		Certificates::<T>::insert(
			hour,
			serial,
			Certificate {
				facility,
				source: f.spec.source,
				zone: f.spec.zone,
				energy,
				intensity,
				owner: f.owner.clone(),
				claimed: None,
			},
		);
		ExpiryCursor::<T>::mutate(|cursor| match cursor {
			Some(c) if *c <= hour => {}
			_ => *cursor = Some(hour),
		});
		op.certified = op.certified.saturating_add(energy);
		Self::deposit_event(Event::CertificateIssued {
			id,
			facility,
			owner: f.owner.clone(),
			energy,
			source: f.spec.source,
			zone: f.spec.zone,
			intensity,
		});
		Self::pay_premium(&f.owner, energy);
	}

	/// Pays the feed-in premium for `energy` certified; what the incentives account cannot pay
	/// is owed.
	fn pay_premium(producer: &T::AccountId, energy: Energy) {
		let Some(amount) = FeedInPremium::<T>::get().cost_of(energy, Rounding::Down) else {
			return;
		};
		let amount: BalanceOf<T> = amount.saturated_into();
		if amount.is_zero() {
			return;
		}
		if Self::pay_from_incentives(producer, amount).is_ok() {
			Self::deposit_event(Event::PremiumPaid { producer: producer.clone(), amount });
		} else {
			UnpaidPremium::<T>::mutate(producer, |owed| *owed = owed.saturating_add(amount));
			Self::deposit_event(Event::PremiumDeferred { producer: producer.clone(), amount });
		}
	}

	/// Pays `amount` from the incentives account, which stays alive; all or nothing.
	pub(crate) fn pay_from_incentives(
		to: &T::AccountId,
		amount: BalanceOf<T>,
	) -> Result<(), DispatchError> {
		frame_support::storage::with_storage_layer(|| {
			T::Currency::transfer(&T::IncentivesAccount::get(), to, amount, Preservation::Preserve)
				.map(|_| ())
		})
	}

	/// Takes `energy` from unclaimed certificate `id` of `holder`'s and applies `change` to it:
	/// to the whole certificate, or to a new certificate of the same hour split off from it.
	/// Returns the id of the certificate changed.
	pub(crate) fn take_part(
		id: CertificateId,
		holder: &T::AccountId,
		energy: Energy,
		change: impl FnOnce(&mut Certificate<T::AccountId>),
	) -> Result<CertificateId, DispatchError> {
		frame_support::ensure!(!energy.is_zero(), Error::<T>::ZeroEnergy);
		Certificates::<T>::try_mutate(id.hour, id.serial, |c| {
			let c = c.as_mut().ok_or(Error::<T>::UnknownCertificate)?;
			frame_support::ensure!(c.owner == *holder, Error::<T>::NotCertificateHolder);
			frame_support::ensure!(c.claimed.is_none(), Error::<T>::AlreadyClaimed);
			let rest = c.energy.checked_sub(energy).ok_or(Error::<T>::NotEnoughEnergy)?;
			if rest.is_zero() {
				change(c);
				return Ok(id);
			}
			c.energy = rest;
			let mut part = c.clone();
			part.energy = energy;
			change(&mut part);
			let serial = NextCertificate::<T>::get();
			NextCertificate::<T>::put(serial.saturating_add(1));
			Certificates::<T>::insert(id.hour, serial, part);
			Ok(CertificateId { hour: id.hour, serial })
		})
	}

	/// Certificate energy claimed against `meter` on `day`.
	pub(crate) fn claimed_on(meter: MeterId, day: DayIndex) -> Energy {
		ring::kept(Claimed::<T>::get(meter, Self::day_slot(day)), day).unwrap_or_default()
	}

	/// Removes certificates whose hour is more than [`Config::HistoryDays`] days past, as many as
	/// `limit` allows, oldest hour first. Returns the weight used.
	pub(crate) fn expire_certificates(limit: Weight) -> Weight {
		let base = T::WeightInfo::expire_certificates(0);
		let Some(mut cursor) = ExpiryCursor::<T>::get() else {
			return T::DbWeight::get().reads(1);
		};
		let lifetime = T::HistoryDays::get().saturating_mul(HOURS_PER_DAY);
		let cutoff = HourIndex::at(T::Grid::now_ms()).0.saturating_sub(lifetime);
		if cursor.0 >= cutoff || limit.any_lt(base) {
			return T::DbWeight::get().reads(1);
		}
		let each = T::WeightInfo::expire_certificates(1).saturating_sub(base);
		let room = limit.saturating_sub(base);
		let fits = |have: u64, per: u64| have.checked_div(per).unwrap_or(u64::MAX);
		let n = fits(room.ref_time(), each.ref_time())
			.min(fits(room.proof_size(), each.proof_size()))
			.min(MAX_EXPIRIES_PER_BLOCK);
		let n = usize::try_from(n).unwrap_or(usize::MAX);
		let removed = Certificates::<T>::drain_prefix(cursor).take(n).count();
		if removed < n {
			// The hour is empty now: continue with the next one.
			cursor = HourIndex(cursor.0.saturating_add(1));
		}
		ExpiryCursor::<T>::put(cursor);
		T::WeightInfo::expire_certificates(u32::try_from(removed).unwrap_or(u32::MAX))
	}
}

#[cfg(any(feature = "try-runtime", feature = "std", test))]
impl<T: Config> Pallet<T> {
	/// Certificates never cover more than was produced or consumed: per registered facility,
	/// the energy of its live certificates ≤ what it was certified ≤ its metered renewable
	/// production (with the open hour); a claimed certificate counts once in its meter's
	/// claims, which never exceed the meter's final import that day; serials are below the
	/// next serial and no certificate is older than the expiry cursor.
	pub(crate) fn try_state_certificates() -> Result<(), sp_runtime::TryRuntimeError> {
		use crate::pallet::{Facilities, Operation};
		use alloc::collections::btree_map::BTreeMap;
		use daeg_primitives::consumption::MeteredEnergy;

		let mut live: BTreeMap<FacilityId, u128> = BTreeMap::new();
		let mut claims: BTreeMap<(MeterId, DayIndex), u128> = BTreeMap::new();
		let next = NextCertificate::<T>::get();
		let cursor = ExpiryCursor::<T>::get();
		for (hour, serial, c) in Certificates::<T>::iter() {
			frame_support::ensure!(serial < next, "a certificate serial is not below the next");
			frame_support::ensure!(!c.energy.is_zero(), "a certificate of no energy");
			frame_support::ensure!(
				cursor.is_some_and(|h| h <= hour),
				"a certificate older than the expiry cursor"
			);
			let sum = live.entry(c.facility).or_default();
			*sum = sum.saturating_add(c.energy.0.into());
			if let Some(meter) = c.claimed {
				let sum = claims.entry((meter, hour.day())).or_default();
				*sum = sum.saturating_add(c.energy.0.into());
			}
		}
		for (id, _) in Facilities::<T>::iter() {
			let op = Operation::<T>::get(id).ok_or("a facility without its operation")?;
			let open = op.open_hour.map(|(_, e)| e).unwrap_or_default();
			frame_support::ensure!(
				u128::from(op.certified.0).saturating_add(open.0.into())
					<= u128::from(op.metered_renewable.0),
				"certified energy exceeds metered renewable production"
			);
			frame_support::ensure!(
				live.get(&id).copied().unwrap_or(0) <= u128::from(op.certified.0),
				"live certificates exceed what their facility was certified"
			);
		}
		for ((meter, day), energy) in claims {
			frame_support::ensure!(
				energy <= u128::from(Self::claimed_on(meter, day).0),
				"a claimed certificate missing from its meter's claims (claimed twice?)"
			);
		}
		for (meter, slot, (day, energy)) in Claimed::<T>::iter() {
			frame_support::ensure!(Self::day_slot(day) == slot, "claims outside their slot");
			if let Some(totals) = T::Meters::final_day(meter, day) {
				frame_support::ensure!(
					energy <= totals.imported,
					"a meter's claims exceed its final import"
				);
			}
		}
		Ok(())
	}
}

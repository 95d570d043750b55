//! Rings of slots kept per day or per month: each slot stores its value with the index (day,
//! month) it belongs to, so that a slot left over from an earlier turn of the ring reads as
//! empty and is started afresh when written.

/// The slot of `index` in a ring of `len` slots (slot 0 for an empty ring).
pub fn slot(index: u32, len: u32) -> u32 {
	index.checked_rem(len).unwrap_or(0)
}

/// What a slot's `entry` holds for `index`: nothing if it holds another index.
pub fn kept<I: PartialEq, V>(entry: Option<(I, V)>, index: I) -> Option<V> {
	entry.filter(|(i, _)| *i == index).map(|(_, v)| v)
}

/// The value a slot's `entry` holds for `index`, started afresh (the default) if it holds
/// another index or nothing.
pub fn entry<I: PartialEq, V: Default>(entry: &mut Option<(I, V)>, index: I) -> &mut V {
	if entry.as_ref().is_some_and(|(i, _)| *i != index) {
		*entry = None;
	}
	&mut entry.get_or_insert_with(|| (index, V::default())).1
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn a_slot_reads_and_grows_only_for_its_own_index() {
		assert_eq!((slot(65, 62), slot(3, 0)), (3, 0));
		let mut e = Some((3u32, 10u64));
		assert_eq!(kept(e, 3), Some(10));
		assert_eq!(kept(e, 65), None);
		*entry(&mut e, 3) += 1;
		assert_eq!(e, Some((3, 11)));
		*entry(&mut e, 65) += 5;
		assert_eq!(e, Some((65, 5)), "a later turn of the ring starts afresh");
		let mut empty: Option<(u32, u64)> = None;
		*entry(&mut empty, 7) += 2;
		assert_eq!(empty, Some((7, 2)));
	}
}

//! The simulation's storage: the runtime's externalities on a hash map of keys to values, an
//! ordered index of the keys for iteration, and an undo log for storage transactions.
//!
//! Why not `sp_state_machine`'s externalities: `TestExternalities` keeps a trie, where every
//! read walks its nodes; `BasicExternalities` keeps an overlay of transaction layers in a
//! `BTreeMap`, whose lookups compare the keys' long shared prefixes and whose `clear_prefix`
//! visits every key. A year of a thousand households reads and writes storage hundreds of
//! millions of times. Here a read is one hash lookup and a transaction costs what it changed.
//! Nothing here needs a state root, so one is computed only when asked for (by copying the
//! storage into `BasicExternalities`).

use codec::{Compact, CompactLen, Decode, Encode};
use rustc_hash::FxHashMap;
use sp_core::storage::{
	well_known_keys::is_child_storage_key, ChildInfo, StateVersion, Storage, StorageChild,
	TrackedStorageKey,
};
use sp_externalities::{Extension, ExtensionStore, Extensions, Externalities, MultiRemovalResults};
use sp_state_machine::BasicExternalities;
use std::{
	any::{Any, TypeId},
	collections::{BTreeMap, BTreeSet},
	ops::Bound,
};

/// One key space: the top storage or one child trie's.
#[derive(Default)]
struct Space {
	values: FxHashMap<Vec<u8>, Vec<u8>>,
	/// The keys of `values`, in order (for `next_storage_key` and prefix removal).
	keys: BTreeSet<Vec<u8>>,
}

impl Space {
	/// Sets `key` to `value` (removes it on `None`) and returns what it held.
	fn put(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) -> Option<Vec<u8>> {
		match value {
			Some(value) => match self.values.get_mut(&key) {
				Some(slot) => Some(core::mem::replace(slot, value)),
				None => {
					self.keys.insert(key.clone());
					self.values.insert(key, value)
				}
			},
			None => {
				let old = self.values.remove(&key);
				if old.is_some() {
					self.keys.remove(&key);
				}
				old
			}
		}
	}

	/// The first key after `key`.
	fn next_key(&self, key: &[u8]) -> Option<Vec<u8>> {
		self.keys.range::<[u8], _>((Bound::Excluded(key), Bound::Unbounded)).next().cloned()
	}

	/// Up to `limit` keys starting with `prefix`, from `cursor` on, and the key to go on from
	/// if more are left.
	fn keys_under(
		&self,
		prefix: &[u8],
		limit: Option<u32>,
		cursor: Option<&[u8]>,
	) -> (Vec<Vec<u8>>, Option<Vec<u8>>) {
		let from = cursor.filter(|c| *c > prefix).unwrap_or(prefix);
		let mut under = self
			.keys
			.range::<[u8], _>((Bound::Included(from), Bound::Unbounded))
			.take_while(|k| k.starts_with(prefix));
		let limit = limit.map_or(usize::MAX, |l| l as usize);
		let keys: Vec<Vec<u8>> = under.by_ref().take(limit).cloned().collect();
		(keys, under.next().cloned())
	}

	fn to_map(&self) -> BTreeMap<Vec<u8>, Vec<u8>> {
		self.values.iter().map(|(k, v)| (k.clone(), v.clone())).collect()
	}
}

/// How to undo one change.
enum Undo {
	/// `key` (of the child trie `child`, if any) held `old`.
	Put { child: Option<Vec<u8>>, key: Vec<u8>, old: Option<Vec<u8>> },
	/// An element was appended to the list at `key`, which had `len` elements in `size` bytes.
	Append { key: Vec<u8>, len: u32, size: usize },
}

/// The simulation's externalities (see the module's documentation).
#[derive(Default)]
pub struct SimStorage {
	top: Space,
	/// Child tries by their storage key (only default child tries exist).
	children: BTreeMap<Vec<u8>, Space>,
	/// Per open storage transaction, how to undo what it changed, in order.
	layers: Vec<Vec<Undo>>,
	extensions: Extensions,
}

impl SimStorage {
	/// Runs `f` with this storage as the runtime's.
	pub fn execute_with<R>(&mut self, f: impl FnOnce() -> R) -> R {
		sp_externalities::set_and_run_with_externalities(self, f)
	}

	/// A copy of everything stored.
	pub fn to_storage(&self) -> Storage {
		Storage {
			top: self.top.to_map(),
			children_default: self
				.children
				.iter()
				.map(|(key, space)| {
					let child = StorageChild {
						data: space.to_map(),
						child_info: ChildInfo::new_default(key),
					};
					(key.clone(), child)
				})
				.collect(),
		}
	}

	fn space(&mut self, child: Option<&[u8]>) -> &mut Space {
		match child {
			None => &mut self.top,
			Some(key) => self.children.entry(key.to_vec()).or_default(),
		}
	}

	/// Sets `key` of `child` (or of the top storage) and logs how to undo it.
	fn put(&mut self, child: Option<&[u8]>, key: Vec<u8>, value: Option<Vec<u8>>) {
		if self.layers.is_empty() {
			self.space(child).put(key, value);
		} else {
			let old = self.space(child).put(key.clone(), value);
			self.log(Undo::Put { child: child.map(<[u8]>::to_vec), key, old });
		}
	}

	fn log(&mut self, undo: Undo) {
		if let Some(layer) = self.layers.last_mut() {
			layer.push(undo);
		}
	}

	/// Removes up to `limit` keys under `prefix` of `child`, from `cursor` on.
	fn remove_under(
		&mut self,
		child: Option<&[u8]>,
		prefix: &[u8],
		limit: Option<u32>,
		cursor: Option<&[u8]>,
	) -> MultiRemovalResults {
		let (keys, maybe_cursor) = self.space(child).keys_under(prefix, limit, cursor);
		let count = u32::try_from(keys.len()).unwrap_or(u32::MAX);
		for key in keys {
			self.put(child, key, None);
		}
		MultiRemovalResults { maybe_cursor, backend: count, unique: count, loops: count }
	}

	fn undo(&mut self, undo: Undo) {
		match undo {
			Undo::Put { child, key, old } => {
				self.space(child.as_deref()).put(key, old);
			}
			Undo::Append { key, len, size } => {
				if let Some(value) = self.top.values.get_mut(&key) {
					// `value` is `len + 1` compact, the old elements, the appended one.
					let new_prefix = Compact::<u32>::compact_len(&len.saturating_add(1));
					let old_prefix = Compact::<u32>::compact_len(&len);
					let elements = size.saturating_sub(old_prefix);
					let mut old = Compact(len).encode();
					old.extend_from_slice(
						value.get(new_prefix..new_prefix + elements).unwrap_or(&[]),
					);
					*value = old;
				}
			}
		}
	}
}

impl Externalities for SimStorage {
	fn set_offchain_storage(&mut self, _key: &[u8], _value: Option<&[u8]>) {}

	fn storage(&mut self, key: &[u8]) -> Option<Vec<u8>> {
		self.top.values.get(key).cloned()
	}

	fn storage_hash(&mut self, key: &[u8]) -> Option<Vec<u8>> {
		self.top.values.get(key).map(|v| sp_io::hashing::blake2_256(v).to_vec())
	}

	fn child_storage_hash(&mut self, child_info: &ChildInfo, key: &[u8]) -> Option<Vec<u8>> {
		self.child_storage(child_info, key).map(|v| sp_io::hashing::blake2_256(&v).to_vec())
	}

	fn child_storage(&mut self, child_info: &ChildInfo, key: &[u8]) -> Option<Vec<u8>> {
		self.children.get(child_info.storage_key())?.values.get(key).cloned()
	}

	fn next_storage_key(&mut self, key: &[u8]) -> Option<Vec<u8>> {
		self.top.next_key(key)
	}

	fn next_child_storage_key(&mut self, child_info: &ChildInfo, key: &[u8]) -> Option<Vec<u8>> {
		self.children.get(child_info.storage_key())?.next_key(key)
	}

	fn kill_child_storage(
		&mut self,
		child_info: &ChildInfo,
		maybe_limit: Option<u32>,
		maybe_cursor: Option<&[u8]>,
	) -> MultiRemovalResults {
		self.remove_under(Some(child_info.storage_key()), &[], maybe_limit, maybe_cursor)
	}

	fn clear_prefix(
		&mut self,
		prefix: &[u8],
		maybe_limit: Option<u32>,
		maybe_cursor: Option<&[u8]>,
	) -> MultiRemovalResults {
		// As every externalities do: child tries are not cleared through the top storage.
		if is_child_storage_key(prefix) {
			let maybe_cursor = Some(prefix.to_vec());
			return MultiRemovalResults { maybe_cursor, backend: 0, unique: 0, loops: 0 };
		}
		self.remove_under(None, prefix, maybe_limit, maybe_cursor)
	}

	fn clear_child_prefix(
		&mut self,
		child_info: &ChildInfo,
		prefix: &[u8],
		maybe_limit: Option<u32>,
		maybe_cursor: Option<&[u8]>,
	) -> MultiRemovalResults {
		self.remove_under(Some(child_info.storage_key()), prefix, maybe_limit, maybe_cursor)
	}

	fn place_storage(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) {
		if !is_child_storage_key(&key) {
			self.put(None, key, value);
		}
	}

	fn place_child_storage(
		&mut self,
		child_info: &ChildInfo,
		key: Vec<u8>,
		value: Option<Vec<u8>>,
	) {
		self.put(Some(child_info.storage_key()), key, value);
	}

	fn storage_root(&mut self, state_version: StateVersion) -> Vec<u8> {
		BasicExternalities::new(self.to_storage()).storage_root(state_version)
	}

	fn child_storage_root(
		&mut self,
		child_info: &ChildInfo,
		state_version: StateVersion,
	) -> Vec<u8> {
		BasicExternalities::new(self.to_storage()).child_storage_root(child_info, state_version)
	}

	/// Appends in place: events and other lists grow by an element without being copied.
	fn storage_append(&mut self, key: Vec<u8>, element: Vec<u8>) {
		let listed = self.top.values.get_mut(&key).and_then(|value| {
			let len = Compact::<u32>::decode(&mut &value[..]).ok()?.0;
			let size = value.len();
			let prefix = Compact::<u32>::compact_len(&len);
			let grown = Compact(len.checked_add(1)?).encode();
			value.splice(..prefix, grown);
			value.extend_from_slice(&element);
			Some((len, size))
		});
		match listed {
			Some((len, size)) => self.log(Undo::Append { key, len, size }),
			// Not a list (or none yet): the value becomes the one-element list.
			None => {
				let mut list = Compact(1u32).encode();
				list.extend_from_slice(&element);
				self.put(None, key, Some(list));
			}
		}
	}

	fn storage_start_transaction(&mut self) {
		self.layers.push(Vec::new());
	}

	fn storage_rollback_transaction(&mut self) -> Result<(), ()> {
		let layer = self.layers.pop().ok_or(())?;
		for undo in layer.into_iter().rev() {
			self.undo(undo);
		}
		Ok(())
	}

	fn storage_commit_transaction(&mut self) -> Result<(), ()> {
		let layer = self.layers.pop().ok_or(())?;
		// The enclosing transaction, if any, can still undo what this one did.
		if let Some(outer) = self.layers.last_mut() {
			outer.extend(layer);
		}
		Ok(())
	}

	fn wipe(&mut self) {}

	fn commit(&mut self) {}

	fn read_write_count(&self) -> (u32, u32, u32, u32) {
		(0, 0, 0, 0)
	}

	fn reset_read_write_count(&mut self) {}

	fn get_whitelist(&self) -> Vec<TrackedStorageKey> {
		Vec::new()
	}

	fn set_whitelist(&mut self, _: Vec<TrackedStorageKey>) {}

	fn get_read_and_written_keys(&self) -> Vec<(Vec<u8>, u32, u32, bool)> {
		Vec::new()
	}
}

impl ExtensionStore for SimStorage {
	fn extension_by_type_id(&mut self, type_id: TypeId) -> Option<&mut dyn Any> {
		self.extensions.get_mut(type_id)
	}

	fn register_extension_with_type_id(
		&mut self,
		type_id: TypeId,
		extension: Box<dyn Extension>,
	) -> Result<(), sp_externalities::Error> {
		self.extensions.register_with_type_id(type_id, extension)
	}

	fn deregister_extension_by_type_id(
		&mut self,
		type_id: TypeId,
	) -> Result<(), sp_externalities::Error> {
		if self.extensions.deregister(type_id) {
			Ok(())
		} else {
			Err(sp_externalities::Error::ExtensionIsNotRegistered(type_id))
		}
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use sp_core::storage::well_known_keys::CODE;

	fn get(s: &mut SimStorage, key: &[u8]) -> Option<Vec<u8>> {
		s.storage(key)
	}

	#[test]
	fn a_rolled_back_transaction_leaves_nothing_and_a_committed_one_stays() {
		let mut s = SimStorage::default();
		s.set_storage(b"a".to_vec(), b"1".to_vec());
		s.storage_start_transaction();
		s.set_storage(b"a".to_vec(), b"2".to_vec());
		s.set_storage(b"b".to_vec(), b"3".to_vec());
		s.storage_start_transaction();
		s.clear_storage(b"a");
		s.storage_append(b"l".to_vec(), 7u8.encode());
		assert_eq!(s.storage_commit_transaction(), Ok(()));
		assert_eq!(get(&mut s, b"a"), None);
		assert_eq!(get(&mut s, b"l"), Some(vec![7u8].encode()));
		assert_eq!(s.storage_rollback_transaction(), Ok(()));
		assert_eq!(get(&mut s, b"a"), Some(b"1".to_vec()));
		assert_eq!(get(&mut s, b"b"), None);
		assert_eq!(get(&mut s, b"l"), None);
		assert_eq!(s.next_storage_key(b""), Some(b"a".to_vec()));
		assert_eq!(s.next_storage_key(b"a"), None);
		assert_eq!(s.storage_commit_transaction(), Err(()));
	}

	#[test]
	fn appends_grow_the_list_and_roll_back_to_it() {
		let mut s = SimStorage::default();
		// 63 elements encode their length in one byte, 64 in two: both sides of the change.
		let list: Vec<u16> = (0..63).collect();
		s.set_storage(b"l".to_vec(), list.encode());
		s.storage_start_transaction();
		s.storage_append(b"l".to_vec(), 63u16.encode());
		s.storage_append(b"l".to_vec(), 64u16.encode());
		let grown: Vec<u16> = (0..65).collect();
		assert_eq!(get(&mut s, b"l"), Some(grown.encode()));
		assert_eq!(s.storage_rollback_transaction(), Ok(()));
		assert_eq!(get(&mut s, b"l"), Some(list.encode()));
		// A value that is no list becomes a list of the element.
		s.set_storage(b"x".to_vec(), vec![0xff]);
		s.storage_append(b"x".to_vec(), 5u16.encode());
		assert_eq!(get(&mut s, b"x"), Some(vec![5u16].encode()));
	}

	#[test]
	fn prefix_removal_honours_limit_and_cursor() {
		let mut s = SimStorage::default();
		for k in [&b"pa"[..], b"pb", b"pc", b"q"] {
			s.set_storage(k.to_vec(), vec![1]);
		}
		let first = s.clear_prefix(b"p", Some(2), None);
		assert_eq!((first.unique, first.maybe_cursor.clone()), (2, Some(b"pc".to_vec())));
		let rest = s.clear_prefix(b"p", Some(2), first.maybe_cursor.as_deref());
		assert_eq!((rest.unique, rest.maybe_cursor), (1, None));
		assert_eq!(s.next_storage_key(b""), Some(b"q".to_vec()));
	}

	#[test]
	fn the_state_root_is_the_basic_externalities_one() {
		let mut s = SimStorage::default();
		let mut basic = BasicExternalities::new_empty();
		for (k, v) in [(CODE, &b"wasm"[..]), (b"doe", b"reindeer"), (b"dog", b"puppy")] {
			s.set_storage(k.to_vec(), v.to_vec());
			basic.set_storage(k.to_vec(), v.to_vec());
		}
		assert_eq!(s.storage_root(StateVersion::V1), basic.storage_root(StateVersion::V1));
	}
}

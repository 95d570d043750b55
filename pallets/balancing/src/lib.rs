//! # Balancing pallet: keeping each zone's supply and demand in balance
//!
//! The design is in `docs/balancing.md`. Built so far: [`dispatch`], the rule that decides
//! which storage units charge or discharge how much to cover a zone's forecast imbalance. The
//! FRAME pallet around it (unit registry, the per-interval hook, demand response,
//! emergencies and circuit breakers) follows.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub mod dispatch;

//! Given these events, when this command by this principal, then these events or this
//! error — for every rule of DESIGN.md §1.

mod fixtures;
mod harness;

mod access;
mod award;
mod fields;
mod invariants;
mod list_pilot;
mod permissions;
mod quota;
mod recommend;
mod review;
mod revoke_pilot;
mod supervision;

//! Release archives for terraform-provider-r53 and r53-migrate, in the shape Terraform's registry
//! protocol and provider mirrors expect: one zip per platform holding `terraform-provider-r53_vX`,
//! `…_SHA256SUMS` with a detached GPG signature, `…_manifest.json`, a filesystem-mirror tree and a
//! network-mirror tree whose `h1:`/`zh:` hashes are computed here — not taken from Terraform — and
//! a static tree speaking the provider registry protocol.
//!
//! Layers point one way: `names` (file names, validated inputs) ← `archive` (deterministic bytes)
//! ← `hash` ← `mirror` / `registry` / `sign` ← `dist` (the two steps, `package` and `finish`, and `verify`).

pub mod archive;
pub mod dist;
pub mod error;
pub mod files;
pub mod hash;
pub mod mirror;
pub mod names;
pub mod registry;
pub mod sign;

pub use error::Error;

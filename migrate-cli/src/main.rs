//! `r53-migrate`: imports zones from other DNS hosts into Route 53 and cuts name servers over safely.
//! The commands arrive with the migration issues; this binary already validates its arguments.

use clap::Parser;

/// Import zones from other DNS hosts into Route 53, and cut the delegation over safely.
#[derive(Parser, Debug)]
#[command(name = "r53-migrate", version, about, long_about = None)]
struct Cli {}

fn main() {
    let _cli = Cli::parse();
    eprintln!("r53-migrate: no commands yet (zone import and NS cutover are coming); see --help");
    std::process::exit(2);
}

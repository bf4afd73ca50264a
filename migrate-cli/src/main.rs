//! `r53-migrate`: the command; everything it does lives in the library (also used by the fuzz targets).

fn main() -> std::process::ExitCode {
    r53_migrate::run_cli()
}

//! Ctrl-C and the API call every command makes: one process-wide token, so a command's in-flight
//! calls stop together and its journal or state file stays for `--resume`.

use std::sync::OnceLock;
use std::time::Duration;

use r53_core::route53::Call;
use tokio_util::sync::CancellationToken;

/// Cancelled on the first Ctrl-C. The signal listener starts with the first use (it needs a
/// running tokio runtime).
pub fn token() -> &'static CancellationToken {
    static T: OnceLock<CancellationToken> = OnceLock::new();
    T.get_or_init(|| {
        let t = CancellationToken::new();
        let t2 = t.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                eprintln!("r53-migrate: interrupted; stopping after the current call");
                t2.cancel();
            }
        });
        t
    })
}

/// An API call bounded by `timeout` and stopped by Ctrl-C.
pub fn call(timeout: Duration) -> Call {
    Call::new(timeout, token().clone())
}

//! A web server on a loopback port for health checks to probe, one a test (or `make demo`) can
//! stop, start again on the same port, or make fail with 503 — the "endpoint that goes down" of a
//! failover.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Request heads larger than this are answered without reading more.
const MAX_HEAD_BYTES: usize = 16 * 1024;
/// How long a connection may take to send its request head.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

struct Shared {
    body: String,
    failing: AtomicBool,
    requests: AtomicU64,
}

struct Running {
    stop: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

/// An HTTP/1.1 server on `127.0.0.1:port` answering every request `200` with its body (or `503`
/// while failing), until stopped.
pub struct Endpoint {
    pub port: u16,
    shared: Arc<Shared>,
    running: Mutex<Option<Running>>,
}

impl Endpoint {
    /// Starts serving `body` on a free loopback port.
    pub fn start(body: &str) -> anyhow::Result<Endpoint> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let e = Endpoint {
            port,
            shared: Arc::new(Shared {
                body: body.to_string(),
                failing: AtomicBool::new(false),
                requests: AtomicU64::new(0),
            }),
            running: Mutex::new(None),
        };
        e.serve(listener);
        Ok(e)
    }

    fn serve(&self, listener: TcpListener) {
        let stop = Arc::new(AtomicBool::new(false));
        let (s, shared) = (stop.clone(), self.shared.clone());
        let thread = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if s.load(Ordering::SeqCst) {
                    break;
                }
                if let Ok(c) = conn {
                    let shared = shared.clone();
                    std::thread::spawn(move || answer(c, &shared));
                }
            }
        });
        *self.running.lock().unwrap() = Some(Running { stop, thread });
    }

    /// Stops listening: connections are refused until [`Endpoint::resume`].
    pub fn stop(&self) {
        if let Some(r) = self.running.lock().unwrap().take() {
            r.stop.store(true, Ordering::SeqCst);
            // Wake the accept loop so it sees the flag and drops the listener.
            let _ = TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], self.port)));
            let _ = r.thread.join();
        }
    }

    /// Listens on the same port again (std sets SO_REUSEADDR, so closed connections in
    /// TIME_WAIT do not stand in the way).
    pub fn resume(&self) -> anyhow::Result<()> {
        if self.running.lock().unwrap().is_some() {
            return Ok(());
        }
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], self.port)))?;
        self.serve(listener);
        Ok(())
    }

    /// Answers 503 (still listening) while `failing`.
    pub fn set_failing(&self, failing: bool) {
        self.shared.failing.store(failing, Ordering::SeqCst);
    }

    /// How many requests it has answered.
    pub fn requests(&self) -> u64 {
        self.shared.requests.load(Ordering::SeqCst)
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.stop();
    }
}

fn answer(mut c: TcpStream, shared: &Shared) {
    let _ = c.set_read_timeout(Some(READ_TIMEOUT));
    let mut head = Vec::new();
    let mut buf = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < MAX_HEAD_BYTES {
        match c.read(&mut buf) {
            Ok(0) | Err(_) => return,
            Ok(n) => head.extend_from_slice(buf.get(..n).unwrap_or_default()),
        }
    }
    shared.requests.fetch_add(1, Ordering::SeqCst);
    let (status, body) = if shared.failing.load(Ordering::SeqCst) {
        ("503 Service Unavailable", "failing\n")
    } else {
        ("200 OK", shared.body.as_str())
    };
    let _ = write!(
        c,
        "HTTP/1.1 {status}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn get(port: u16) -> std::io::Result<String> {
        let mut c = TcpStream::connect(SocketAddr::from(([127, 0, 0, 1], port)))?;
        c.write_all(b"GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n")?;
        let mut s = String::new();
        c.read_to_string(&mut s)?;
        Ok(s)
    }

    #[test]
    fn serves_fails_stops_and_resumes_on_its_port() {
        let e = Endpoint::start("ok primary\n").unwrap();
        let r = get(e.port).unwrap();
        assert!(
            r.starts_with("HTTP/1.1 200 OK") && r.ends_with("ok primary\n"),
            "{r}"
        );
        e.set_failing(true);
        assert!(get(e.port).unwrap().starts_with("HTTP/1.1 503"));
        e.set_failing(false);
        e.stop();
        let refused = get(e.port).unwrap_err();
        assert_eq!(refused.kind(), std::io::ErrorKind::ConnectionRefused);
        e.resume().unwrap();
        assert!(get(e.port).unwrap().starts_with("HTTP/1.1 200 OK"));
        assert_eq!(e.requests(), 3);
    }
}

//! moto server as the AWS emulator, on a free loopback port, killed when dropped.

use std::process::Stdio;
use std::time::{Duration, Instant};

use tokio::process::{Child, Command};

pub struct Moto {
    pub port: u16,
    child: Child,
}

impl Moto {
    pub async fn start() -> anyhow::Result<Moto> {
        let bin = crate::tools::moto_server()?;
        let port = free_port()?;
        let child = Command::new(bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        let m = Moto { port, child };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Ok(m);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        anyhow::bail!("moto_server did not listen on port {port} within 30 s")
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.id()
    }
}

pub fn free_port() -> anyhow::Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

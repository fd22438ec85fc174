//! Running `trailview-proxy --demo` in the background for the end-to-end tests.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util::{note, Failure, Result};

/// A port that was free a moment ago (bind 127.0.0.1:0, read the port, release it).
pub fn free_port() -> Result<u16> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .map_err(|e| Failure::new(format!("cannot bind 127.0.0.1:0 to pick a port: {e}"), ""))
}

/// Fails early (before minutes of building) when `port` is taken.
pub fn check_port_free(port: u16) -> Result<()> {
    TcpListener::bind((Ipv4Addr::LOCALHOST, port))
        .map(drop)
        .map_err(|e| {
            Failure::new(
                format!("port {port} on 127.0.0.1 is not available: {e}"),
                format!(
                    "stop whatever listens there or pick another port: `cargo xtask demo --port {}`",
                    port.wrapping_add(1).max(1024)
                ),
            )
        })
}

/// Status code of `GET path` on 127.0.0.1:port, if the server answered at all.
pub fn http_status(port: u16, path: &str) -> Option<u16> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(2)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    let mut head = [0u8; 64];
    let mut n = 0;
    while n < 12 {
        match stream.read(&mut head[n..]) {
            Ok(0) | Err(_) => break,
            Ok(k) => n += k,
        }
    }
    let line = String::from_utf8_lossy(&head[..n]);
    line.strip_prefix("HTTP/1.")?.get(2..5)?.parse().ok()
}

/// Kills the server when dropped (also when a stage fails or panics).
pub struct ServerGuard {
    child: Child,
    pub port: u16,
    log: PathBuf,
}

impl ServerGuard {
    pub fn start(mut cmd: Command, port: u16, log: &Path) -> Result<ServerGuard> {
        if let Some(dir) = log.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        let out = std::fs::File::create(log)
            .map_err(|e| Failure::new(format!("cannot create {}: {e}", log.display()), ""))?;
        let err = out
            .try_clone()
            .map_err(|e| Failure::new(format!("cannot dup log file: {e}"), ""))?;
        let shown = crate::util::display(&cmd);
        note(format!("$ {shown} > {}", log.display()));
        let child = cmd
            .stdin(Stdio::null())
            .stdout(out)
            .stderr(err)
            .spawn()
            .map_err(|e| Failure::new(format!("could not start `{shown}`: {e}"), ""))?;
        Ok(ServerGuard {
            child,
            port,
            log: log.to_path_buf(),
        })
    }

    /// Waits until `GET /healthz` answers 200, the process exits, or `timeout` passes.
    pub fn wait_healthy(&mut self, timeout: Duration) -> Result<()> {
        let started = Instant::now();
        loop {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Err(Failure::new(
                    format!(
                        "the server exited before becoming healthy ({status}); its log:\n{}",
                        self.log_tail(40)
                    ),
                    "run the same command by hand to see why",
                ));
            }
            match http_status(self.port, "/healthz") {
                Some(200) => {
                    note(format!(
                        "server healthy on port {} after {}",
                        self.port,
                        crate::util::human(started.elapsed())
                    ));
                    return Ok(());
                }
                other if started.elapsed() > timeout => {
                    return Err(Failure::new(
                        format!(
                            "GET /healthz on port {} did not return 200 within {}s (last: {other:?}); server log:\n{}",
                            self.port,
                            timeout.as_secs(),
                            self.log_tail(40)
                        ),
                        "the proxy must answer 200 on /healthz",
                    ));
                }
                _ => std::thread::sleep(Duration::from_millis(200)),
            }
        }
    }

    /// Last `n` lines of the server log.
    pub fn log_tail(&self, n: usize) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        let tail = lines[lines.len().saturating_sub(n)..].join("\n    ");
        format!("    {tail}")
    }
}

impl Drop for ServerGuard {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_port_is_bindable() {
        let port = free_port().unwrap();
        assert!(port > 0);
        check_port_free(port).unwrap();
        let held = TcpListener::bind((Ipv4Addr::LOCALHOST, port)).unwrap();
        let err = check_port_free(port).unwrap_err();
        assert!(err.what.contains(&port.to_string()), "{}", err.what);
        drop(held);
    }

    #[test]
    fn reads_http_status() {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = std::thread::spawn(move || {
            for code in ["200 OK", "503 Service Unavailable"] {
                let (mut s, _) = listener.accept().unwrap();
                // Read the whole request, or closing with unread data would reset the connection.
                let mut req = Vec::new();
                let mut buf = [0u8; 512];
                while !req.ends_with(b"\r\n\r\n") {
                    match s.read(&mut buf) {
                        Ok(0) | Err(_) => break,
                        Ok(n) => req.extend_from_slice(&buf[..n]),
                    }
                }
                write!(s, "HTTP/1.1 {code}\r\ncontent-length: 0\r\n\r\n").unwrap();
            }
        });
        assert_eq!(http_status(port, "/healthz"), Some(200));
        assert_eq!(http_status(port, "/healthz"), Some(503));
        server.join().unwrap();
        assert_eq!(http_status(port, "/healthz"), None);
    }

    #[test]
    fn guard_kills_and_reports_early_exit() {
        let dir = std::env::temp_dir().join(format!("xtask-guard-{}", std::process::id()));
        let log = dir.join("server.log");
        // A "server" that never listens: the guard must notice it exited.
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "echo boom; exit 3"]);
        let mut guard = ServerGuard::start(cmd, free_port().unwrap(), &log).unwrap();
        let err = guard.wait_healthy(Duration::from_secs(10)).unwrap_err();
        assert!(err.what.contains("exited"), "{}", err.what);
        assert!(err.what.contains("boom"), "{}", err.what);
        drop(guard);
        // A long-running one is killed on drop.
        let mut cmd = Command::new("sleep");
        cmd.arg("600");
        let guard = ServerGuard::start(cmd, free_port().unwrap(), &log).unwrap();
        let pid = guard.child.id();
        drop(guard);
        assert!(!Path::new(&format!("/proc/{pid}")).exists());
        let _ = std::fs::remove_dir_all(dir);
    }
}

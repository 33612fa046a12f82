//! nginx for the load test of tests/deploy.rs: started on 127.0.0.1 with a config of its own in
//! a temporary folder, stopped when dropped; and a minimal HTTP/1.1 client.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Debian's nginx, or `None` (the test is skipped with a note, and fails under CI).
pub fn nginx_binary() -> Option<PathBuf> {
    let found = ["/usr/sbin/nginx", "/usr/bin/nginx", "/usr/local/sbin/nginx"]
        .iter()
        .map(PathBuf::from)
        .find(|p| p.is_file());
    if found.is_none() {
        let note = "the nginx load test needs nginx (apt-get install nginx-light; .ci/run installs it)";
        assert!(std::env::var_os("CI").is_none(), "CI is set but {note}");
        eprintln!("note: skipped: {note}");
    }
    found
}

/// nginx serving `root` on 127.0.0.1 with a config of its own in `dir`; stopped when dropped.
pub struct Nginx {
    binary: PathBuf,
    dir: PathBuf,
    child: Child,
    pub port: u16,
}

impl Nginx {
    pub fn start(binary: &Path, dir: &Path, root: &Path) -> Nginx {
        std::fs::create_dir_all(dir).unwrap();
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        // Run as root (CI), nginx would hand requests to `nobody`, who cannot enter the test's
        // private temporary folder.
        let as_root = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata("/proc/self").unwrap()) == 0;
        let d = dir.display();
        let config = format!(
            "{user}daemon off;\nmaster_process on;\nworker_processes 2;\npid {d}/nginx.pid;\nerror_log {d}/error.log;\n\
             events {{ worker_connections 256; }}\n\
             http {{\n  access_log off;\n  client_body_temp_path {d}/body;\n  proxy_temp_path {d}/proxy;\n  \
             fastcgi_temp_path {d}/fastcgi;\n  uwsgi_temp_path {d}/uwsgi;\n  scgi_temp_path {d}/scgi;\n  \
             server {{\n    listen 127.0.0.1:{port};\n    root {root};\n    disable_symlinks off;\n    \
             location / {{ try_files $uri $uri/ =404; }}\n  }}\n}}\n",
            user = if as_root { "user root;\n" } else { "" },
            root = root.display(),
        );
        std::fs::write(dir.join("nginx.conf"), config).unwrap();
        let child = Command::new(binary)
            .arg("-p")
            .arg(dir)
            .arg("-e")
            .arg(dir.join("error.log"))
            .arg("-c")
            .arg(dir.join("nginx.conf"))
            .stdin(Stdio::null())
            .spawn()
            .expect("start nginx");
        let mut nginx = Nginx {
            binary: binary.to_path_buf(),
            dir: dir.to_path_buf(),
            child,
            port,
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            let log = std::fs::read_to_string(dir.join("error.log")).unwrap_or_default();
            assert!(nginx.child.try_wait().unwrap().is_none(), "nginx exited:\n{log}");
            assert!(Instant::now() < deadline, "nginx did not listen on {port}:\n{log}");
            std::thread::sleep(Duration::from_millis(50));
        }
        nginx
    }
}

impl Drop for Nginx {
    fn drop(&mut self) {
        // `-s stop` signals the master by its pid file, and the master stops its workers.
        let stopped = Command::new(&self.binary)
            .arg("-p")
            .arg(&self.dir)
            .arg("-e")
            .arg(self.dir.join("error.log"))
            .arg("-c")
            .arg(self.dir.join("nginx.conf"))
            .args(["-s", "stop"])
            .status()
            .is_ok_and(|s| s.success());
        if !stopped {
            let _ = self.child.kill();
        }
        let _ = self.child.wait();
    }
}

/// One GET with `Connection: close`: the status and the body, or what went wrong.
pub fn get(port: u16, path: &str) -> Result<(u16, Vec<u8>), String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(30))).map_err(|e| e.to_string())?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").map_err(|e| format!("send: {e}"))?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response).map_err(|e| format!("read: {e}"))?;
    let split = response.windows(4).position(|w| w == b"\r\n\r\n").ok_or("no end of headers")?;
    let head = String::from_utf8_lossy(&response[..split]).into_owned();
    let body = response[split + 4..].to_vec();
    let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).ok_or("no status")?;
    let length = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string()))
        .and_then(|v| v.parse::<usize>().ok())
        .ok_or_else(|| format!("no Content-Length in {head:?}"))?;
    if length != body.len() {
        return Err(format!("{path}: Content-Length {length} but {} bytes", body.len()));
    }
    Ok((status, body))
}

//! A FAKE HTTP server on loopback, for URL sources: the real hosts (GitHub releases, AWS's index)
//! are not reachable from this project's machines. It serves files and injects faults, counts the
//! requests it answers, and can act as a CONNECT proxy that counts tunnels.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// What the server does for one path.
#[derive(Clone, Debug)]
pub enum Behavior {
    /// 200 with these bytes.
    Serve(Vec<u8>),
    /// This status, empty body.
    Status(u16),
    /// Announces the full length, sends half, closes.
    Truncate(Vec<u8>),
    /// Sends half, then stalls for this long before closing.
    Stall(Vec<u8>, Duration),
    /// Sends half, then resets the connection (RST).
    Reset(Vec<u8>),
    /// 302 to this path.
    Redirect(String),
}

/// The fake server. Dropping it leaves its thread parked on `accept`, harmlessly, until the test
/// process ends.
pub struct FakeHttpServer {
    port: u16,
    routes: Arc<Mutex<HashMap<String, Behavior>>>,
    requests: Arc<Mutex<HashMap<String, usize>>>,
    tunnels: Arc<AtomicUsize>,
}

impl FakeHttpServer {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let server = Self { port, routes: Arc::default(), requests: Arc::default(), tunnels: Arc::default() };
        let (routes, requests, tunnels) = (server.routes.clone(), server.requests.clone(), server.tunnels.clone());
        thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (routes, requests, tunnels) = (routes.clone(), requests.clone(), tunnels.clone());
                thread::spawn(move || handle(stream, &routes, &requests, &tunnels));
            }
        });
        server
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn address(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn set(&self, path: &str, behavior: Behavior) {
        self.routes.lock().unwrap().insert(path.to_owned(), behavior);
    }

    /// GET requests answered for `path`.
    pub fn requests(&self, path: &str) -> usize {
        self.requests.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    /// CONNECT tunnels opened through this server acting as a proxy.
    pub fn tunnels(&self) -> usize {
        self.tunnels.load(Ordering::SeqCst)
    }
}

fn handle(
    stream: TcpStream,
    routes: &Mutex<HashMap<String, Behavior>>,
    requests: &Mutex<HashMap<String, usize>>,
    tunnels: &AtomicUsize,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let (method, target) = (parts.next().unwrap_or(""), parts.next().unwrap_or("").to_owned());
    if method == "CONNECT" {
        tunnels.fetch_add(1, Ordering::SeqCst);
        return tunnel(stream, reader, &target);
    }
    // A proxied plain-HTTP request carries an absolute URL.
    let path = match target.find("://") {
        Some(i) => target[i + 3..].find('/').map_or("/".to_owned(), |j| target[i + 3 + j..].to_owned()),
        None => target,
    };
    *requests.lock().unwrap().entry(path.clone()).or_default() += 1;
    let behavior = routes.lock().unwrap().get(&path).cloned().unwrap_or(Behavior::Status(404));
    let mut stream = stream;
    let head = |status: &str, length: usize| {
        format!("HTTP/1.1 {status}\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n")
    };
    match behavior {
        Behavior::Serve(body) => {
            let _ = stream.write_all(head("200 OK", body.len()).as_bytes());
            let _ = stream.write_all(&body);
        }
        Behavior::Status(code) => {
            let _ = stream.write_all(head(&format!("{code} Fault"), 0).as_bytes());
        }
        Behavior::Truncate(body) => {
            let _ = stream.write_all(head("200 OK", body.len()).as_bytes());
            let _ = stream.write_all(&body[..body.len() / 2]);
        }
        Behavior::Stall(body, pause) => {
            let _ = stream.write_all(head("200 OK", body.len()).as_bytes());
            let _ = stream.write_all(&body[..body.len() / 2]);
            let _ = stream.flush();
            thread::sleep(pause);
        }
        Behavior::Reset(body) => {
            let _ = stream.write_all(head("200 OK", body.len()).as_bytes());
            let _ = stream.write_all(&body[..body.len() / 2]);
            let _ = stream.flush();
            // SO_LINGER 0 makes close send RST instead of FIN.
            let _ = socket2::SockRef::from(&stream).set_linger(Some(Duration::ZERO));
        }
        Behavior::Redirect(location) => {
            let _ = stream.write_all(
                format!("HTTP/1.1 302 Found\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                    .as_bytes(),
            );
        }
    }
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Write);
}

/// Pipes a CONNECT tunnel to its target (which, in these tests, is this same server).
fn tunnel(mut client: TcpStream, reader: BufReader<TcpStream>, target: &str) {
    let Ok(upstream) = TcpStream::connect(target) else {
        let _ = client.write_all(b"HTTP/1.1 502 Bad Gateway\r\n\r\n");
        return;
    };
    let _ = client.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n");
    let buffered = reader.buffer().to_vec();
    let mut up_writer = upstream.try_clone().unwrap();
    let _ = up_writer.write_all(&buffered);
    let mut client_reader = client.try_clone().unwrap();
    let upward = thread::spawn(move || {
        let _ = std::io::copy(&mut client_reader, &mut up_writer);
        let _ = up_writer.shutdown(Shutdown::Write);
    });
    let mut down_reader = upstream;
    let _ = std::io::copy(&mut down_reader, &mut client);
    let _ = client.shutdown(Shutdown::Write);
    let _ = upward.join();
}

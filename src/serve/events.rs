//! Server-Sent Events to every open browser tab: one thread for all of them, a bounded number of
//! streams, dead streams dropped on the next write.

use std::io::Write;
use std::sync::Mutex;

/// Most event streams kept open; a newer tab replaces the oldest.
const MAX_STREAMS: usize = 64;

/// The open event streams.
#[derive(Default)]
pub struct Broadcaster {
    streams: Mutex<Vec<Stream>>,
}

/// One open tab: its connection and the site file it shows.
struct Stream {
    writer: Box<dyn Write + Send>,
    watching: Option<String>,
}

/// Formats one event.
pub fn event(name: &str, data: &serde_json::Value) -> String {
    format!("event: {name}\ndata: {data}\n\n")
}

impl Broadcaster {
    /// Takes over a request's connection as an event stream, greeting it with `first`.
    pub fn add(&self, mut stream: Box<dyn Write + Send>, watching: Option<String>, first: &str) {
        let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\nConnection: close\r\n\r\nretry: 500\n\n";
        if stream
            .write_all(head.as_bytes())
            .and_then(|_| stream.write_all(first.as_bytes()))
            .and_then(|_| stream.flush())
            .is_err()
        {
            return;
        }
        let mut streams = self.streams.lock().unwrap_or_else(|p| p.into_inner());
        if streams.len() >= MAX_STREAMS {
            // tiny_http keeps the connection open after its writer is dropped, so the oldest tab is
            // told to close its stream itself (live.js does); its connection thread then ends.
            let mut oldest = streams.remove(0);
            let _ = oldest
                .writer
                .write_all(b"event: close\ndata: {}\n\n")
                .and_then(|_| oldest.writer.flush());
        }
        streams.push(Stream { writer: stream, watching });
    }

    /// Sends `message` to every stream, dropping those that fail.
    pub fn send(&self, message: &str) {
        let mut streams = self.streams.lock().unwrap_or_else(|p| p.into_inner());
        streams.retain_mut(|stream| {
            stream
                .writer
                .write_all(message.as_bytes())
                .and_then(|_| stream.writer.flush())
                .is_ok()
        });
    }

    /// The site files open tabs show, each once.
    pub fn watched(&self) -> Vec<String> {
        let streams = self.streams.lock().unwrap_or_else(|p| p.into_inner());
        let mut paths: Vec<String> = streams.iter().filter_map(|s| s.watching.clone()).collect();
        paths.sort();
        paths.dedup();
        paths
    }
}

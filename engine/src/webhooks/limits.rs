//! What one client may cost the webhook receiver: connections, idle time, and events per signature.
//!
//! * [`LimitedListener`] accepts at most `max_connections` connections at a time (the next waits
//!   in the kernel's backlog) and closes a connection that neither reads nor writes for
//!   `idle_timeout`, so slow or idle clients can neither exhaust file descriptors nor hang a
//!   shutdown (axum's graceful shutdown waits for open connections).
//! * [`SignatureBudget`]: JustCall signs the URL, the event type and the timestamp, not the body,
//!   so one observed signature admits any body until its timestamp leaves the window. The budget
//!   caps the events accepted under one signature (a real burst shares a signature only within one
//!   second and one event type).

use std::collections::HashMap;
use std::future::Future as _;
use std::io;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::Sleep;

/// A TCP listener that bounds open connections and closes idle ones.
pub struct LimitedListener {
    inner: TcpListener,
    permits: Arc<Semaphore>,
    idle_timeout: Duration,
}

impl LimitedListener {
    pub fn new(inner: TcpListener, max_connections: usize, idle_timeout: Duration) -> Self {
        LimitedListener {
            inner,
            permits: Arc::new(Semaphore::new(max_connections.max(1))),
            idle_timeout,
        }
    }
}

impl axum::serve::Listener for LimitedListener {
    type Io = LimitedStream;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (LimitedStream, std::net::SocketAddr) {
        loop {
            let permit = self
                .permits
                .clone()
                .acquire_owned()
                .await
                .expect("the semaphore is never closed");
            match self.inner.accept().await {
                Ok((stream, addr)) => {
                    let _ = stream.set_nodelay(true);
                    return (
                        LimitedStream {
                            stream,
                            _permit: permit,
                            idle_timeout: self.idle_timeout,
                            deadline: Box::pin(tokio::time::sleep(self.idle_timeout)),
                        },
                        addr,
                    );
                }
                Err(e) => {
                    // EMFILE and friends: wait a little instead of spinning.
                    tracing::warn!("accepting a connection failed: {e}");
                    drop(permit);
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.inner.local_addr()
    }
}

/// A connection that holds one of the listener's permits and fails once idle for too long.
pub struct LimitedStream {
    stream: TcpStream,
    _permit: OwnedSemaphorePermit,
    idle_timeout: Duration,
    deadline: Pin<Box<Sleep>>,
}

impl LimitedStream {
    fn touch(&mut self) {
        let next = tokio::time::Instant::now() + self.idle_timeout;
        self.deadline.as_mut().reset(next);
    }

    fn idle(&mut self, cx: &mut Context<'_>) -> bool {
        self.deadline.as_mut().poll(cx).is_ready()
    }
}

fn timed_out() -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, "connection idle for too long")
}

impl AsyncRead for LimitedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        match Pin::new(&mut this.stream).poll_read(cx, buf) {
            Poll::Ready(r) => {
                this.touch();
                Poll::Ready(r)
            }
            Poll::Pending if this.idle(cx) => Poll::Ready(Err(timed_out())),
            Poll::Pending => Poll::Pending,
        }
    }
}

impl AsyncWrite for LimitedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        match Pin::new(&mut this.stream).poll_write(cx, buf) {
            Poll::Ready(r) => {
                this.touch();
                Poll::Ready(r)
            }
            Poll::Pending if this.idle(cx) => Poll::Ready(Err(timed_out())),
            Poll::Pending => Poll::Pending,
        }
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// Events accepted per signature while it is valid.
pub struct SignatureBudget {
    max_per_signature: usize,
    /// How long a signature stays valid (twice the timestamp window covers both sides of now).
    lifetime: Duration,
    seen: Mutex<HashMap<String, (usize, Instant)>>,
}

impl SignatureBudget {
    pub fn new(max_per_signature: usize, window: Duration) -> Self {
        SignatureBudget {
            max_per_signature: max_per_signature.max(1),
            lifetime: window * 2 + Duration::from_secs(60),
            seen: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request under `signature`; false when its budget is spent.
    pub fn admit(&self, signature: &str) -> bool {
        let now = Instant::now();
        let mut seen = self.seen.lock().unwrap_or_else(|e| e.into_inner());
        if seen.len() > 10_000 {
            let lifetime = self.lifetime;
            seen.retain(|_, (_, first)| now.duration_since(*first) < lifetime);
        }
        let entry = seen
            .entry(signature.trim().to_ascii_lowercase())
            .or_insert((0, now));
        if now.duration_since(entry.1) >= self.lifetime {
            *entry = (0, now);
        }
        if entry.0 >= self.max_per_signature {
            return false;
        }
        entry.0 += 1;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_signature_admits_its_budget_and_no_more() {
        let budget = SignatureBudget::new(3, Duration::from_secs(300));
        assert!((0..3).all(|_| budget.admit("ab")));
        assert!(!budget.admit("AB"), "the same signature in other case");
        assert!(budget.admit("cd"), "another signature has its own budget");
    }
}

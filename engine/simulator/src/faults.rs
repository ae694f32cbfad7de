//! Injected faults: what a real API does on a bad day, on demand and in order.
//!
//! Tests queue faults with [`super::SimHandle::inject`]; each authenticated request that passes
//! the rate limiter takes one unit of the fault at the head of the queue, until its count is
//! used up, then the next fault applies. Requests after the queue is empty are answered
//! normally.
//!
//! A dropped connection needs help from below HTTP: hyper will not send a response's headers
//! and then abandon its body on request. So the server accepts connections through
//! [`CutListener`], whose sockets can be armed by a handler (through axum's `ConnectInfo`) to let
//! the response's headers and part of its body through and then fail every write, which closes
//! the connection mid-body, as a flaky network or a crashing upstream would.

use std::collections::VecDeque;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// A fault to serve on the next `count` API requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Answer `status` (e.g. 500, 502, 503) with a JSON error body.
    ServerError { status: u16, count: u32 },
    /// Send 200 and the headers, then cut the connection part-way through the body.
    DropConnection { count: u32 },
    /// Wait `delay` before answering normally.
    Slow { delay: Duration, count: u32 },
    /// Answer 429 with rate headers (burst remaining 0, reset in 1 s) and `Retry-After: 1`.
    TooManyRequests { count: u32 },
    /// Answer a list request with its first page, whatever page was asked (a server that
    /// ignores `page`).
    RepeatFirstPage { count: u32 },
}

/// A record whose single-record endpoint (`GET /v2.1/calls/{id}`, `/texts/{id}`) misbehaves for
/// good, as a webhook's re-fetch may meet it: the processor must not let it hold up the rest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Poison {
    /// Answer 400 with an error message.
    BadRequest,
    /// Answer with another record of the same kind (this id).
    OtherRecord(i64),
    /// Answer 200 with a `data` that is neither an object nor an array.
    Undecodable,
}

/// Poisoned records by path (`/v2.1/calls`) and id.
#[derive(Default)]
pub(crate) struct Poisoned(Mutex<std::collections::HashMap<(&'static str, i64), Poison>>);

impl Poisoned {
    pub(crate) fn set(&self, path: &'static str, id: i64, poison: Poison) {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert((path, id), poison);
    }

    pub(crate) fn get(&self, path: &'static str, id: i64) -> Option<Poison> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&(path, id))
            .cloned()
    }
}

impl Fault {
    fn count_mut(&mut self) -> &mut u32 {
        match self {
            Fault::ServerError { count, .. }
            | Fault::DropConnection { count }
            | Fault::Slow { count, .. }
            | Fault::TooManyRequests { count }
            | Fault::RepeatFirstPage { count } => count,
        }
    }
}

/// One unit of a fault, as applied to one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Action {
    ServerError(u16),
    DropConnection,
    Slow(Duration),
    TooManyRequests,
    RepeatFirstPage,
}

/// The queue of injected faults.
#[derive(Default)]
pub(crate) struct FaultQueue(Mutex<VecDeque<Fault>>);

impl FaultQueue {
    pub(crate) fn push(&self, fault: Fault) {
        let mut fault = fault;
        if *fault.count_mut() > 0 {
            self.0
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push_back(fault);
        }
    }

    /// Takes one unit of the fault at the head of the queue, if any.
    pub(crate) fn next(&self) -> Option<Action> {
        let mut q = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let head = q.front_mut()?;
        let action = match head {
            Fault::ServerError { status, .. } => Action::ServerError(*status),
            Fault::DropConnection { .. } => Action::DropConnection,
            Fault::Slow { delay, .. } => Action::Slow(*delay),
            Fault::TooManyRequests { .. } => Action::TooManyRequests,
            Fault::RepeatFirstPage { .. } => Action::RepeatFirstPage,
        };
        let count = head.count_mut();
        *count -= 1;
        if *count == 0 {
            q.pop_front();
        }
        Some(action)
    }
}

/// The switch a handler uses to cut its own connection (`ConnectInfo<Cut>`).
#[derive(Clone, Debug, Default)]
pub(crate) struct Cut(Arc<AtomicUsize>);

impl Cut {
    /// Lets the next response's headers and `body_bytes` of its body through, then closes the
    /// connection.
    pub(crate) fn arm(&self, body_bytes: usize) {
        self.0
            .store(body_bytes.saturating_add(1), Ordering::Relaxed);
    }

    fn take(&self) -> Option<usize> {
        match self.0.swap(0, Ordering::Relaxed) {
            0 => None,
            n => Some(n - 1),
        }
    }
}

impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, CutListener>> for Cut {
    fn connect_info(stream: axum::serve::IncomingStream<'_, CutListener>) -> Self {
        stream.io().cut.clone()
    }
}

/// A TCP listener whose connections can be cut mid-response.
pub(crate) struct CutListener(pub(crate) TcpListener);

impl axum::serve::Listener for CutListener {
    type Io = CutStream;
    type Addr = std::net::SocketAddr;

    async fn accept(&mut self) -> (CutStream, std::net::SocketAddr) {
        loop {
            match self.0.accept().await {
                Ok((inner, addr)) => {
                    let _ = inner.set_nodelay(true);
                    return (
                        CutStream {
                            inner,
                            cut: Cut::default(),
                            progress: None,
                        },
                        addr,
                    );
                }
                Err(e) => {
                    tracing::debug!(error = %e, "JustCall simulator: accept failed");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<std::net::SocketAddr> {
        self.0.local_addr()
    }
}

/// How far an armed connection has got through the response it must cut.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Progress {
    /// Bytes of `\r\n\r\n` (end of the headers) matched so far; 4 = in the body.
    matched: u8,
    /// Body bytes still allowed through.
    budget: usize,
}

impl Progress {
    /// How many bytes of `buf` may still be written.
    fn allowance(mut self, buf: &[u8]) -> usize {
        let mut n = 0;
        for &b in buf {
            if !self.step(b) {
                break;
            }
            n += 1;
        }
        n
    }

    /// Accounts for one written byte; `false` if it may not be written.
    fn step(&mut self, b: u8) -> bool {
        if self.matched == 4 {
            if self.budget == 0 {
                return false;
            }
            self.budget -= 1;
        } else {
            let want = b"\r\n\r\n"[self.matched as usize];
            self.matched = if b == want {
                self.matched + 1
            } else if b == b'\r' {
                1
            } else {
                0
            };
        }
        true
    }
}

/// A TCP connection that a handler can arm to be cut (see [`Cut`]).
pub(crate) struct CutStream {
    inner: TcpStream,
    cut: Cut,
    progress: Option<Progress>,
}

impl AsyncRead for CutStream {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl AsyncWrite for CutStream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.progress.is_none() {
            this.progress = this
                .cut
                .take()
                .map(|budget| Progress { matched: 0, budget });
        }
        let Some(progress) = this.progress.as_mut() else {
            return Pin::new(&mut this.inner).poll_write(cx, buf);
        };
        let allowed = progress.allowance(buf);
        if allowed == 0 && !buf.is_empty() {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "connection dropped by an injected fault",
            )));
        }
        let written = std::task::ready!(Pin::new(&mut this.inner).poll_write(cx, &buf[..allowed]))?;
        for &b in &buf[..written] {
            progress.step(b);
        }
        Poll::Ready(Ok(written))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.progress.is_none() && this.cut.0.load(Ordering::Relaxed) == 0 {
            return Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        }
        let first = bufs
            .iter()
            .find(|b| !b.is_empty())
            .map_or(&[][..], |b| &b[..]);
        Pin::new(this).poll_write(cx, first)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_served_in_order_each_count_times() {
        let q = FaultQueue::default();
        q.push(Fault::TooManyRequests { count: 2 });
        q.push(Fault::ServerError {
            status: 503,
            count: 0,
        });
        q.push(Fault::ServerError {
            status: 500,
            count: 1,
        });
        q.push(Fault::Slow {
            delay: Duration::from_millis(5),
            count: 1,
        });
        q.push(Fault::DropConnection { count: 1 });
        let got: Vec<Option<Action>> = (0..6).map(|_| q.next()).collect();
        assert_eq!(
            got,
            vec![
                Some(Action::TooManyRequests),
                Some(Action::TooManyRequests),
                Some(Action::ServerError(500)),
                Some(Action::Slow(Duration::from_millis(5))),
                Some(Action::DropConnection),
                None,
            ]
        );
    }

    #[test]
    fn a_cut_lets_the_headers_and_part_of_the_body_through() {
        let response = b"HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n0123456789";
        let p = Progress {
            matched: 0,
            budget: 4,
        };
        let head = response.len() - 10;
        assert_eq!(p.allowance(response), head + 4);
        // Across writes: headers first, then the body.
        let mut p = Progress {
            matched: 0,
            budget: 4,
        };
        for &b in &response[..head - 2] {
            assert!(p.step(b));
        }
        assert_eq!(p.allowance(&response[head - 2..]), 2 + 4);
        let cut = Cut::default();
        assert_eq!(cut.take(), None);
        cut.arm(0);
        assert_eq!(cut.take(), Some(0));
        assert_eq!(cut.take(), None, "arming is for one response");
    }
}

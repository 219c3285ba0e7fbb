//! Response bodies: whole, trickled, or cut short.

use std::collections::VecDeque;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use bytes::Bytes;
use hyper::body::{Body, Frame, SizeHint};
use tokio::time::Sleep;

/// Trickled bodies go out in at most this many pieces.
const TRICKLE_PIECES: usize = 10;
/// How long a truncated body waits after its half, so the half is flushed before the close.
const TRUNCATE_LINGER: Duration = Duration::from_millis(20);

pub struct EmuBody {
    kind: Kind,
}

enum Kind {
    Full(Option<Bytes>),
    Trickle {
        pieces: VecDeque<Bytes>,
        pause: Duration,
        sleep: Option<Pin<Box<Sleep>>>,
        left: u64,
    },
    /// Half the body, then the end of the stream while Content-Length promises more:
    /// hyper then aborts the connection.
    Truncated {
        half: Option<Bytes>,
        linger: Option<Pin<Box<Sleep>>>,
    },
}

impl EmuBody {
    pub fn full(data: Vec<u8>) -> Self {
        let data = Bytes::from(data);
        EmuBody {
            kind: Kind::Full((!data.is_empty()).then_some(data)),
        }
    }

    /// Sends `data` in pieces, pausing `total / pieces` before each.
    pub fn trickle(data: Vec<u8>, total: Duration) -> Self {
        let data = Bytes::from(data);
        let n = data.len().clamp(1, TRICKLE_PIECES);
        let size = data.len().div_ceil(n).max(1);
        let mut pieces = VecDeque::with_capacity(n);
        let mut start = 0;
        while start < data.len() {
            let end = (start + size).min(data.len());
            pieces.push_back(data.slice(start..end));
            start = end;
        }
        let count = u32::try_from(pieces.len().max(1)).unwrap_or(1);
        EmuBody {
            kind: Kind::Trickle {
                left: data.len() as u64,
                pieces,
                pause: total / count,
                sleep: None,
            },
        }
    }

    /// The first half of `data`; the caller sets Content-Length to the full length.
    pub fn truncated(data: Vec<u8>) -> Self {
        let half = data.len() / 2;
        let mut data = Bytes::from(data);
        data.truncate(half);
        EmuBody {
            kind: Kind::Truncated {
                half: Some(data),
                linger: None,
            },
        }
    }
}

/// Polls a lazily created sleep; `Ready` once it has elapsed.
fn wait(slot: &mut Option<Pin<Box<Sleep>>>, d: Duration, cx: &mut Context<'_>) -> Poll<()> {
    let sleep = slot.get_or_insert_with(|| Box::pin(tokio::time::sleep(d)));
    sleep.as_mut().poll(cx)
}

impl Body for EmuBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match &mut self.get_mut().kind {
            Kind::Full(data) => Poll::Ready(data.take().map(|d| Ok(Frame::data(d)))),
            Kind::Trickle {
                pieces,
                pause,
                sleep,
                left,
            } => {
                if pieces.is_empty() {
                    return Poll::Ready(None);
                }
                if wait(sleep, *pause, cx).is_pending() {
                    return Poll::Pending;
                }
                *sleep = None;
                let piece = pieces.pop_front().unwrap_or_default();
                *left = left.saturating_sub(piece.len() as u64);
                Poll::Ready(Some(Ok(Frame::data(piece))))
            }
            Kind::Truncated { half, linger } => {
                if let Some(h) = half.take() {
                    return Poll::Ready(Some(Ok(Frame::data(h))));
                }
                if wait(linger, TRUNCATE_LINGER, cx).is_pending() {
                    return Poll::Pending;
                }
                Poll::Ready(None)
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Full(data) => data.is_none(),
            Kind::Trickle { pieces, .. } => pieces.is_empty(),
            Kind::Truncated { .. } => false,
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Full(data) => SizeHint::with_exact(data.as_ref().map_or(0, |d| d.len() as u64)),
            Kind::Trickle { left, .. } => SizeHint::with_exact(*left),
            // Unknown, so hyper takes the length from the Content-Length header we set.
            Kind::Truncated { .. } => SizeHint::default(),
        }
    }
}

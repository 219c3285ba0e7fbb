//! The read timeout as the official SDK's (urllib3's): it starts once the connection is up,
//! whatever the connect timeout, and bounds each wait for the response's bytes.
//!
//! reqwest's own read timer starts when the request starts, connecting included, so a read
//! timeout shorter than a slow connect would end the connect. Instead a connector layer marks,
//! for the request whose future opened the connection, when connecting started and when it
//! ended (a task-local set around `send()`); `headers_within` starts the read timer then, or at
//! once when a pooled connection is used.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::sync::Notify;

/// What the connector saw of one request's connection.
#[derive(Default)]
pub struct ConnectWatch {
    started: AtomicBool,
    up: AtomicBool,
    up_notify: Notify,
}

impl ConnectWatch {
    fn mark_up(&self) {
        self.up.store(true, Ordering::Release);
        self.up_notify.notify_waiters();
    }

    async fn wait_up(&self) {
        let notified = self.up_notify.notified();
        if !self.up.load(Ordering::Acquire) {
            notified.await;
        }
    }
}

tokio::task_local! {
    static WATCH: Arc<ConnectWatch>;
}

/// `send` (the request until its response headers), with the read timeout counted from when
/// its connection was up; `Err(())` when it passes. A connect that fails or times out is
/// reqwest's to report (its connect timeout).
pub async fn headers_within<F: Future>(send: F, read_timeout: Duration) -> Result<F::Output, ()> {
    let watch = Arc::new(ConnectWatch::default());
    let send = WATCH.scope(watch.clone(), send);
    tokio::pin!(send);
    // The first poll takes a pooled connection or starts connecting.
    if let Poll::Ready(out) = futures::poll!(send.as_mut()) {
        return Ok(out);
    }
    if watch.started.load(Ordering::Acquire) {
        tokio::select! {
            out = send.as_mut() => return Ok(out),
            () = watch.wait_up() => {}
        }
    }
    tokio::time::timeout(read_timeout, send).await.map_err(|_| ())
}

/// The connector layer that feeds `ConnectWatch`.
#[derive(Clone, Copy)]
pub struct MarkConnected;

impl<S> tower_layer::Layer<S> for MarkConnected {
    type Service = Marked<S>;

    fn layer(&self, inner: S) -> Marked<S> {
        Marked(inner)
    }
}

#[derive(Clone)]
pub struct Marked<S>(S);

impl<S, R> tower_service::Service<R> for Marked<S>
where
    S: tower_service::Service<R>,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.0.poll_ready(cx)
    }

    fn call(&mut self, req: R) -> Self::Future {
        // Called from inside the request's own poll, so its task-local is here; a connection
        // finished in the background for another request keeps the watch it started with.
        let watch = WATCH.try_with(Arc::clone).ok();
        if let Some(w) = &watch {
            w.started.store(true, Ordering::Release);
        }
        let connecting = self.0.call(req);
        Box::pin(async move {
            let out = connecting.await;
            if let (Some(w), Ok(_)) = (&watch, &out) {
                w.mark_up();
            }
            out
        })
    }
}

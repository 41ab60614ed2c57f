//! The CareHub service: configuration, the HTTP API, sign-in, and the wiring that joins the
//! clinical core (`carehub-triage`) to storage (`carehub-store`).
//!
//! [`serve`] takes a bound listener and a shutdown future, so tests run the real server on
//! `127.0.0.1:0` exactly as `main` runs it.

pub mod api;
pub mod assessment;
pub mod auth;
pub mod care_plan;
pub mod cli;
pub mod config;
pub mod demo;
pub mod demo_history;
pub mod error;
pub mod extract;
pub mod hub;
pub mod live;
pub mod metrics;
pub mod millis;
pub mod photo;
pub mod telemetry;
pub mod web;
pub mod ws;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use carehub_store::{SqliteOptions, SqliteStore, Store};
use tokio::net::TcpListener;

use crate::auth::{LoginLimiter, PasswordHasher, TokenKeys};
use crate::config::{Config, Synchronous};
use crate::metrics::Metrics;

/// Handles every request handler may use. Cheap to clone: all `Arc`s.
#[derive(Clone)]
pub struct AppState {
    /// Storage.
    pub store: Arc<dyn Store>,
    /// The live queue and every open call.
    pub hub: hub::Hub,
    /// The media relay.
    pub media: carehub_media::MediaServer,
    /// Live connections and each call's video participants.
    pub live: Arc<live::Live>,
    /// Token signing and verification.
    pub tokens: Arc<TokenKeys>,
    /// Password verification.
    pub passwords: PasswordHasher,
    /// Sign-in rate limiting.
    pub limiter: Arc<LoginLimiter>,
    /// Metrics registry.
    pub metrics: Arc<Metrics>,
    /// The validated configuration.
    pub config: Arc<Config>,
}

impl AppState {
    /// The video signalling context.
    pub fn media_context(&self) -> live::media::MediaContext {
        live::media::MediaContext {
            media: self.media.clone(),
            live: Arc::clone(&self.live),
            hub: self.hub.clone(),
            store: Arc::clone(&self.store),
        }
    }
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState").finish_non_exhaustive()
    }
}

/// Opens the store named by the configuration.
pub fn open_store(config: &Config) -> anyhow::Result<Arc<dyn Store>> {
    let url = &config.database.url;
    let path = SqliteStore::path_from_url(url.expose())
        .with_context(|| format!("database.url {} names no file", url.redacted()))?;
    let store = SqliteStore::open(&SqliteOptions {
        path: path.to_owned(),
        synchronous_full: config.database.synchronous == Synchronous::Full,
        busy_timeout_ms: config.database.busy_timeout_ms,
    })
    .with_context(|| format!("opening database {}", url.redacted()))?;
    Ok(Arc::new(store))
}

/// Builds the state from configuration: opens the store and seeds demo data in demo mode.
pub async fn build_state(config: Config) -> anyhow::Result<AppState> {
    let store = open_store(&config)?;
    if config.server.demo {
        demo::seed(store.as_ref(), config.server.demo_history_days)
            .await
            .context("seeding demo data")?;
    }
    let m = &config.media;
    let (media, media_events) = carehub_media::MediaServer::start(carehub_media::MediaConfig {
        udp_bind: m.udp_bind,
        public_ip: m.public_ip(),
        max_rooms: m.max_calls,
        max_participants: m.max_participants,
        stats_interval: Duration::from_secs(m.quality_interval_seconds.into()),
        adaptation: m.adaptation,
    })
    .await
    .with_context(|| format!("binding the media relay to UDP {}", m.udp_bind))?;
    let hub = hub::Hub::start(Arc::clone(&store), &config.triage, Some(media.clone()))
        .await
        .context("rebuilding the call queue")?;
    let live = Arc::new(live::Live::default());
    live::media::MediaContext {
        media: media.clone(),
        live: Arc::clone(&live),
        hub: hub.clone(),
        store: Arc::clone(&store),
    }
    .spawn_events(media_events);
    let auth = &config.auth;
    Ok(AppState {
        hub,
        media,
        live,
        store,
        tokens: Arc::new(TokenKeys::new(
            auth.jwt_secret.expose(),
            auth.token_ttl_minutes,
        )),
        passwords: PasswordHasher::new()
            .await
            .map_err(|e| anyhow::anyhow!("preparing password hasher: {e}"))?,
        limiter: Arc::new(LoginLimiter::new(
            Duration::from_secs(auth.failure_window_seconds.into()),
            auth.max_failures_per_username,
            auth.max_failures_per_address,
        )),
        metrics: Arc::new(Metrics::default()),
        config: Arc::new(config),
    })
}

/// Serves CareHub on `listener` until `shutdown` resolves, then drains open requests.
pub async fn serve(
    config: Config,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    let state = build_state(config).await?;
    let app = api::app(state);
    let addr = listener.local_addr().context("reading listener address")?;
    tracing::info!(%addr, "CareHub is listening");
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
    .context("serving HTTP")
}

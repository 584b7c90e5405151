//! `tessera serve`: open, migrate and if needed initialise the store, then answer requests
//! until SIGINT/SIGTERM, delivering audit log files and pruning old audit records beside them.
//! On shutdown the requests in flight finish first, then pending records are delivered once.

use super::bootstrap;
use crate::api::ApiState;
use crate::app::{self, AppState};
use crate::audit_log::{Delivery, Retention};
use crate::clock::Clock;
use crate::config::Config;
use crate::store::AuditStore;
use std::io::Write;
use std::sync::Arc;

pub async fn serve(config: Config) -> Result<(), String> {
    if config.danger_test_mode {
        tracing::warn!(
            "DANGER: test mode is on: /_tessera/reset and /_tessera/clock accept unauthenticated requests. Never run this in production."
        );
    }
    let (store, data_key) = bootstrap::open_and_initialise(&config).await?;
    let clock = Clock::system();
    let mut api = ApiState::new(
        Arc::clone(&store),
        clock.clone(),
        data_key,
        config.allowed_regions.clone(),
    )
    .map_err(|e| e.to_string())?
    .with_otp_issuer(config.otp_issuer.clone());
    api.audit_region = config.audit.region.clone();
    api.trusted_proxies = config.audit.trusted_proxies.clone();
    let state = Arc::new(AppState {
        api,
        danger_test_mode: config.danger_test_mode,
    });
    let listener = tokio::net::TcpListener::bind(config.listen)
        .await
        .map_err(|e| format!("listen {}: {e}", config.listen))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "tessera listening on http://{address}")
            .and_then(|()| out.flush())
            .map_err(|e| e.to_string())?;
    }
    tracing::info!(%address, database = %redacted_url(&config.database), "serving");
    let (stop_delivery, delivery_stopped) = tokio::sync::oneshot::channel::<()>();
    let audit_store: Arc<dyn AuditStore> = store;
    let delivery = Delivery::new(Arc::clone(&audit_store), clock.clone(), &config.audit);
    let delivering = tokio::spawn(delivery.run(async move {
        let _ = delivery_stopped.await;
    }));
    let pruning = tokio::spawn(Retention::new(audit_store, clock, config.audit.retention_days).run());
    // Peer addresses reach the API as `sourceIPAddress` of audit records.
    let service = app::router(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    let served = axum::serve(listener, service)
        .with_graceful_shutdown(shutdown_signal())
        .await
        .map_err(|e| format!("server: {e}"));
    pruning.abort();
    let _ = stop_delivery.send(());
    if let Err(error) = delivering.await {
        tracing::error!(%error, "audit log delivery stopped abnormally");
    }
    served
}

/// The database URL without a password, for logs.
fn redacted_url(url: &str) -> String {
    match (url.split_once("://"), url.rfind('@')) {
        (Some((scheme, rest)), Some(_)) => {
            let host = rest.rsplit_once('@').map_or(rest, |(_, host)| host);
            format!("{scheme}://…@{host}")
        }
        _ => url.to_owned(),
    }
}

async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn database_passwords_stay_out_of_logs() {
        assert_eq!(
            redacted_url("postgres://tessera:s3cret@db:5432/iam"),
            "postgres://…@db:5432/iam"
        );
        assert_eq!(redacted_url("sqlite://tessera.db"), "sqlite://tessera.db");
    }
}

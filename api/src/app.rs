//! Building the running application: the one way `liangye serve`, the test kit and the
//! benchmark harness assemble it — the store, the write engine, the `--demo` sample, the live
//! registry, metrics and the checkpoint signer — and wait until it is ready to answer.

use std::sync::Arc;

use liangye_events::checkpoint::SignerKey;
use liangye_services::EventStore;
use liangye_services::checkpoints::{SigningPolicy, spawn_signer};
use liangye_services::engine::{Engine, EngineError};
use liangye_services::live::{Live, LiveConfig, LiveError};
use liangye_services::store::StoreError;
use tokio::task::JoinHandle;

use crate::graphql::AppState;
use crate::metrics::Metrics;

/// How to build the application.
#[derive(Default)]
pub struct Options {
    /// Fill an empty database with the `serve --demo` sample before the live registry starts.
    pub demo: bool,
    /// Sign checkpoints with this key, by this policy.
    pub signing: Option<(SignerKey, SigningPolicy)>,
    pub live: LiveConfig,
}

/// Why the application could not be built.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("the demo sample was refused: {0}")]
    Demo(#[from] EngineError),
    #[error(transparent)]
    Live(#[from] LiveError),
}

/// The running application (everything but the HTTP listener).
pub struct App {
    /// What the HTTP server resolves with.
    pub state: AppState,
    /// Sample decisions the demo recorded (0 when the log was not empty or no demo was asked).
    pub demo_recorded: usize,
    writer: JoinHandle<()>,
    signer: Option<JoinHandle<()>>,
}

impl App {
    /// Connect to `database` (migrating it), start the live registry and the engine from
    /// it, fill the demo if asked, and start the checkpoint signer.
    pub async fn start(database: &str, options: Options) -> Result<Self, StartError> {
        let store = EventStore::connect(database).await?;
        let live = Live::start(store.clone(), options.live).await?;
        // The writer starts from the live registry's decision state: the log is folded once,
        // and the units are held once.
        let (engine, writer) = Engine::start_from(store.clone(), live.decision_state());
        let demo_recorded = if options.demo {
            crate::demo::fill(&engine).await?
        } else {
            0
        };
        let signer = options.signing.map(|(key, policy)| {
            tracing::info!(key = %key.verifier().to_text(), every_events = policy.every_events, "signing checkpoints");
            spawn_signer(store.clone(), key, policy)
        });
        Ok(Self {
            state: AppState {
                store,
                engine,
                live,
                metrics: Arc::new(Metrics::new()),
            },
            demo_recorded,
            writer,
            signer,
        })
    }

    /// Wait until the live registry holds everything written so far (tokens issued at
    /// start-up among it), so that the first request sees it.
    pub async fn ready(&self) -> Result<i64, StartError> {
        let head = self.state.store.head().await?.position;
        self.state.live.wait_for(head).await?;
        Ok(head)
    }

    /// Stop: finish the write batch in flight, stop signing, close the database.
    pub async fn shutdown(self) {
        if let Some(signer) = self.signer {
            signer.abort();
        }
        let store = self.state.store.clone();
        drop(self.state);
        let _ = self.writer.await;
        store.close().await;
    }
}

//! Counters of the writer's batches (for `/metrics`): how many batches, how many commands,
//! and a histogram of batch sizes with power-of-two buckets.

use std::sync::atomic::{AtomicU64, Ordering};

/// Upper bounds of the batch-size buckets.
pub const BUCKETS: [u64; 10] = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512];

/// Batch statistics, updated by the writer after every batch.
#[derive(Debug, Default)]
pub struct BatchStats {
    batches: AtomicU64,
    commands: AtomicU64,
    /// Non-cumulative counts per bucket of [`BUCKETS`].
    buckets: [AtomicU64; BUCKETS.len()],
}

impl BatchStats {
    pub(super) fn record(&self, size: usize) {
        let size = size as u64;
        self.batches.fetch_add(1, Ordering::Relaxed);
        self.commands.fetch_add(size, Ordering::Relaxed);
        let i = BUCKETS
            .iter()
            .position(|b| size <= *b)
            .unwrap_or(BUCKETS.len() - 1);
        self.buckets[i].fetch_add(1, Ordering::Relaxed);
    }

    /// Batches written so far.
    pub fn batches(&self) -> u64 {
        self.batches.load(Ordering::Relaxed)
    }

    /// Commands (accepted or refused) handled so far.
    pub fn commands(&self) -> u64 {
        self.commands.load(Ordering::Relaxed)
    }

    /// Cumulative counts per bucket upper bound, as Prometheus histograms count.
    pub fn cumulative(&self) -> Vec<(u64, u64)> {
        let mut total = 0;
        BUCKETS
            .iter()
            .zip(&self.buckets)
            .map(|(le, n)| {
                total += n.load(Ordering::Relaxed);
                (*le, total)
            })
            .collect()
    }
}

//! Pure folds over the event log (no I/O).

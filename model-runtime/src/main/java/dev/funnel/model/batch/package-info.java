/**
 * The dynamic batcher: scoring rows from many event loops go through a bounded MPSC queue to one
 * runner thread per model, which runs one inference per batch (flushed at max rows or max delay)
 * and drops rows whose request deadline passed.
 */
package dev.funnel.model.batch;

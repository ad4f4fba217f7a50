/**
 * The dynamic batcher: scoring rows from many event loops go through a bounded queue (MPSC, or
 * MPMC with several runners) to the model's runner thread(s), which run one inference per batch —
 * at once when a runner is free (adaptive: rows arriving during an inference form the next batch,
 * up to max rows), or, with dispatch-when-idle off, at max rows or max delay — and drop rows whose
 * request deadline passed. A task on direct buffers that runs alone reaches the backend uncopied.
 */
package dev.funnel.model.batch;

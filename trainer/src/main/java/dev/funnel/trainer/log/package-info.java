/**
 * Serving-side writers of the learning loop's inputs: {@link dev.funnel.trainer.log.LoopWriter}
 * takes impressions and feedback from event loops without blocking (a bounded MPSC queue) and appends
 * them to the transport on its own thread; {@link dev.funnel.trainer.log.StreamFeedbackSink} is the
 * server's {@code FeedbackSink} over it.
 */
package dev.funnel.trainer.log;

/**
 * The streaming trainer: reads impressions and feedback from a {@link dev.funnel.streams.Transport},
 * joins labels, learns online and publishes monotonically versioned {@code ModelDelta}s (sparse rows
 * often, a dense ONNX snapshot less often); checkpoints make a restart lose no sample and publish no
 * version twice. Runs standalone ({@link dev.funnel.trainer.TrainerMain}) or embedded in the server.
 */
package dev.funnel.trainer;

/**
 * Wires the learning loop into the server: the transport ({@code streams.*} config), the impression
 * log after each response, feedback onto the stream, item updates from the stream into the index,
 * the delta consumer, the cluster's rollbacks and unpins (the {@code model-control} topic, applied by
 * every replica), and in demo mode the embedded trainer.
 */
package dev.funnel.server.learning;

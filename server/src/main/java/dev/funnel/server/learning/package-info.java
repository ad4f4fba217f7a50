/**
 * Wires the learning loop into the server: the transport ({@code streams.*} config), the impression
 * log after each response, feedback onto the stream, item updates from the stream into the index,
 * the delta consumer, and in demo mode the embedded trainer.
 */
package dev.funnel.server.learning;

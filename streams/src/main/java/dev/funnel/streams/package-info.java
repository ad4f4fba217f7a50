/**
 * The transport SPI of the learning loop: append-only topics ({@link dev.funnel.streams.Transport}),
 * appenders and named tailers that resume after a restart, and the topic names every component uses.
 * Implementations: {@code streams.chronicle} (embedded default, one host) and {@code streams.kafka}
 * (many hosts). Both pass the same contract test.
 */
package dev.funnel.streams;

package dev.funnel.server.metrics;

import java.time.Duration;

/** Histogram bucket bounds shared by latency timers: 50 µs to 1 s. */
final class Slos {

    static final Duration[] LATENCY = {
        Duration.ofNanos(50_000), Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
        Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(20), Duration.ofMillis(40), Duration.ofMillis(60), Duration.ofMillis(100),
        Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1)
    };

    static final double[] SIZES = {1, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000};

    private Slos() {
    }
}

/**
 * Gatling simulations (Java DSL) that drive a running Funnel server over h2 (TLS + ALPN) with
 * traffic drawn from the {@code sim} world: a steady open-model arrival rate, a spike, a closed
 * feedback loop that clicks through the sim click model, and an A/B split scene. Settings come
 * from system properties ({@link dev.funnel.loadtest.LoadSettings}); every simulation asserts on
 * p99 and error rate so a regression fails the run. {@code SmokeSimulation} is the short one CI runs.
 */
package dev.funnel.loadtest;

/**
 * Wiring: how each feature puts its services into the {@link dev.funnel.engine.spi.OperatorEnv}
 * the operators read, registers readiness gates and response hooks, and releases what it holds on
 * shutdown. One small {@link dev.funnel.server.wiring.FeatureWiring} class per feature, listed in
 * {@code META-INF/services/dev.funnel.server.wiring.FeatureWiring} (union-merged), run in
 * {@link dev.funnel.server.wiring.FeatureWiring#order()} by {@link dev.funnel.server.wiring.Wirings}.
 */
package dev.funnel.server.wiring;

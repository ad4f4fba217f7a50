package dev.funnel.server.wiring;

/**
 * Wires one feature (index, exposure store, model registry, impression log…) into the server.
 * Implementations live in this package, have a public no-arg constructor, and are listed one per
 * line in {@code server/src/main/resources/META-INF/services/dev.funnel.server.wiring.FeatureWiring}.
 *
 * <p>{@link #wire} runs once at start, on the main thread, before any DAG is compiled (operator
 * factories look their services up at compile time), in ascending {@link #order()}. A wiring may
 * read services that lower-ordered wirings registered ({@code ctx.env().find(SimWorld.class)}).
 */
public interface FeatureWiring {

    /** Order among wirings; lower runs first. The sim world is 0; stores ~100; their users ~200. */
    default int order() {
        return 100;
    }

    /**
     * Registers services in {@code ctx.env()}, and optionally readiness gates, response hooks and
     * close actions. Throwing stops the server from starting, with the message shown.
     */
    void wire(WiringContext ctx) throws Exception;

    /** Runs once every wiring has run (in the same order): drop what only wiring needed. */
    default void afterAll(WiringContext ctx) {
    }
}

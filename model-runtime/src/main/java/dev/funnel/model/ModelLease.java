package dev.funnel.model;

/**
 * A reference to one live model version, held while a batch runs on it: the registry closes a
 * replaced session only after every lease on it is closed. Close exactly once, on any thread.
 */
public interface ModelLease extends AutoCloseable {

    /** The model's name. */
    String name();

    /** The version this lease pins. */
    String version();

    /** The session to run; valid until {@link #close()}. */
    ModelSession session();

    @Override
    void close();
}

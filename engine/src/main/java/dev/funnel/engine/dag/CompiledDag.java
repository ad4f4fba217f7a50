package dev.funnel.engine.dag;

/**
 * A validated DAG ready to run: nodes in topological order with their bound operators, resolved
 * deadlines and policies, and index-based wiring. Immutable and shared by all requests.
 */
public final class CompiledDag {

    /** The DAG's name ({@code dag:}). */
    public String name() {
        throw new UnsupportedOperationException("TODO(engine)");
    }

    /** A version string: the name plus a short hash of the file's content and overrides. */
    public String version() {
        throw new UnsupportedOperationException("TODO(engine)");
    }

    /** The whole request's budget. */
    public long deadlineNanos() {
        throw new UnsupportedOperationException("TODO(engine)");
    }

    /** The spec it came from. */
    public DagSpec spec() {
        throw new UnsupportedOperationException("TODO(engine)");
    }
}

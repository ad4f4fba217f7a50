package dev.funnel.engine.dag;

/**
 * What a node does on timeout or error: fail the request, skip the node (its output is absent),
 * or use the output of another, upstream node instead.
 *
 * @param kind         the action
 * @param fallbackNode for {@link Kind#FALLBACK}, the node whose output stands in; else null
 */
public record Policy(Kind kind, String fallbackNode) {

    public static final Policy FAIL = new Policy(Kind.FAIL, null);
    public static final Policy SKIP = new Policy(Kind.SKIP, null);

    public static Policy fallback(String node) {
        return new Policy(Kind.FALLBACK, node);
    }

    /** The three actions. */
    public enum Kind { FAIL, SKIP, FALLBACK }

    @Override
    public String toString() {
        return kind == Kind.FALLBACK ? "fallback: " + fallbackNode : kind.name().toLowerCase();
    }
}

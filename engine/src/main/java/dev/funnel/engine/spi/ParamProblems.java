package dev.funnel.engine.spi;

import java.util.List;
import java.util.Objects;

/**
 * What {@link OperatorFactory#check} throws when what is wrong belongs to single params or to keys
 * inside a param's mapping (a merge quota keyed by a node that is not upstream of it): validation
 * reports each entry as its own problem at that key's line, where a plain
 * {@link IllegalArgumentException} is one problem at the node's line. Its message joins the
 * entries' messages, for callers that only see an exception.
 */
public final class ParamProblems extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    /**
     * One thing wrong.
     *
     * @param param   the param it is about, as declared in the schema
     * @param key     the key inside that param's mapping, or null when it is about the param as a whole
     * @param message what is wrong, with the bad value (the node and op are added by validation)
     */
    public record Entry(String param, String key, String message) {
        public Entry {
            Objects.requireNonNull(param, "param");
            Objects.requireNonNull(message, "message");
        }
    }

    /** Transient: records are not serializable, and nothing serializes a validation failure. */
    private final transient List<Entry> entries;

    /**
     * @param entries at least one, in the order they should be reported among problems on the same line
     */
    public ParamProblems(List<Entry> entries) {
        super(joined(entries));
        this.entries = List.copyOf(entries);
    }

    /** Every entry, at least one. */
    public List<Entry> entries() {
        return entries;
    }

    private static String joined(List<Entry> entries) {
        if (entries == null || entries.isEmpty()) {
            throw new IllegalArgumentException("ParamProblems needs at least one entry");
        }
        StringBuilder b = new StringBuilder();
        for (Entry e : entries) {
            b.append(b.length() == 0 ? "" : "; ").append(e.message());
        }
        return b.toString();
    }
}

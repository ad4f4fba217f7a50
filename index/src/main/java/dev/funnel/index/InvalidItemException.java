package dev.funnel.index;

/**
 * An {@link ItemRecord} that cannot be built, naming the field at fault as the items API spells it
 * ({@code popularity}, {@code tags[2]}, {@code embedding[5]}, {@code attributes.colour}), so that
 * every entry point reports the same field the same way.
 */
public final class InvalidItemException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String field;

    public InvalidItemException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The field at fault. */
    public String field() {
        return field;
    }
}

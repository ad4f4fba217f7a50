package dev.funnel.streams.schema;

/** A record that cannot be decoded: why is in {@link #reason()}, details in the message. */
public final class SchemaException extends RuntimeException {

    /** Why a record was rejected. */
    public enum Reason { BAD_MAGIC, WRONG_TYPE, UNKNOWN_VERSION, TRUNCATED, CHECKSUM }

    private final Reason reason;

    public SchemaException(Reason reason, String message) {
        super(reason + ": " + message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}

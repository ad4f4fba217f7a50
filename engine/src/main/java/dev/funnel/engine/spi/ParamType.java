package dev.funnel.engine.spi;

/** The type of an operator parameter, as YAML writes it. */
public enum ParamType {
    /** A whole number that fits in an {@code int}. */
    INT,
    /** A whole number that fits in a {@code long}. */
    LONG,
    /** Any number. */
    DOUBLE,
    /** {@code true} or {@code false}. */
    BOOLEAN,
    /** Any string. */
    STRING,
    /** One of {@link ParamSpec#allowed()}. */
    ENUM,
    /** A list of strings. */
    STRING_LIST,
    /** A mapping of string keys to numbers, e.g. per-source quotas {@code {ann: 600}}. */
    NUMBER_MAP,
    /** Any nested mapping; the operator checks its substance in {@link OperatorFactory#create}. */
    MAP
}

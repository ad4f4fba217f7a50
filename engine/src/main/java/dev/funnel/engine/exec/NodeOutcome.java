package dev.funnel.engine.exec;

/** How one node ended for one request. */
public enum NodeOutcome {
    /** Produced its output in time. */
    OK,
    /** Ran past its deadline and was cancelled. */
    TIMEOUT,
    /** Its operator signalled an error (or threw). */
    ERROR,
    /** Not started: the request's budget was gone when its inputs settled and it is cpu-heavy (it could not finish on the loop). */
    NO_BUDGET,
    /** Not started: fewer inputs present than it needs. */
    MISSING_INPUTS,
    /** Not started: the request had already failed or finished. */
    CANCELLED
}

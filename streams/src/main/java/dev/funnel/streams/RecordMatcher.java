package dev.funnel.streams;

import java.nio.ByteBuffer;

/** Tests one record's bytes, e.g. "is this a model delta base". */
@FunctionalInterface
public interface RecordMatcher {

    /**
     * @param payload the record's bytes, valid only during this call; the matcher may move its position
     * @return whether the record matches
     */
    boolean matches(ByteBuffer payload);
}

package dev.funnel.streams;

import java.nio.ByteBuffer;

/** Receives records from a {@link StreamTailer}. */
@FunctionalInterface
public interface RecordHandler {

    /**
     * One record.
     *
     * @param position the record's position in its topic (pass it to {@link StreamTailer#seekAfter})
     * @param payload  the record's bytes, valid only during this call (the buffer is reused)
     */
    void onRecord(long position, ByteBuffer payload);
}

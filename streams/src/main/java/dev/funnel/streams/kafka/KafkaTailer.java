package dev.funnel.streams.kafka;

import dev.funnel.streams.RecordHandler;
import dev.funnel.streams.RecordMatcher;
import dev.funnel.streams.StreamTailer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;

/**
 * A consumer assigned to partition 0 of one topic; the group id is the tailer's name, so committed
 * offsets are its persisted progress. Records fetched but not yet delivered wait in a local deque.
 */
final class KafkaTailer implements StreamTailer {

    /** How long one poll may wait for a fetch when nothing is buffered. */
    static final Duration FETCH_WAIT = Duration.ofMillis(5);
    /** How long {@link #seekToNewest} may take to read the partition. */
    static final Duration SCAN_TIMEOUT = Duration.ofMinutes(10);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final TopicPartition partition;
    private final ArrayDeque<ConsumerRecord<byte[], byte[]>> buffered = new ArrayDeque<>();
    private long nextOffset = -1;
    private boolean closed;

    KafkaTailer(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        this.consumer = consumer;
        this.partition = new TopicPartition(topic, 0);
        consumer.assign(List.of(partition));
    }

    @Override
    public int poll(RecordHandler handler, int maxRecords) {
        if (buffered.isEmpty()) {
            ConsumerRecords<byte[], byte[]> records = consumer.poll(FETCH_WAIT);
            for (ConsumerRecord<byte[], byte[]> r : records.records(partition)) {
                buffered.add(r);
            }
        }
        int n = 0;
        while (n < maxRecords && !buffered.isEmpty()) {
            ConsumerRecord<byte[], byte[]> r = buffered.poll();
            nextOffset = r.offset() + 1;
            handler.onRecord(r.offset(), ByteBuffer.wrap(r.value()));
            n++;
        }
        return n;
    }

    @Override
    public boolean seekAfter(long position) {
        // Out of the partition's range (deleted by retention, or the topic recreated): Kafka would
        // silently apply auto.offset.reset; the caller is told instead.
        long begin = consumer.beginningOffsets(List.of(partition)).get(partition);
        long end = consumer.endOffsets(List.of(partition)).get(partition);
        if (position < begin || position >= end) {
            return false;
        }
        buffered.clear();
        consumer.seek(partition, position + 1);
        nextOffset = position + 1;
        return true;
    }

    /**
     * Kafka cannot read backwards cheaply (each step back is a fetch), so this reads the partition
     * forward from its start to the end offset it had when called, remembering the newest match,
     * without delivering anything.
     */
    @Override
    public boolean seekToNewest(RecordMatcher match) {
        long end = consumer.endOffsets(List.of(partition)).get(partition);
        seekToStart();
        long found = -1;
        long deadline = System.nanoTime() + SCAN_TIMEOUT.toNanos();
        while (consumer.position(partition) < end) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("kafka tailer " + partition + ": scanning for the newest match did not reach offset "
                        + end + " within " + SCAN_TIMEOUT.toSeconds() + " s (at " + consumer.position(partition) + ")");
            }
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(FETCH_WAIT).records(partition)) {
                if (r.offset() < end && match.matches(ByteBuffer.wrap(r.value()))) {
                    found = r.offset();
                }
            }
        }
        if (found < 0) {
            seekToStart();
            return false;
        }
        buffered.clear();
        consumer.seek(partition, found);
        nextOffset = found;
        return true;
    }

    @Override
    public boolean caughtUp() {
        // The position is past what was fetched, delivered or not: the buffer holds the rest.
        return buffered.isEmpty() && consumer.position(partition) >= consumer.endOffsets(List.of(partition)).get(partition);
    }

    @Override
    public void seekToStart() {
        buffered.clear();
        consumer.seekToBeginning(List.of(partition));
        nextOffset = consumer.position(partition);
    }

    @Override
    public void seekToEnd() {
        buffered.clear();
        consumer.seekToEnd(List.of(partition));
        nextOffset = consumer.position(partition);
    }

    @Override
    public void commit() {
        if (nextOffset >= 0) {
            consumer.commitSync(Map.of(partition, new OffsetAndMetadata(nextOffset)));
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            consumer.close();
        }
    }
}

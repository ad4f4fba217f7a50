package dev.funnel.streams.kafka;

import dev.funnel.streams.StreamAppender;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/** Appends through the shared idempotent producer; a failed send surfaces on the next append or flush. */
final class KafkaAppender implements StreamAppender {

    private final KafkaProducer<byte[], byte[]> producer;
    private final String topic;
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final AtomicLong failures = new AtomicLong();

    KafkaAppender(KafkaProducer<byte[], byte[]> producer, String topic) {
        this.producer = producer;
        this.topic = topic;
    }

    @Override
    public void append(byte[] payload, int offset, int length) {
        send(null, payload, offset, length);
    }

    /** The key is the long's 8 bytes, big-endian: what a compacted topic keeps the newest record of. */
    @Override
    public void append(long key, byte[] payload, int offset, int length) {
        send(keyBytes(key), payload, offset, length);
    }

    /**
     * This record's own delivery, not the shared failure slot: its future fails with its own cause only. Returns within
     * the producer's delivery timeout (short for answered topics: {@link KafkaTransport#ANSWERED_DELIVERY_TIMEOUT_MILLIS}).
     */
    @Override
    public void appendAndAwait(long key, byte[] payload, int offset, int length) {
        await(keyBytes(key), payload, offset, length);
    }

    /** As the keyed one, without a key. */
    @Override
    public void appendAndAwait(byte[] payload, int offset, int length) {
        await(null, payload, offset, length);
    }

    private void await(byte[] key, byte[] payload, int offset, int length) {
        try {
            producer.send(record(key, payload, offset, length)).get();
        } catch (ExecutionException e) {
            failures.incrementAndGet();
            throw failed(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("kafka append to " + topic + " interrupted", e);
        } catch (KafkaException e) { // refused before it was sent: no metadata within max.block.ms, say
            failures.incrementAndGet();
            throw failed(e);
        }
    }

    /** Failed sends so far, of either kind of append. */
    long failures() {
        return failures.get();
    }

    private static byte[] keyBytes(long key) {
        return ByteBuffer.allocate(Long.BYTES).putLong(key).array();
    }

    private ProducerRecord<byte[], byte[]> record(byte[] key, byte[] payload, int offset, int length) {
        byte[] value = offset == 0 && length == payload.length ? payload : Arrays.copyOfRange(payload, offset, offset + length);
        return new ProducerRecord<>(topic, 0, key, value);
    }

    private void send(byte[] key, byte[] payload, int offset, int length) {
        rethrowFailure();
        producer.send(record(key, payload, offset, length), (md, e) -> {
            if (e != null) {
                failures.incrementAndGet();
                failure.compareAndSet(null, e);
            }
        });
    }

    @Override
    public void flush() {
        producer.flush();
        rethrowFailure();
    }

    private void rethrowFailure() {
        Exception e = failure.getAndSet(null);
        if (e != null) {
            throw failed(e);
        }
    }

    private IllegalStateException failed(Throwable cause) {
        return new IllegalStateException("kafka append to " + topic + " failed (" + failures.get() + " failures so far)", cause);
    }
}

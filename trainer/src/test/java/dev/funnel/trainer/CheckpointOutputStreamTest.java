package dev.funnel.trainer;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class CheckpointOutputStreamTest {

    /** Same bytes as a plain stream, for single bytes, small and larger-than-buffer arrays in any mix. */
    @Test
    void writesTheSameBytesAsAnUnbufferedStream() throws Exception {
        SplittableRandom r = new SplittableRandom(4);
        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        ByteArrayOutputStream actual = new ByteArrayOutputStream();
        try (DataOutputStream plain = new DataOutputStream(expected);
             DataOutputStream buffered = new DataOutputStream(new CheckpointOutputStream(actual, 64))) {
            for (int i = 0; i < 2_000; i++) {
                switch (r.nextInt(4)) {
                    case 0 -> {
                        float f = (float) r.nextGaussian();
                        plain.writeFloat(f);
                        buffered.writeFloat(f);
                    }
                    case 1 -> {
                        long v = r.nextLong();
                        plain.writeLong(v);
                        buffered.writeLong(v);
                    }
                    case 2 -> {
                        plain.writeUTF("row-" + i);
                        buffered.writeUTF("row-" + i);
                    }
                    default -> {
                        byte[] b = new byte[r.nextInt(200)];
                        r.nextBytes(b);
                        int off = b.length == 0 ? 0 : r.nextInt(b.length);
                        plain.write(b, off, b.length - off);
                        buffered.write(b, off, b.length - off);
                    }
                }
            }
        }
        assertArrayEquals(expected.toByteArray(), actual.toByteArray());
    }
}

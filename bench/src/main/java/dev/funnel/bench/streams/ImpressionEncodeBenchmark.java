package dev.funnel.bench.streams;

import dev.funnel.features.FeatureSchema;
import dev.funnel.streams.schema.ImpressionLog;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * What serving pays to log one response: encoding an impression of 10 items with the default
 * schema's features and 64-float embeddings (about 5.6 KB). Run with {@code -prof gc}: the bytes
 * allocated per encode should be the record's size, not a multiple of it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
public class ImpressionEncodeBenchmark {

    private ImpressionLog log;

    @Setup
    public void setup() {
        FeatureSchema schema = FeatureSchema.defaultSchema(64);
        SplittableRandom r = new SplittableRandom(1);
        List<ImpressionLog.Served> items = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            items.add(new ImpressionLog.Served(r.nextLong(1, 1_000_000), i, (float) r.nextDouble(), longs(r, schema.fieldCount()),
                    longs(r, schema.wideCount()), floats(r, schema.denseCount()), floats(r, schema.contentDim())));
        }
        log = new ImpressionLog("req-1234567890", "user-42", "home", "ctr", 7, "ctr-v1@3f2a", 1_700_000_000_000L,
                floats(r, schema.contentDim()), items);
    }

    private static long[] longs(SplittableRandom r, int n) {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) {
            a[i] = r.nextLong();
        }
        return a;
    }

    private static float[] floats(SplittableRandom r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) r.nextGaussian();
        }
        return a;
    }

    @Benchmark
    public byte[] encode() {
        return log.encode();
    }
}

package dev.funnel.operators.debug;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Inputs;
import dev.funnel.engine.spi.LoopScheduler;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.OperatorFactory;
import dev.funnel.engine.spi.ParamSchema;
import dev.funnel.engine.spi.ParamSpec;
import dev.funnel.engine.spi.Params;
import dev.funnel.engine.spi.RequestContext;
import reactor.core.publisher.Mono;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code debug.delay}: passes its first candidate input on unchanged (or an empty list) after a
 * delay, without blocking: a timer on the request's loop, cancelled when the engine disposes the
 * node (timeout, failed request). For exercising deadlines and partial results.
 */
public final class DelayDebug implements OperatorFactory {

    private static final ParamSchema SCHEMA = ParamSchema.of(
            ParamSpec.optionalInt("delay_ms", 10, 0, 600_000, "delay before the output"),
            ParamSpec.optionalDouble("probability", 1.0, 0.0, 1.0, "chance that a request is delayed at all"),
            ParamSpec.optionalInt("jitter_ms", 0, 0, 600_000, "uniform extra delay in [0, jitter_ms]"));

    @Override
    public String name() {
        return "debug.delay";
    }

    @Override
    public String description() {
        return "Passes its first candidate input on after delay_ms (+ jitter), with some probability; non-blocking";
    }

    @Override
    public ParamSchema params() {
        return SCHEMA;
    }

    @Override
    public Class<?> outputType() {
        return Candidates.class;
    }

    @Override
    public int defaultMinInputs() {
        return 0; // a delay in front of nothing still delays
    }

    @Override
    public Operator<Candidates> create(Params params, OperatorEnv env) {
        return new Delay(TimeUnit.MILLISECONDS.toNanos(params.getInt("delay_ms")), params.getDouble("probability"),
                TimeUnit.MILLISECONDS.toNanos(params.getInt("jitter_ms")));
    }

    /** The operator: one timer per delayed request. */
    static final class Delay implements Operator<Candidates> {
        private final long delayNanos;
        private final double probability;
        private final long jitterNanos;

        Delay(long delayNanos, double probability, long jitterNanos) {
            this.delayNanos = delayNanos;
            this.probability = probability;
            this.jitterNanos = jitterNanos;
        }

        @Override
        public Mono<Candidates> apply(Inputs in, RequestContext ctx) {
            Candidates c = in.first(Candidates.class);
            Candidates out = c == null ? Candidates.EMPTY : c;
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            if (probability < 1.0 && rnd.nextDouble() >= probability) {
                return Mono.just(out);
            }
            long nanos = delayNanos + (jitterNanos > 0 ? rnd.nextLong(jitterNanos + 1) : 0L);
            if (nanos == 0) {
                return Mono.just(out);
            }
            LoopScheduler loop = ctx.loop();
            return Mono.create(sink -> {
                LoopScheduler.Cancellable timer = loop.schedule(nanos, () -> sink.success(out));
                sink.onCancel(timer::cancel);
            });
        }

        @Override
        public String toString() {
            return "debug.delay{" + delayNanos / 1_000_000 + "ms, p=" + probability + ", jitter=" + jitterNanos / 1_000_000 + "ms}";
        }
    }
}

package dev.funnel.operators.rerank;

import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.Inputs;
import dev.funnel.engine.spi.Operator;
import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.engine.spi.Params;
import dev.funnel.engine.spi.RequestContext;
import dev.funnel.engine.time.VirtualLoopScheduler;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

class TruncateRerankTest {

    private static final Candidates TEN = Candidates.fromSource("s", new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10},
            new float[10], 10);

    @SuppressWarnings("unchecked")
    private static Candidates run(Integer size, int count, Object input) {
        Map<String, Object> p = new HashMap<>();
        p.put("size", size);
        Operator<Candidates> op = (Operator<Candidates>) new TruncateRerank().create(new Params(p), new OperatorEnv());
        RequestContext ctx = RequestContext.builder().requestId("r").userId("u").scene("s").count(count)
                .loop(new VirtualLoopScheduler()).build();
        return op.apply(new Inputs("t", new String[] {"up"}, new Object[] {input}), ctx).block();
    }

    @Test
    void keepsTheFirstSize() {
        assertArrayEquals(new long[] {1, 2, 3}, run(3, 5, TEN).idsCopy());
        assertArrayEquals(new String[] {"s"}, run(3, 5, TEN).sources());
    }

    @Test
    void defaultsToTheRequestsCount() {
        assertEquals(4, run(null, 4, TEN).size());
        assertSame(TEN, run(null, 40, TEN), "nothing to cut: same list");
    }

    @Test
    void noInputGivesAnEmptyList() {
        assertSame(Candidates.EMPTY, run(3, 5, null));
    }
}

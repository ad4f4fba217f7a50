package dev.funnel.operators.filter;

import static dev.funnel.operators.testing.OperatorHarness.params;
import static dev.funnel.operators.testing.OperatorHarness.ranked;
import static dev.funnel.operators.testing.OperatorHarness.request;
import static dev.funnel.operators.testing.OperatorHarness.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.funnel.engine.spi.OperatorEnv;
import dev.funnel.index.ItemStore;
import dev.funnel.operators.testing.MapItemStore;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttributeFilterTest {

    final AttributeFilter factory = new AttributeFilter();
    final MapItemStore items = new MapItemStore()
            .put(1, "category", "news", "tags", List.of("x", "y"))
            .put(2, "category", "sports", "tags", List.of("y"))
            .put(3, "category", "news", "tags", List.of())
            .put(4, "category", "gossip");
    final OperatorEnv env = new OperatorEnv().register(ItemStore.class, items);

    @Test
    void dropsListedValuesAndKeepsItemsWithoutOne() {
        assertArrayEquals(new long[] {2, 5},
                run(factory, params(factory, "field", "category", "drop", List.of("news", "gossip")), env, ranked(1, 2, 3, 4, 5), request("u")).idsCopy());
        assertArrayEquals(new long[] {2},
                run(factory, params(factory, "field", "category", "drop", List.of("news", "gossip"), "drop_missing", true),
                        env, ranked(1, 2, 3, 4, 5), request("u")).idsCopy());
    }

    @Test
    void keepMatchesAnyElementOfAListAttribute() {
        assertArrayEquals(new long[] {1},
                run(factory, params(factory, "field", "tags", "keep", List.of("x")), env, ranked(1, 2, 3, 4, 5), request("u")).idsCopy());
        assertArrayEquals(new long[] {1, 2},
                run(factory, params(factory, "field", "tags", "keep", List.of("y", "z")), env, ranked(1, 2, 3, 4, 5), request("u")).idsCopy());
    }

    @Test
    void needsExactlyOneOfDropAndKeep() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> factory.create(params(factory, "field", "category"), env));
        assertTrue(e.getMessage().contains("neither"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> factory.create(params(factory, "field", "category", "drop", List.of("a"), "keep", List.of("b")), env));
        assertTrue(e.getMessage().contains("both"), e.getMessage());
    }
}

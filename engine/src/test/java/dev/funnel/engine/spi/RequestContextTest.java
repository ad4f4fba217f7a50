package dev.funnel.engine.spi;

import dev.funnel.engine.time.VirtualLoopScheduler;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link RequestContext}'s client context: a null value is a key the client did not send. */
class RequestContextTest {

    @Test
    void nullContextValuesAreDroppedNotThrown() {
        Map<String, Object> context = new HashMap<>();
        context.put("device", "ios");
        context.put("z", null);
        context.put(null, "no key");
        context.put("page", Map.of("n", 2));
        RequestContext ctx = build(context);
        assertEquals(Map.of("device", "ios", "page", Map.of("n", 2)), ctx.context());
        assertFalse(ctx.context().containsKey("z"));
        assertTrue(context.containsKey("z"), "the caller's map is not changed");
    }

    @Test
    void aContextWithoutNullsIsCopiedAsIs() {
        Map<String, Object> context = new HashMap<>(Map.of("device", "ios", "tags", List.of("a", "b")));
        RequestContext ctx = build(context);
        context.put("later", 1);
        assertEquals(Map.of("device", "ios", "tags", List.of("a", "b")), ctx.context());
    }

    private static RequestContext build(Map<String, Object> context) {
        return RequestContext.builder().requestId("r").userId("u").scene("s").context(context)
                .loop(new VirtualLoopScheduler()).build();
    }
}

package dev.funnel.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class JsonTest {

    private static String score(float v) {
        return Json.encode(g -> {
            g.writeStartObject();
            Json.writeScore(g, Json.SCORE, v);
            g.writeEndObject();
        }).toString(StandardCharsets.UTF_8);
    }

    @Test
    void aScoreIsWrittenAsItsFloatNotItsWideningToDouble() {
        assertEquals("{\"score\":0.1}", score(0.1f));
        assertEquals("{\"score\":1.0E-7}", score(1e-7f));
        assertEquals("{\"score\":-3.5}", score(-3.5f));
    }

    @Test
    void everyScoreReadsBackAsTheSameFloat() {
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < 20_000; i++) {
            float v = Float.intBitsToFloat(rnd.nextInt());
            if (!Float.isFinite(v)) {
                continue;
            }
            String json = score(v);
            new JsonObject(json); // valid JSON
            String digits = json.substring("{\"score\":".length(), json.length() - 1);
            assertEquals(v, Float.parseFloat(digits), "written as " + digits);
        }
    }

    @Test
    void nanAndInfinitiesBecomeNull() {
        for (float v : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            assertEquals("{\"score\":null}", score(v));
        }
    }
}

package dev.funnel.streams;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class IdleBackoffTest {

    @Test
    void parksDoubleWhileIdleUpToTheMaxAndStartOverAfterWork() {
        IdleBackoff b = new IdleBackoff(1_000, 5_000);
        assertEquals(1_000, b.nextParkNanos());
        b.idle();
        assertEquals(2_000, b.nextParkNanos());
        b.idle();
        assertEquals(4_000, b.nextParkNanos());
        b.idle();
        assertEquals(5_000, b.nextParkNanos(), "capped at the max");
        b.idle();
        assertEquals(5_000, b.nextParkNanos());
        b.reset();
        assertEquals(1_000, b.nextParkNanos());
    }

    @Test
    void aFixedParkWhenMinEqualsMax() {
        IdleBackoff b = new IdleBackoff(3_000, 3_000);
        b.idle();
        b.idle();
        assertEquals(3_000, b.nextParkNanos());
    }

    @Test
    void rejectsBoundsThatCannotWork() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new IdleBackoff(0, 10));
        assertEquals("idle backoff needs 0 < minNanos <= maxNanos, got 0 and 10", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new IdleBackoff(10, 5));
    }
}

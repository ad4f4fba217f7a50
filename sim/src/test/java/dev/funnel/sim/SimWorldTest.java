package dev.funnel.sim;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class SimWorldTest {

    private static final SimWorld WORLD = SimWorld.generate(SimConfig.small(7));

    @Test
    void sameSeedGivesSameWorld() {
        SimWorld again = SimWorld.generate(SimConfig.small(7));
        for (int i = 0; i < WORLD.items().size(); i += 97) {
            SimItem a = WORLD.items().get(i);
            SimItem b = again.items().get(i);
            assertEquals(a.category(), b.category());
            assertEquals(a.tags(), b.tags());
            assertArrayEquals(a.embedding(), b.embedding());
        }
        assertArrayEquals(WORLD.users().get(3).taste(), again.users().get(3).taste());
        assertArrayEquals(WORLD.users().get(3).recentClicks(), again.users().get(3).recentClicks());
    }

    @Test
    void otherSeedGivesOtherWorld() {
        SimWorld other = SimWorld.generate(SimConfig.small(8));
        assertFalse(java.util.Arrays.equals(WORLD.item(1).embedding(), other.item(1).embedding()));
    }

    @Test
    void itemsAreWellFormed() {
        assertEquals(5_000, WORLD.items().size());
        for (SimItem it : WORLD.items()) {
            assertEquals(it, WORLD.item(it.id()));
            double norm = 0;
            for (float x : it.embedding()) {
                norm += x * x;
            }
            assertEquals(1.0, norm, 1e-4);
            assertTrue(it.popularity() > 0 && it.popularity() <= 1);
            assertTrue(it.tags().size() >= 2 && it.tags().size() <= 4);
            assertTrue(it.createdAtMillis() <= SimConfig.DEFAULT_NOW_MILLIS);
        }
        assertThrows(IllegalArgumentException.class, () -> WORLD.item(0));
    }

    @Test
    void oracleBeatsRandomByFar() {
        SplittableRandom r = new SplittableRandom(1);
        double oracle = 0;
        double random = 0;
        int n = 50;
        for (int k = 0; k < n; k++) {
            SimUser u = WORLD.users().get(k);
            oracle += WORLD.expectedCtr(u, WORLD.oracleTopK(u, 10));
            long[] slate = new long[10];
            for (int i = 0; i < 10; i++) {
                slate[i] = 1 + r.nextInt(WORLD.items().size());
            }
            random += WORLD.expectedCtr(u, slate);
        }
        assertTrue(oracle / n > 5 * random / n, "oracle " + oracle / n + " vs random " + random / n);
    }

    @Test
    void offlineItemsAreNeverClicked() {
        SimUser u = WORLD.users().get(0);
        WORLD.items().stream().filter(i -> !i.online()).limit(20)
                .forEach(i -> assertEquals(0.0, WORLD.clickProbability(u, i.id(), 0)));
    }

    @Test
    void usersHaveHistoryAndInterests() {
        long withHistory = WORLD.users().stream().filter(u -> u.recentClicks().length > 0).count();
        assertTrue(withHistory > WORLD.users().size() * 0.9, "users with history: " + withHistory);
        assertTrue(WORLD.users().stream().allMatch(u -> !u.interestTags().isEmpty()));
        assertNotNull(WORLD.user("u000001"));
    }

    @Test
    void driftMovesTastesButKeepsCatalog() {
        SimWorld d = WORLD.withDriftedTastes(0.5, 3);
        assertSame(WORLD.items(), d.items());
        assertFalse(java.util.Arrays.equals(WORLD.users().get(0).taste(), d.users().get(0).taste()));
        assertThrows(IllegalArgumentException.class, () -> WORLD.withDriftedTastes(2, 3));
    }
}

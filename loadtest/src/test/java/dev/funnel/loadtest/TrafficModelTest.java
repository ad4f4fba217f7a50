package dev.funnel.loadtest;

import dev.funnel.sim.SimConfig;
import dev.funnel.sim.SimUser;
import dev.funnel.sim.SimWorld;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The pieces the simulations draw traffic from and check answers with. */
class TrafficModelTest {
    private static final SimWorld WORLD = SimWorld.generate(SimConfig.small(3));

    @Test
    void sceneMixFollowsItsWeights() {
        SceneMix mix = SceneMix.parse("home:3, slow:1");
        int home = 0;
        for (int i = 0; i < 10_000; i++) {
            if (mix.pick(i / 10_000.0).equals("home")) {
                home++;
            }
        }
        assertEquals(7_500, home, 1);
        assertEquals("home:0.75,slow:0.25", mix.toString());
        assertThrows(IllegalArgumentException.class, () -> SceneMix.parse("home:0"));
        assertThrows(IllegalArgumentException.class, () -> SceneMix.parse(" , "));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SceneMix.parse("home:x"));
        assertTrue(e.getMessage().contains("'home'"), e.getMessage());
    }

    @Test
    void usersAreSkewedButAllReachable() {
        SimTraffic t = new SimTraffic(WORLD, 500);
        Map<String, Integer> hits = new HashMap<>();
        for (int i = 0; i < 50_000; i++) {
            hits.merge(t.nextUser().id(), 1, Integer::sum);
        }
        List<Integer> counts = new ArrayList<>(hits.values());
        counts.sort((a, b) -> b - a);
        int top5 = counts.subList(0, 5).stream().mapToInt(Integer::intValue).sum();
        assertTrue(top5 > 50_000 * 5 / 500 * 3, "the most active 1% send well over 1% of requests: " + top5);
        assertTrue(hits.size() > 450, "the long tail is reached: " + hits.size() + " distinct users");
    }

    @Test
    void feedbackExposesEverythingAndClicksThroughTheClickModel() {
        SimTraffic t = new SimTraffic(WORLD, 500);
        SimUser u = WORLD.users().get(7);
        long[] liked = WORLD.oracleTopK(u, 10);
        List<Object> slate = new ArrayList<>();
        for (long id : liked) {
            slate.add(id);
        }
        slate.add(WORLD.items().size() + 10L); // unknown id: exposed, never clicked
        int clicks = 0;
        for (int round = 0; round < 200; round++) {
            int[] c = new int[1];
            String body = t.feedbackBody("r1", u.id(), slate, 1_000L, c);
            assertEquals(11, count(body, "\"event\":\"expose\""));
            assertEquals(c[0], count(body, "\"event\":\"click\""));
            clicks += c[0];
        }
        double expected = 0;
        for (int pos = 0; pos < liked.length; pos++) {
            expected += WORLD.clickProbability(u, liked[pos], pos) * 200;
        }
        assertEquals(expected, clicks, Math.max(10, expected * 0.25), "clicks follow the click model");
        assertEquals("[]", t.feedbackBody("r1", u.id(), List.of(), 1L, new int[1]));
    }

    @Test
    void armTrackerRejectsAUserChangingArmAndALostArm() {
        ArmTracker t = new ArmTracker(2, 0.05, 100);
        t.observe("u1", "control");
        IllegalStateException moved = assertThrows(IllegalStateException.class, () -> t.observe("u1", "wide_hot"));
        assertTrue(moved.getMessage().contains("moved from arm 'control' to 'wide_hot'"), moved.getMessage());

        ArmTracker oneArm = new ArmTracker(2, 0.05, 100);
        for (int i = 0; i < 98; i++) {
            oneArm.observe("u" + i, "control");
        }
        IllegalStateException lost = assertThrows(IllegalStateException.class, () -> {
            oneArm.observe("x", "control");
            oneArm.observe("y", "control");
        });
        assertTrue(lost.getMessage().contains("expected 2 arms"), lost.getMessage());
    }

    @Test
    void armTrackerCountsEveryAnswerUnderConcurrency() throws Exception {
        ArmTracker t = new ArmTracker(2, 0.05, 1_000_000);
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int k = 0; k < 8; k++) {
            Thread th = new Thread(() -> {
                try {
                    go.await();
                    for (int i = 0; i < 20_000; i++) {
                        int user = i % 1_000;
                        t.observe("u" + user, user % 10 == 0 ? "b" : "a");
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            threads.add(th);
            th.start();
        }
        go.countDown();
        for (Thread th : threads) {
            th.join();
        }
        assertTrue(failures.isEmpty(), failures::toString);
        assertEquals(Map.of("a", 144_000L, "b", 16_000L), t.split());
        assertEquals(1_000, t.users());
    }

    private static int count(String s, String needle) {
        int n = 0;
        for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }
}

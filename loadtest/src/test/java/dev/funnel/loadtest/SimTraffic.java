package dev.funnel.loadtest;

import dev.funnel.sim.SimConfig;
import dev.funnel.sim.SimUser;
import dev.funnel.sim.SimWorld;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Traffic drawn from the default sim world, the same world {@code funnel demo} serves: who asks
 * (users with a skewed activity: a few heavy users, a long tail), for which scene, on which
 * device, and what they click in what they were shown (the sim click model, position bias
 * included). Thread-safe: the world is immutable and every draw uses {@link ThreadLocalRandom}.
 */
final class SimTraffic {
    /** Zipf exponent of user activity: the most active 1% of users send about a fifth of requests. */
    static final double ACTIVITY_SKEW = 0.8;
    private static final String[] DEVICES = {"ios", "android", "web"};
    private static final double[] DEVICE_CUMULATIVE = {0.45, 0.85, 1.0};

    private static volatile SimTraffic defaultWorld;

    private final SimWorld world;
    private final int[] userByRank;
    private final double[] activityCumulative;

    SimTraffic(SimWorld world, int users) {
        if (users < 1 || users > world.users().size()) {
            throw new IllegalArgumentException("users must be in 1.." + world.users().size() + ", got " + users);
        }
        this.world = world;
        // A fixed shuffle, so heavy users are spread over the id range rather than u000000..u000099.
        SplittableRandom r = new SplittableRandom(7);
        userByRank = new int[users];
        for (int i = 0; i < users; i++) {
            userByRank[i] = i;
        }
        for (int i = users - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = userByRank[i];
            userByRank[i] = userByRank[j];
            userByRank[j] = t;
        }
        activityCumulative = new double[users];
        double sum = 0;
        for (int k = 0; k < users; k++) {
            sum += Math.pow(k + 1, -ACTIVITY_SKEW);
            activityCumulative[k] = sum;
        }
        for (int k = 0; k < users; k++) {
            activityCumulative[k] /= sum;
        }
    }

    /**
     * The world the server under test serves, built as {@code funnel demo} builds it: the default
     * sim config with {@code -DsimSeed}, {@code -DsimItems}, {@code -DsimUsers} when the server was
     * started with other {@code sim.*} values. Traffic comes from its first {@code -Dusers} users
     * (default all). Generated once per JVM (about a second for the default world).
     */
    static SimTraffic defaultWorld() {
        SimTraffic t = defaultWorld;
        if (t == null) {
            synchronized (SimTraffic.class) {
                t = defaultWorld;
                if (t == null) {
                    SimConfig c = SimConfig.DEFAULT
                            .withSeed((long) LoadSettings.number("simSeed", SimConfig.DEFAULT_SEED))
                            .withSize((int) LoadSettings.number("simItems", SimConfig.DEFAULT_ITEMS),
                                    (int) LoadSettings.number("simUsers", SimConfig.DEFAULT_USERS));
                    SimWorld w = SimWorld.generate(c);
                    t = new SimTraffic(w, (int) LoadSettings.number("users", w.users().size()));
                    defaultWorld = t;
                }
            }
        }
        return t;
    }

    SimWorld world() {
        return world;
    }

    /** Draws a user by activity. */
    SimUser nextUser() {
        double x = ThreadLocalRandom.current().nextDouble();
        int k = Arrays.binarySearch(activityCumulative, x);
        int rank = k >= 0 ? k : Math.min(-k - 1, activityCumulative.length - 1);
        return world.users().get(userByRank[rank]);
    }

    /**
     * An endless feeder of recommend requests: {@code user_id}, {@code scene} and the JSON
     * {@code body} for the scene mix and item count given.
     */
    Iterator<Map<String, Object>> recommendFeeder(SceneMix scenes, int count) {
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Map<String, Object> next() {
                ThreadLocalRandom r = ThreadLocalRandom.current();
                SimUser u = nextUser();
                String scene = scenes.pick(r.nextDouble());
                Map<String, Object> m = new HashMap<>(4);
                m.put("user_id", u.id());
                m.put("scene", scene);
                m.put("body", recommendBody(u, scene, count, device(r.nextDouble())));
                return m;
            }
        };
    }

    static String recommendBody(SimUser user, String scene, int count, String device) {
        return "{\"user_id\":\"" + user.id() + "\",\"scene\":\"" + scene + "\",\"count\":" + count
                + ",\"context\":{\"device\":\"" + device + "\",\"country\":\"" + user.country() + "\"}}";
    }

    static String device(double x) {
        for (int i = 0; i < DEVICE_CUMULATIVE.length; i++) {
            if (x < DEVICE_CUMULATIVE[i]) {
                return DEVICES[i];
            }
        }
        return DEVICES[DEVICES.length - 1];
    }

    /**
     * The feedback batch for one served slate: an {@code expose} per item shown and a
     * {@code click} for each the user clicks under the sim click model at its position. Item ids
     * outside the sim catalog (a server serving another catalog) are exposed but never clicked.
     *
     * @return the JSON array body and, through {@code clicksOut[0]}, the number of clicks drawn
     */
    String feedbackBody(String requestId, String userId, List<?> itemIds, long nowMillis, int[] clicksOut) {
        if (itemIds.isEmpty()) {
            clicksOut[0] = 0;
            return "[]";
        }
        SimUser user = world.user(userId);
        ThreadLocalRandom r = ThreadLocalRandom.current();
        StringBuilder sb = new StringBuilder(64 + itemIds.size() * 180);
        sb.append('[');
        int clicks = 0;
        for (int pos = 0; pos < itemIds.size(); pos++) {
            long item = ((Number) itemIds.get(pos)).longValue();
            appendEvent(sb, requestId, userId, item, "expose", nowMillis);
            boolean known = item >= 1 && item <= world.items().size();
            if (user != null && known && r.nextDouble() < world.clickProbability(user, item, pos)) {
                appendEvent(sb, requestId, userId, item, "click", nowMillis);
                clicks++;
            }
        }
        sb.setCharAt(sb.length() - 1, ']');
        clicksOut[0] = clicks;
        return sb.toString();
    }

    private static void appendEvent(StringBuilder sb, String requestId, String userId, long item, String event, long ts) {
        sb.append("{\"request_id\":\"").append(requestId).append("\",\"user_id\":\"").append(userId)
                .append("\",\"item_id\":").append(item).append(",\"event\":\"").append(event)
                .append("\",\"ts\":").append(ts).append("},");
    }
}

/**
 * What each user has already seen, so that recommendations do not repeat: the
 * {@link dev.funnel.exposure.ExposureStore} SPI, its configuration and metrics, and two
 * implementations made by {@link dev.funnel.exposure.ExposureStores}: in-process (default; bounded,
 * persisted on shutdown) and Redis (shared by many replicas).
 *
 * <p>Two records per user: a short-term one of what the server returned (so the next request does
 * not repeat it before the client reports) and a long-term one of what the client really showed
 * ({@code expose} feedback). Both are windowed Bloom filters with the same layout in either store
 * (package-private {@code BloomLayout}); one candidate hash is computed once per request and reused
 * against every window. In process, closed windows are also compacted into bit-sliced blocks
 * ({@code ClosedWindows}) so that a lookup costs about the same with thirty daily windows as with
 * one; the bits, and so the answers, are the windows' own.
 */
package dev.funnel.exposure;

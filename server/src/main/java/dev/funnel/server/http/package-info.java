/**
 * The HTTP API on Vert.x: {@link dev.funnel.server.http.FunnelServer} binds a cleartext port
 * (HTTP/1.1, h2c by prior knowledge or upgrade) and a TLS port (ALPN h2 and http/1.1), both served
 * by one router per event loop; {@code POST /v1/recommend}, health, metrics and the bearer-token
 * admin API. Requests run on the event loop that received them, through
 * {@link dev.funnel.server.http.VertxLoopScheduler}, the engine's view of that loop.
 */
package dev.funnel.server.http;

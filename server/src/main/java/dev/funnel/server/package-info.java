/**
 * The Funnel server process: {@link dev.funnel.server.FunnelMain} (commands {@code demo},
 * {@code serve}, {@code validate}, {@code docs}), its configuration ({@link dev.funnel.server.FunnelConfig},
 * {@link dev.funnel.server.ConfigLoader}) and {@link dev.funnel.server.FunnelApp}, which wires the
 * engine, the operators' services, the HTTP server and metrics together and shuts them down.
 */
package dev.funnel.server;

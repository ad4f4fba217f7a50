/**
 * The SRE surface of the server, all behind the admin token: the generated JSON Schema
 * ({@code /admin/schema}), hot-reload status ({@code /admin/reload}), explain / replay
 * ({@code /admin/explain} and {@code funnel explain}), and the console ({@code /console} with its
 * data at {@code /admin/console/state}). {@link dev.funnel.server.sre.SreAdmin} wires it.
 */
package dev.funnel.server.sre;

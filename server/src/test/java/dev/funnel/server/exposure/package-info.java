/** Integration tests of exposure filtering and feedback through the real server (and a real Redis). */
package dev.funnel.server.exposure;

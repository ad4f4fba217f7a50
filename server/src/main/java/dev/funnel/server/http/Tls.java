package dev.funnel.server.http;

import dev.funnel.server.FunnelConfig;
import io.vertx.core.net.KeyCertOptions;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.SelfSignedCertificate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;

/** The TLS port's key and certificate: the configured PEM files, or a self-signed pair made at start. */
public final class Tls {

    private static final Logger LOG = LoggerFactory.getLogger(Tls.class);

    private Tls() {
    }

    /**
     * @throws IllegalArgumentException when configured files do not exist
     */
    public static KeyCertOptions keyCert(FunnelConfig config) {
        if (config.tlsCertPath() != null) {
            for (String p : new String[] {config.tlsCertPath(), config.tlsKeyPath()}) {
                if (!Files.isReadable(Path.of(p))) {
                    throw new IllegalArgumentException("TLS file not readable: " + p + " (tls.cert / tls.key)");
                }
            }
            return new PemKeyCertOptions().setCertPath(config.tlsCertPath()).setKeyPath(config.tlsKeyPath());
        }
        SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
        LOG.warn("TLS port uses a SELF-SIGNED certificate for 'localhost' generated at start (clients need -k / trust-all); "
                + "set tls.cert and tls.key (FUNNEL_TLS_CERT, FUNNEL_TLS_KEY) to PEM files in production");
        return cert.keyCertOptions();
    }
}

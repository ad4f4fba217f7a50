package dev.funnel.streams.chronicle;

import dev.funnel.streams.Transport;
import dev.funnel.streams.TransportContract;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

class ChronicleTransportTest extends TransportContract {

    @TempDir
    Path dir;

    @Override
    protected Transport open() {
        return new ChronicleTransport(dir);
    }
}

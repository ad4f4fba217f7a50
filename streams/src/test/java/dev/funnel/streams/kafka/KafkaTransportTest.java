package dev.funnel.streams.kafka;

import dev.funnel.streams.Transport;
import dev.funnel.streams.TransportContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** The transport contract against a real KRaft broker, started once for the whole class. */
class KafkaTransportTest extends TransportContract {

    private static KafkaBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (broker != null) {
            broker.close();
        }
    }

    @Override
    protected Transport open() {
        return new KafkaTransport(broker.bootstrapServers(), "funnel-test.", 1);
    }
}

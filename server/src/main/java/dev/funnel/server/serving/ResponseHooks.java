package dev.funnel.server.serving;

import dev.funnel.engine.exec.DagResult;
import dev.funnel.engine.spi.Candidates;
import dev.funnel.engine.spi.RequestContext;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** The registered {@link ResponseListener}s. Add at wiring time; {@link #fire} from any loop. */
public final class ResponseHooks {

    private static final Logger LOG = LoggerFactory.getLogger(ResponseHooks.class);

    private final List<ResponseListener> listeners = new CopyOnWriteArrayList<>();
    private final Set<Class<?>> logged = ConcurrentHashMap.newKeySet();
    private final Counter errors;

    public ResponseHooks(MeterRegistry registry) {
        this.errors = Counter.builder("funnel.response.hook.errors").description("response listeners that threw")
                .register(registry);
    }

    /** Adds a listener; it sees every response written after this call. */
    public void add(ResponseListener listener) {
        listeners.add(listener);
    }

    /** Whether any listener is registered (the server skips the hop when none is). */
    public boolean isEmpty() {
        return listeners.isEmpty();
    }

    /** Runs every listener; one that throws does not stop the others. */
    public void fire(RequestContext request, Candidates served, DagResult result) {
        for (ResponseListener l : listeners) {
            try {
                l.onResponse(request, served, result);
            } catch (RuntimeException e) {
                errors.increment();
                if (logged.add(l.getClass())) {
                    LOG.error("response listener {} failed (logged once; counted in funnel_response_hook_errors_total)",
                            l.getClass().getName(), e);
                }
            }
        }
    }
}

# syntax=docker/dockerfile:1
# Funnel server image: docker build -t funnel . && docker run -p 8080:8080 -p 8443:8443 funnel demo
# Production: docker run -v /etc/funnel:/config -v /srv/dags:/app/dag-configs funnel serve --config /config/funnel.yaml

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# Poms first so the dependency layer is cached across source edits.
COPY pom.xml ./
COPY .mvn .mvn
COPY engine/pom.xml engine/
COPY features/pom.xml features/
COPY index/pom.xml index/
COPY exposure/pom.xml exposure/
COPY model-runtime/pom.xml model-runtime/
COPY streams/pom.xml streams/
COPY trainer/pom.xml trainer/
COPY sim/pom.xml sim/
COPY operators/pom.xml operators/
COPY dag-configs/pom.xml dag-configs/
COPY server/pom.xml server/
COPY bench/pom.xml bench/
COPY loadtest/pom.xml loadtest/
RUN mvn -B -q -pl server -am dependency:go-offline -DskipTests || true
COPY . .
RUN mvn -B -q -pl server -am package -DskipTests

FROM eclipse-temurin:17-jre
RUN apt-get update && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app --shell /usr/sbin/nologin funnel
WORKDIR /app
COPY --from=build /src/server/target/funnel.jar /app/funnel.jar
COPY dag-configs /app/dag-configs
COPY ops/docker/healthcheck.sh /app/healthcheck.sh
# data/ is where serve keeps its Chronicle streams and trainer checkpoints and demo its catalog
# snapshot (relative to /app): the only directory the server writes; mount a volume there to keep it.
# chmod: a checkout without file modes (Windows) must still give the health check an executable.
RUN mkdir -p /app/data && chown funnel /app/data && chmod 0755 /app/healthcheck.sh
USER funnel
EXPOSE 8080 8443
# /health/live on the cleartext port, else on the TLS port (curl -k), as FUNNEL_HTTP_PORT / FUNNEL_HTTPS_PORT
# say (-1 = off): an image run TLS-only or without cleartext is healthy too. See the script for the rest.
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/app/healthcheck.sh"]
# The root pom's funnel.jvm.flags (Chronicle Queue on Java 17, analytics off). Extra options: JAVA_TOOL_OPTIONS.
# The JVM's default collector (G1; BENCHMARKS.md, end-to-end, says why). Another: docker run -e JDK_JAVA_OPTIONS=-XX:+UseShenandoahGC …
ENTRYPOINT ["java", "--add-exports=java.base/jdk.internal.ref=ALL-UNNAMED", "--add-exports=java.base/sun.nio.ch=ALL-UNNAMED", "--add-exports=jdk.unsupported/sun.misc=ALL-UNNAMED", "--add-exports=jdk.compiler/com.sun.tools.javac.file=ALL-UNNAMED", "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED", "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=jdk.compiler/com.sun.tools.javac=ALL-UNNAMED", "-Dchronicle.analytics.disable=true", "-jar", "/app/funnel.jar"]
CMD ["demo"]

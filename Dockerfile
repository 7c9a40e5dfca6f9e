# The Gantry image: one image for the controller and the xds-shards (the Helm chart chooses the command).
#
# Build the jars first, then the image (from the repository root):
#   ./mvnw -B -ntp -DskipTests package
#   docker build -t ghcr.io/gantry-dev/gantry:0.1.0 .
#
# Runs as a fixed non-root user (uid/gid 10001) so that runAsNonRoot can be verified and the chart's
# readOnlyRootFilesystem works (the chart mounts an emptyDir on /tmp for the JVM).
FROM eclipse-temurin:25-jre

RUN groupadd --system --gid 10001 gantry \
 && useradd --system --uid 10001 --gid gantry --no-create-home --home-dir /nonexistent \
      --shell /usr/sbin/nologin gantry

WORKDIR /app
# Dependencies first: they change less often than Gantry's own jar.
COPY launcher/target/lib/ /app/lib/
COPY launcher/target/gantry-launcher.jar /app/gantry-launcher.jar

USER 10001:10001
# xDS (ADS over gRPC) and admin (/healthz, /readyz, /metrics).
EXPOSE 18000 9090
ENV JDK_JAVA_OPTIONS="-XX:MaxRAMPercentage=75.0 -XX:+ExitOnOutOfMemoryError -XX:+UseCompactObjectHeaders --enable-native-access=ALL-UNNAMED"
ENTRYPOINT ["java", "-cp", "/app/gantry-launcher.jar:/app/lib/*", "dev.gantry.launcher.Main"]
CMD ["--help"]

#!/usr/bin/env bash
# Local services for the integration tests: a single-node KRaft Kafka and a
# Redis, both bound to loopback on non-default ports so they never clash with
# a Kafka or Redis a developer already runs.
#
#   scripts/services.sh install   fetch Kafka jars (Maven) and redis-server (apt) if missing
#   scripts/services.sh start     start both (fresh Kafka data each time) and wait until they serve
#   scripts/services.sh stop      stop both by pidfile
#   scripts/services.sh status    show what is running (exit 0 only if both are up)
#   scripts/services.sh env       print the export lines the tests read
#
# The ports are 19092 (Kafka), 19093 (its controller) and 16379 (Redis);
# SOCIALPULSE_TEST_KAFKA_PORT, SOCIALPULSE_TEST_CONTROLLER_PORT and
# SOCIALPULSE_TEST_REDIS_PORT move them, so a second checkout can run its
# own services (and `make test`) beside another's.
#
# Everything lives under .cache/ in the repo (git-ignored): the Kafka jars in
# .cache/kafka/, pidfiles, logs and data in .cache/run/.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="$ROOT/.cache"
KAFKA_DIR="$CACHE/kafka"
RUN="$CACHE/run"

# 4.3.1 is the newest 4.x for which both the broker (kafka_2.13) and the
# command-line tools (kafka-tools, used for the readiness check) are served.
KAFKA_VERSION="4.3.1"
# Kafka's jars log through slf4j 1.x; the matching log4j2 binding is not a
# dependency of the broker jar (the release tarball adds it), so we add it.
# Keep this equal to the log4j version the Kafka release uses.
LOG4J_VERSION="2.25.4"

HOST="127.0.0.1"
KAFKA_PORT="${SOCIALPULSE_TEST_KAFKA_PORT:-19092}"
CONTROLLER_PORT="${SOCIALPULSE_TEST_CONTROLLER_PORT:-19093}"
REDIS_PORT="${SOCIALPULSE_TEST_REDIS_PORT:-16379}"

KAFKA_LIBS="$KAFKA_DIR/libs"
KAFKA_STAMP="$KAFKA_DIR/.installed-$KAFKA_VERSION"
KAFKA_PID="$RUN/kafka.pid"
KAFKA_LOG="$RUN/kafka.log"
KAFKA_DATA="$RUN/kafka-data"
REDIS_PID="$RUN/redis.pid"
REDIS_LOG="$RUN/redis.log"

# Seconds to wait for each service to serve before giving up.
KAFKA_START_TIMEOUT="${KAFKA_START_TIMEOUT:-120}"
REDIS_START_TIMEOUT="${REDIS_START_TIMEOUT:-20}"

log() { echo "services: $*" >&2; }
die() { log "error: $*"; exit 1; }

need() { command -v "$1" >/dev/null 2>&1 || die "$1 not found: $2"; }

# ---------------------------------------------------------------- install

# Debian packages the tests use, as "binary:package" pairs: Redis is started
# by this script; Prometheus and Alertmanager are started by the tests that
# need them, each with its own config on a free loopback port.
DEBIAN_TOOLS="redis-server:redis-server redis-cli:redis-tools prometheus:prometheus prometheus-alertmanager:prometheus-alertmanager chromium:chromium"

install_debian() {
  local missing="" pair
  for pair in $DEBIAN_TOOLS; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing="$missing ${pair#*:}"
  done
  [ -n "$missing" ] || return 0
  log "installing from Debian packages:$missing"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # The package lists may be missing or stale on a fresh machine; refresh them
  # only when we actually have something to install.
  $sudo apt-get update -qq
  # Packages must not start their own daemons (on 6379, 9090, 9093): a
  # policy-rc.d that says "no" keeps the machine's ports free for the tests.
  local policy=/usr/sbin/policy-rc.d own_policy=""
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod +x "$policy"
    own_policy=1
  fi
  # shellcheck disable=SC2086 # one word per package
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing >/dev/null
  [ -z "$own_policy" ] || $sudo rm -f "$policy"
}

install_kafka() {
  if [ -f "$KAFKA_STAMP" ]; then
    return # cached: no network work on later runs
  fi
  need java "Java 17+ is required to run Kafka"
  need mvn "Maven is required to fetch the Kafka jars"
  log "fetching Kafka $KAFKA_VERSION jars from Maven Central (one-off)"
  mkdir -p "$KAFKA_DIR"
  # A throwaway pom whose only job is to let Maven resolve the broker and tools
  # with all their runtime dependencies; copy-dependencies then puts every jar
  # in one flat directory usable as a java classpath ("libs/*").
  cat >"$KAFKA_DIR/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.socialpulse</groupId>
  <artifactId>kafka-test-broker</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <!-- broker, controller and the KRaft storage tool (kafka.tools.StorageTool) -->
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <!-- TopicCommand, ConsoleProducer, ConsoleConsumer; connect-runtime is only
         needed by the Connect plugin tool and would add ~40 jars -->
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka-tools</artifactId>
      <version>$KAFKA_VERSION</version>
      <exclusions>
        <exclusion>
          <groupId>org.apache.kafka</groupId>
          <artifactId>connect-runtime</artifactId>
        </exclusion>
      </exclusions>
    </dependency>
    <!-- logging: slf4j -> log4j2, all at one log4j version -->
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-slf4j-impl</artifactId>
      <version>$LOG4J_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-core</artifactId>
      <version>$LOG4J_VERSION</version>
    </dependency>
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>log4j-api</artifactId>
      <version>$LOG4J_VERSION</version>
    </dependency>
  </dependencies>
</project>
EOF
  # Fill a temporary directory and move it into place only on success, so an
  # interrupted download never looks like a complete install.
  rm -rf "$KAFKA_LIBS.tmp" "$KAFKA_LIBS"
  # Maven's output goes to a file and is shown only if it fails.
  if ! (cd "$KAFKA_DIR" && mvn -B -q dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS.tmp" \
    >"$KAFKA_DIR/mvn.log" 2>&1 </dev/null); then
    tail -n 40 "$KAFKA_DIR/mvn.log" >&2
    die "mvn could not fetch Kafka $KAFKA_VERSION (log: ${KAFKA_DIR#"$ROOT"/}/mvn.log)"
  fi
  [ -f "$KAFKA_LIBS.tmp/kafka_2.13-$KAFKA_VERSION.jar" ] || die "kafka_2.13-$KAFKA_VERSION.jar missing after mvn"
  mv "$KAFKA_LIBS.tmp" "$KAFKA_LIBS"
  rm -f "$KAFKA_DIR"/.installed-*
  touch "$KAFKA_STAMP"
  log "Kafka jars in ${KAFKA_LIBS#"$ROOT"/}"
}

cmd_install() {
  install_debian
  install_kafka
}

# ---------------------------------------------------------------- helpers

# pid_of FILE PATTERN: the pid in FILE if that process is alive and its command
# line matches PATTERN (guards against a stale pidfile whose pid was reused).
pid_of() {
  local file=$1 pattern=$2 pid cmdline
  [ -f "$file" ] || return 1
  pid="$(tr -dc '0-9' <"$file")"
  [ -n "$pid" ] && alive "$pid" || return 1
  cmdline="$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ $cmdline == *"$pattern"* ]] || return 1
  echo "$pid"
}

# alive PID: true while the process exists and is not a zombie (an orphaned
# zombie still answers kill -0 until someone reaps it).
alive() {
  local state
  # The state letter follows the ")" that closes the command name.
  state="$(sed -n 's/.*) \([A-Za-z]\).*/\1/p' "/proc/$1/stat" 2>/dev/null)" || return 1
  [ -n "$state" ] && [ "$state" != Z ]
}

port_open() { (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null; }

# stop_pid NAME PIDFILE PATTERN: SIGTERM, wait for a clean shutdown, SIGKILL
# as a last resort, so nothing is ever left behind.
stop_pid() {
  local name=$1 file=$2 pattern=$3 pid i
  if pid="$(pid_of "$file" "$pattern")"; then
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do # up to 30s
      alive "$pid" || break
      sleep 0.1
    done
    if alive "$pid"; then
      log "$name did not stop in 30s, killing it"
      kill -KILL "$pid" 2>/dev/null || true
      while alive "$pid"; do sleep 0.1; done
    fi
  fi
  rm -f "$file"
}

# fail NAME LOG MESSAGE: report a service that did not come up, with the end
# of its log, and leave nothing running.
fail() {
  local name=$1 logfile=$2
  shift 2
  log "error: $name: $*"
  if [ -f "$logfile" ]; then
    log "last lines of ${logfile#"$ROOT"/}:"
    tail -n 40 "$logfile" >&2
  fi
  cmd_stop
  exit 1
}

# The broker: a small heap, as the tests need a working broker, not a fast one.
KAFKA_JAVA=(java -Xms256m -Xmx512m -XX:+UseG1GC -Djava.awt.headless=true
  -Dlog4j2.configurationFile="$RUN/log4j2.properties" -cp "$KAFKA_LIBS/*")
# Short-lived command-line tools (storage format, readiness check): the
# C1-only JIT and serial GC roughly halve their start-up time.
TOOL_JAVA=(java -Xmx256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC
  -Dlog4j2.configurationFile="$RUN/log4j2.properties" -cp "$KAFKA_LIBS/*")

# ---------------------------------------------------------------- start

write_kafka_config() {
  cat >"$RUN/server.properties" <<EOF
# Single-node KRaft: this process is both broker and the only controller.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@$HOST:$CONTROLLER_PORT
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://$HOST:$KAFKA_PORT,CONTROLLER://$HOST:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://$HOST:$KAFKA_PORT
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=$KAFKA_DATA

# Tests create topics by producing to them.
auto.create.topics.enable=true
num.partitions=1
default.replication.factor=1
min.insync.replicas=1

# Internal topics default to replication factor 3, impossible on one node.
# One partition each keeps first use (e.g. the first consumer group) fast.
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=1

# Consumer groups start at once instead of waiting for more members.
group.initial.rebalance.delay.ms=0
EOF

  # Kafka logs to stdout, which start_kafka sends to kafka.log. WARN keeps
  # the file short; the INFO line from KafkaRaftServer marks "started".
  cat >"$RUN/log4j2.properties" <<'EOF'
status = warn
# Kafka stops its own logging on shutdown; no second hook needed.
shutdownHook = disable
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.out.ref = STDOUT
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = INFO
EOF
}

start_kafka() {
  if pid_of "$KAFKA_PID" kafka.Kafka >/dev/null; then
    log "Kafka already running on $HOST:$KAFKA_PORT"
    return
  fi

  # Fresh data every start: tests never see topics or offsets of an old run.
  rm -rf "$KAFKA_DATA"
  mkdir -p "$RUN"
  write_kafka_config
  : >"$KAFKA_LOG"

  # KRaft needs its log directory formatted with a cluster id before the first
  # start. Any fixed 16-byte base64url id will do for a throwaway cluster.
  "${TOOL_JAVA[@]}" kafka.tools.StorageTool format \
    --config "$RUN/server.properties" --cluster-id c29jaWFscHVsc2V0ZXN0MQ \
    >>"$KAFKA_LOG" 2>&1 </dev/null || fail Kafka "$KAFKA_LOG" "storage format failed"

  log "starting Kafka $KAFKA_VERSION on $HOST:$KAFKA_PORT (controller $CONTROLLER_PORT)"
  # java runs directly in the background (no shell function or subshell in
  # between) so $! is the JVM's own pid. All three standard streams are
  # redirected so the broker never holds the caller's terminal or CI's output
  # pipe open.
  "${KAFKA_JAVA[@]}" kafka.Kafka "$RUN/server.properties" >>"$KAFKA_LOG" 2>&1 </dev/null &
  echo $! >"$KAFKA_PID"
}

wait_kafka() {
  local deadline=$((SECONDS + KAFKA_START_TIMEOUT))
  # First the port: cheap to poll, and we notice at once if the JVM died.
  until port_open "$KAFKA_PORT"; do
    pid_of "$KAFKA_PID" kafka.Kafka >/dev/null || fail Kafka "$KAFKA_LOG" "process exited during startup"
    [ "$SECONDS" -lt "$deadline" ] || fail Kafka "$KAFKA_LOG" "port $KAFKA_PORT not open after ${KAFKA_START_TIMEOUT}s"
    sleep 0.5
  done
  # An open port is not yet a working broker: a real admin request (list
  # topics) must succeed, which needs the controller and metadata to be up.
  until timeout 30 "${TOOL_JAVA[@]}" org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "$HOST:$KAFKA_PORT" --list >/dev/null 2>>"$KAFKA_LOG" </dev/null; do
    pid_of "$KAFKA_PID" kafka.Kafka >/dev/null || fail Kafka "$KAFKA_LOG" "process exited during startup"
    [ "$SECONDS" -lt "$deadline" ] || fail Kafka "$KAFKA_LOG" "broker not serving after ${KAFKA_START_TIMEOUT}s"
    sleep 1
  done
  log "Kafka is serving on $HOST:$KAFKA_PORT"
}

start_redis() {
  if pid_of "$REDIS_PID" redis-server >/dev/null; then
    log "Redis already running on $HOST:$REDIS_PORT"
    return
  fi
  mkdir -p "$RUN"
  : >"$REDIS_LOG"
  log "starting Redis on $HOST:$REDIS_PORT"
  # No config file: everything on the command line. No persistence, so
  # every start is empty and nothing is written to disk.
  redis-server --bind "$HOST" --port "$REDIS_PORT" \
    --save "" --appendonly no --dir "$RUN" \
    --daemonize yes --pidfile "$REDIS_PID" --logfile "$REDIS_LOG" </dev/null ||
    fail Redis "$REDIS_LOG" "redis-server failed to start"
}

wait_redis() {
  local deadline=$((SECONDS + REDIS_START_TIMEOUT))
  until [ "$(redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; do
    [ "$SECONDS" -lt "$deadline" ] || fail Redis "$REDIS_LOG" "no PONG after ${REDIS_START_TIMEOUT}s"
    sleep 0.2
  done
  log "Redis is serving on $HOST:$REDIS_PORT"
}

# preflight: everything that can be checked before starting anything, so a
# missing install or a busy port never leaves one service half-started.
preflight() {
  local port
  if ! pid_of "$KAFKA_PID" kafka.Kafka >/dev/null; then
    [ -f "$KAFKA_STAMP" ] || die "Kafka is not installed: run scripts/services.sh install"
    for port in "$KAFKA_PORT" "$CONTROLLER_PORT"; do
      if port_open "$port"; then die "port $port is taken by another process"; fi
    done
  fi
  if ! pid_of "$REDIS_PID" redis-server >/dev/null; then
    need redis-server "run scripts/services.sh install"
    if port_open "$REDIS_PORT"; then die "port $REDIS_PORT is taken by another process"; fi
  fi
}

cmd_start() {
  preflight
  # Kafka first: its JVM boots while Redis starts and answers.
  start_kafka
  start_redis
  wait_redis
  wait_kafka
}

# ---------------------------------------------------------------- stop/status/env

cmd_stop() {
  stop_pid Kafka "$KAFKA_PID" kafka.Kafka
  stop_pid Redis "$REDIS_PID" redis-server
}

cmd_status() {
  local up=0 pid
  if pid="$(pid_of "$KAFKA_PID" kafka.Kafka)"; then
    echo "kafka: running (pid $pid) on $HOST:$KAFKA_PORT"
    up=$((up + 1))
  else
    echo "kafka: stopped"
  fi
  if pid="$(pid_of "$REDIS_PID" redis-server)"; then
    echo "redis: running (pid $pid) on $HOST:$REDIS_PORT"
    up=$((up + 1))
  else
    echo "redis: stopped"
  fi
  [ "$up" -eq 2 ]
}

cmd_env() {
  # Use as: eval "$(scripts/services.sh env)"
  echo "export SOCIALPULSE_TEST_KAFKA=$HOST:$KAFKA_PORT"
  echo "export SOCIALPULSE_TEST_REDIS=$HOST:$REDIS_PORT"
  echo "export SOCIALPULSE_TEST_PROMETHEUS=$(command -v prometheus || true)"
  echo "export SOCIALPULSE_TEST_ALERTMANAGER=$(command -v prometheus-alertmanager || true)"
  echo "export SOCIALPULSE_TEST_CHROMIUM=$(command -v chromium || true)"
  # The fault tests start private brokers (which they restart) from these jars.
  echo "export SOCIALPULSE_TEST_KAFKA_LIBS=$KAFKA_LIBS"
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  env) cmd_env ;;
  *)
    echo "usage: $0 install|start|stop|status|env" >&2
    exit 2
    ;;
esac

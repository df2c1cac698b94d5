package testenv

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// EnvKafkaLibs holds the directory of the Kafka jars (scripts/services.sh
// env), from which StartKafka runs a private broker.
const EnvKafkaLibs = "SOCIALPULSE_TEST_KAFKA_LIBS"

// kafkaStartTimeout bounds a broker start: a JVM on a busy two-core machine
// can take a while.
const kafkaStartTimeout = 3 * time.Minute

// kafkaStarted is the line KafkaRaftServer logs once the broker serves.
const kafkaStarted = "Kafka Server started"

// Kafka is a private single-node KRaft broker (broker and controller in one
// process) started by a test, which the test may stop and restart. It keeps
// its ports and its log directory across restarts.
type Kafka struct {
	// Addr is the broker's PLAINTEXT listener, host:port on loopback.
	Addr   string
	s      *server
	starts int
}

// StartKafka formats a KRaft log directory and starts a broker from the jars
// in SOCIALPULSE_TEST_KAFKA_LIBS on free loopback ports, waits until it
// serves, and kills it when the test ends. Without the jars (or java) the
// test skips, or fails when services are required.
func StartKafka(t testing.TB) *Kafka {
	t.Helper()
	libs := strings.TrimSpace(os.Getenv(EnvKafkaLibs))
	if libs == "" {
		unavailable(t, "integration: set "+EnvKafkaLibs+" (see scripts/services.sh env)")
		return nil
	}
	if st, err := os.Stat(libs); err != nil || !st.IsDir() {
		unavailable(t, fmt.Sprintf("integration: %s=%s is not a directory", EnvKafkaLibs, libs))
		return nil
	}
	java := lookPath(t, "java")
	dir := t.TempDir()
	port, ctrl := freePort(t, 0), freePort(t, 0)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	props := filepath.Join(dir, "server.properties")
	cfg := fmt.Sprintf(`process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:%d
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://%s,CONTROLLER://127.0.0.1:%d
advertised.listeners=PLAINTEXT://%s
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
log.dirs=%s
auto.create.topics.enable=true
num.partitions=1
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=1
group.initial.rebalance.delay.ms=0
`, ctrl, addr, ctrl, addr, filepath.Join(dir, "data"))
	log4j := filepath.Join(dir, "log4j2.properties")
	if err := os.WriteFile(props, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(log4j, []byte(`status = warn
shutdownHook = disable
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.out.ref = STDOUT
logger.server.name = kafka.server.KafkaRaftServer
logger.server.level = INFO
`), 0o600); err != nil {
		t.Fatal(err)
	}
	cp := filepath.Join(libs, "*")
	logProp := "-Dlog4j2.configurationFile=" + log4j
	out, err := exec.Command(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", logProp, "-cp", cp,
		"kafka.tools.StorageTool", "format", "--config", props, "--cluster-id", "c29jaWFscHVsc2VmYXVsdA").CombinedOutput()
	if err != nil {
		t.Fatalf("testenv: kafka storage format: %v\n%s", err, out)
	}
	k := &Kafka{Addr: addr, s: newServer(t, "kafka", dir, java,
		"-Xms128m", "-Xmx384m", "-XX:+UseSerialGC", "-Djava.awt.headless=true", logProp, "-cp", cp, "kafka.Kafka", props)}
	k.Start()
	return k
}

// Start starts the broker again after Stop or Kill and waits until it logs
// that it serves.
func (k *Kafka) Start() {
	k.s.t.Helper()
	k.s.start()
	k.starts++
	deadline := time.Now().Add(kafkaStartTimeout)
	for bytes.Count(k.s.log(), []byte(kafkaStarted)) < k.starts {
		k.s.running()
		if time.Now().After(deadline) {
			k.s.t.Fatalf("testenv: kafka on %s not started after %v", k.Addr, kafkaStartTimeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// Stop shuts the broker down with SIGTERM (a controlled shutdown) and waits
// for it to exit.
func (k *Kafka) Stop() { k.s.stop(time.Minute) }

// Kill stops the broker with SIGKILL.
func (k *Kafka) Kill() { k.s.kill() }

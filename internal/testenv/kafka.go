package testenv

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
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
	Addr string
	// SSLAddr, MTLSAddr and SASLSSLAddr are the secured listeners of a
	// broker started by StartKafkaSecure (empty otherwise): TLS without a
	// client certificate, TLS requiring a client certificate signed by the
	// test CA, and SASL (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512) over TLS.
	SSLAddr, MTLSAddr, SASLSSLAddr string
	s                              *server
	starts                         int
}

// KafkaSecurity configures the secured listeners of StartKafkaSecure.
type KafkaSecurity struct {
	// TLS holds the broker's certificate (TLSFiles.KeystoreFile) and the CA
	// whose client certificates the mutual-TLS listener accepts. Required.
	TLS *TLSFiles
	// PlainUsers are the SASL/PLAIN users, name to password.
	PlainUsers map[string]string
	// ScramSHA256Users and ScramSHA512Users are the SCRAM users of each
	// mechanism, name to password; they are created when the log directory
	// is formatted. A user of one mechanism cannot log in with the other.
	ScramSHA256Users, ScramSHA512Users map[string]string
}

// StartKafka formats a KRaft log directory and starts a broker from the jars
// in SOCIALPULSE_TEST_KAFKA_LIBS on free loopback ports, waits until it
// serves, and kills it when the test ends. Without the jars (or java) the
// test skips, or fails when services are required.
func StartKafka(t testing.TB) *Kafka {
	t.Helper()
	return startKafka(t, nil)
}

// StartKafkaSecure starts a broker like StartKafka with, beside its
// PLAINTEXT listener (Addr, also used between broker and controller), an
// SSL listener (SSLAddr), an SSL listener that requires a client
// certificate (MTLSAddr) and a SASL_SSL listener (SASLSSLAddr) that offers
// PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512 with the users in sec. Every
// secured listener presents sec.TLS's server certificate (valid for
// 127.0.0.1 and localhost). Names and passwords may only use letters,
// digits, '.', '_' and '-'.
func StartKafkaSecure(t testing.TB, sec KafkaSecurity) *Kafka {
	t.Helper()
	if sec.TLS == nil {
		t.Fatal("testenv: StartKafkaSecure needs KafkaSecurity.TLS")
	}
	for _, users := range []map[string]string{sec.PlainUsers, sec.ScramSHA256Users, sec.ScramSHA512Users} {
		for name, pw := range users {
			if !plainWord(name) || !plainWord(pw) {
				t.Fatalf("testenv: kafka user %q: names and passwords may only use [A-Za-z0-9._-]", name)
			}
		}
	}
	return startKafka(t, &sec)
}

// plainWord reports whether s is non-empty and needs no quoting in a JAAS
// option or a StorageTool --add-scram argument.
func plainWord(s string) bool {
	return s != "" && sanitize(s) == s
}

// secureProps returns the listeners (also advertised as they are), their
// security protocols and the settings StartKafkaSecure adds.
func (k *Kafka) secureProps(sec *KafkaSecurity) (listeners, protocols, extra string) {
	listeners = fmt.Sprintf(",SSL://%s,MTLS://%s,SASL_SSL://%s", k.SSLAddr, k.MTLSAddr, k.SASLSSLAddr)
	protocols = ",SSL:SSL,MTLS:SSL,SASL_SSL:SASL_SSL"
	var b strings.Builder
	fmt.Fprintf(&b, "ssl.keystore.type=PEM\nssl.keystore.location=%s\n", sec.TLS.KeystoreFile)
	fmt.Fprintf(&b, "ssl.truststore.type=PEM\nssl.truststore.location=%s\n", sec.TLS.CAFile)
	b.WriteString("ssl.client.auth=none\nlistener.name.mtls.ssl.client.auth=required\n")
	b.WriteString("listener.name.sasl_ssl.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512\n")
	b.WriteString("listener.name.sasl_ssl.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required")
	for _, name := range sortedKeys(sec.PlainUsers) {
		fmt.Fprintf(&b, " user_%s=\"%s\"", name, sec.PlainUsers[name])
	}
	b.WriteString(";\n")
	for _, m := range []string{"scram-sha-256", "scram-sha-512"} {
		fmt.Fprintf(&b, "listener.name.sasl_ssl.%s.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;\n", m)
	}
	return listeners, protocols, b.String()
}

// scramArgs are the StorageTool arguments that create the SCRAM users.
func scramArgs(sec *KafkaSecurity) []string {
	var args []string
	for _, m := range []struct {
		name  string
		users map[string]string
	}{{"SCRAM-SHA-256", sec.ScramSHA256Users}, {"SCRAM-SHA-512", sec.ScramSHA512Users}} {
		for _, name := range sortedKeys(m.users) {
			args = append(args, "--add-scram", fmt.Sprintf("%s=[name=%s,password=%s]", m.name, name, m.users[name]))
		}
	}
	return args
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func startKafka(t testing.TB, sec *KafkaSecurity) *Kafka {
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
	k := &Kafka{Addr: addr}
	var listeners, protocols, extra string
	var formatExtra []string
	if sec != nil {
		k.SSLAddr = fmt.Sprintf("127.0.0.1:%d", freePort(t, 0))
		k.MTLSAddr = fmt.Sprintf("127.0.0.1:%d", freePort(t, 0))
		k.SASLSSLAddr = fmt.Sprintf("127.0.0.1:%d", freePort(t, 0))
		listeners, protocols, extra = k.secureProps(sec)
		formatExtra = scramArgs(sec)
	}
	props := filepath.Join(dir, "server.properties")
	cfg := fmt.Sprintf(`process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:%d
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://%s,CONTROLLER://127.0.0.1:%d%s
advertised.listeners=PLAINTEXT://%s%s
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT%s
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
`, ctrl, addr, ctrl, listeners, addr, listeners, protocols, filepath.Join(dir, "data")) + extra
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
	format := append([]string{"-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", logProp, "-cp", cp,
		"kafka.tools.StorageTool", "format", "--config", props, "--cluster-id", "c29jaWFscHVsc2VmYXVsdA"}, formatExtra...)
	out, err := exec.Command(java, format...).CombinedOutput()
	if err != nil {
		t.Fatalf("testenv: kafka storage format: %v\n%s", err, out)
	}
	k.s = newServer(t, "kafka", dir, java,
		"-Xms128m", "-Xmx384m", "-XX:+UseSerialGC", "-Djava.awt.headless=true", logProp, "-cp", cp, "kafka.Kafka", props)
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

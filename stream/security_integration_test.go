package stream_test

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/segmentio/kafka-go"
	"go.uber.org/zap"
	"go.uber.org/zap/zapcore"
	"go.uber.org/zap/zaptest/observer"

	"github.com/socialpulse/socialpulse/app"
	"github.com/socialpulse/socialpulse/config"
	"github.com/socialpulse/socialpulse/internal/testenv"
	"github.com/socialpulse/socialpulse/stream"
)

// Users of the secured broker. Each SCRAM user exists for one mechanism
// only, so a client that builds the wrong SCRAM variant cannot log in.
const (
	plainUser, plainPassword   = "plain-user", "plain-secret-4d1e"
	scram256User, scram256Pass = "scram256-user", "scram256-secret-8b2a"
	scram512User, scram512Pass = "scram512-user", "scram512-secret-19c7"
)

// secureRecords is how many records each delivery case produces.
const secureRecords = 200

// TestSecureKafka runs the product's producer and consumer group, built from
// a config file through config.Load and app.KafkaClient as the processor
// builds them, against one private broker with TLS, mutual-TLS and SASL_SSL
// listeners, and checks that misconfigured credentials or trust fail fast
// with an error that says why.
func TestSecureKafka(t *testing.T) {
	pki := testenv.NewTLSFiles(t)
	k := testenv.StartKafkaSecure(t, testenv.KafkaSecurity{
		TLS:              pki,
		PlainUsers:       map[string]string{plainUser: plainPassword},
		ScramSHA256Users: map[string]string{scram256User: scram256Pass},
		ScramSHA512Users: map[string]string{scram512User: scram512Pass},
	})
	other := testenv.NewTLSFiles(t) // a CA the broker's certificate is not signed by

	t.Run("deliver", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			name    string
			broker  string
			yaml    string   // the kafka section's security settings
			environ []string // environment overrides
			secret  string   // written to secret.txt in the case's directory
		}{
			{
				name:   "TLS with the CA from ca_file and the server name from the broker address",
				broker: k.SSLAddr,
				yaml:   tlsYAML(pki.CAFile, "", ""),
			},
			{
				name:   "TLS verifying the server name set in server_name",
				broker: strings.Replace(k.SSLAddr, "127.0.0.1", "localhost", 1),
				yaml:   tlsYAML(pki.CAFile, "", "") + "    server_name: localhost\n",
			},
			{
				name:   "mutual TLS with a client certificate from cert_file and key_file",
				broker: k.MTLSAddr,
				yaml:   tlsYAML(pki.CAFile, pki.ClientCertFile, pki.ClientKeyFile),
			},
			{
				name:   "SASL PLAIN over TLS with the password in the config",
				broker: k.SASLSSLAddr,
				yaml:   tlsYAML(pki.CAFile, "", "") + saslYAML("plain", plainUser, "password: "+plainPassword),
			},
			{
				name:   "SASL SCRAM-SHA-256 over TLS with the password from password_file",
				broker: k.SASLSSLAddr,
				yaml:   tlsYAML(pki.CAFile, "", "") + saslYAML("scram-sha-256", scram256User, "password_file: {{dir}}/secret.txt"),
				secret: scram256Pass + "\n",
			},
			{
				name:    "SASL SCRAM-SHA-512 over TLS with the password from the environment",
				broker:  k.SASLSSLAddr,
				yaml:    tlsYAML(pki.CAFile, "", "") + saslYAML("scram-sha-512", scram512User, ""),
				environ: []string{"SOCIALPULSE_KAFKA_SASL_PASSWORD=" + scram512Pass},
			},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				cfg := loadKafkaConfig(t, tc.broker, tc.yaml, tc.secret, tc.environ)
				createTopic(t, k.Addr, cfg.Kafka.Topic, 2)
				deliverAndCommit(t, k.Addr, cfg)
			})
		}
	})

	t.Run("config without a SASL password is refused naming kafka.sasl.password", func(t *testing.T) {
		t.Parallel()
		path := filepath.Join(t.TempDir(), "config.yaml")
		doc := "kafka:\n  brokers: [\"" + k.SASLSSLAddr + "\"]\n" + tlsYAML(pki.CAFile, "", "") + saslYAML("scram-sha-256", scram256User, "")
		if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
			t.Fatal(err)
		}
		_, err := config.Load(path, nil)
		if err == nil || !strings.Contains(err.Error(), "kafka.sasl.password") {
			t.Fatalf("want a config error naming kafka.sasl.password, got %v", err)
		}
	})

	t.Run("refuse", func(t *testing.T) {
		t.Parallel()
		for _, tc := range []struct {
			name   string
			broker string
			yaml   string
			// check inspects the producer's error; it names what must show.
			check func(t *testing.T, err error)
			// consumerErr must appear in the error a consumer with these
			// settings gives up with. Empty: the consumer group sees only
			// a closed connection (EOF), which a broker restart also
			// causes, so the consumer keeps retrying (and logging why).
			consumerErr string
		}{
			{
				name:        "wrong SCRAM-SHA-512 password fails with SASL authentication failed",
				broker:      k.SASLSSLAddr,
				yaml:        tlsYAML(pki.CAFile, "", "") + saslYAML("scram-sha-512", scram512User, "password: not-the-password"),
				check:       wantAuthFailed,
				consumerErr: "SASL Authentication Failed",
			},
			{
				name:        "wrong PLAIN password fails with SASL authentication failed",
				broker:      k.SASLSSLAddr,
				yaml:        tlsYAML(pki.CAFile, "", "") + saslYAML("plain", plainUser, "password: not-the-password"),
				check:       wantAuthFailed,
				consumerErr: "SASL Authentication Failed",
			},
			{
				name:        "SCRAM-SHA-256 user refused over SCRAM-SHA-512",
				broker:      k.SASLSSLAddr,
				yaml:        tlsYAML(pki.CAFile, "", "") + saslYAML("scram-sha-512", scram256User, "password: "+scram256Pass),
				check:       wantAuthFailed,
				consumerErr: "SASL Authentication Failed",
			},
			{
				name:        "broker certificate from an untrusted CA fails with a certificate error",
				broker:      k.SSLAddr,
				yaml:        tlsYAML(other.CAFile, "", ""),
				check:       wantUnknownAuthority,
				consumerErr: "certificate signed by unknown authority",
			},
			{
				name:   "server name the certificate does not cover fails with a certificate error",
				broker: k.SSLAddr,
				yaml:   tlsYAML(pki.CAFile, "", "") + "    server_name: kafka.example.com\n",
				check: func(t *testing.T, err error) {
					var host x509.HostnameError
					if !errors.As(err, &host) {
						t.Errorf("want an x509.HostnameError, got %v", err)
					}
				},
				consumerErr: "certificate is valid for",
			},
			{
				name:   "plaintext client on the TLS listener fails saying the broker expects TLS",
				broker: k.SSLAddr,
				yaml:   "",
				check:  wantErrorContaining("expecting TLS"),
			},
			{
				name:   "SASL without TLS on the SASL_SSL listener fails saying the broker expects TLS",
				broker: k.SASLSSLAddr,
				yaml:   saslYAML("plain", plainUser, "password: "+plainPassword),
				check:  wantErrorContaining("expecting TLS"),
			},
			{
				name:        "mutual TLS listener refuses a client without a certificate",
				broker:      k.MTLSAddr,
				yaml:        tlsYAML(pki.CAFile, "", ""),
				check:       wantErrorContaining("certificate"),
				consumerErr: "certificate",
			},
			{
				name:        "mutual TLS listener refuses a client certificate from an untrusted CA",
				broker:      k.MTLSAddr,
				yaml:        tlsYAML(pki.CAFile, other.ClientCertFile, other.ClientKeyFile),
				check:       wantErrorContaining("certificate"),
				consumerErr: "certificate",
			},
		} {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				cfg := loadKafkaConfig(t, tc.broker, tc.yaml, "", nil)
				kc, err := app.KafkaClient(cfg.Kafka)
				if err != nil {
					t.Fatal(err)
				}
				p, err := stream.NewProducer(kc, cfg.Kafka.Topic, stream.ProducerOptions{})
				if err != nil {
					t.Fatal(err)
				}
				defer p.Close()
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				start := time.Now()
				err = p.Write(ctx, kafka.Message{Value: []byte("refused")})
				if err == nil {
					t.Fatal("write succeeded; want it refused")
				}
				if ctx.Err() != nil {
					t.Fatalf("write hung until the deadline (%v) instead of failing: %v", time.Since(start), err)
				}
				t.Logf("refused after %v: %v", time.Since(start).Round(time.Millisecond), err)
				tc.check(t, err)
				consumerGivesUp(t, cfg, kc, tc.consumerErr)
			})
		}
	})
}

func tlsYAML(ca, cert, key string) string {
	s := "  tls:\n    enabled: true\n    ca_file: " + ca + "\n"
	if cert != "" {
		s += "    cert_file: " + cert + "\n    key_file: " + key + "\n"
	}
	return s
}

func saslYAML(mechanism, user, password string) string {
	s := "  sasl:\n    mechanism: " + mechanism + "\n    username: " + user + "\n"
	if password != "" {
		s += "    " + password + "\n"
	}
	return s
}

// loadKafkaConfig writes a config file whose kafka section points at broker
// with the given security settings and unique topic and group names, and
// loads it as the processor does. {{dir}} in security is the case's
// temporary directory, where secret (if any) is written to secret.txt.
func loadKafkaConfig(t *testing.T, broker, security, secret string, environ []string) config.Config {
	t.Helper()
	dir := t.TempDir()
	if secret != "" {
		if err := os.WriteFile(filepath.Join(dir, "secret.txt"), []byte(secret), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	topic := testenv.UniqueName(t, "secure")
	doc := fmt.Sprintf("kafka:\n  brokers: [%q]\n  topic: %s\n  dlq_topic: %s.dlq\n  group: %s\n  linger: 10ms\n  session_timeout: 10s\n  dial_timeout: 5s\n%s",
		broker, topic, topic, topic, strings.ReplaceAll(security, "{{dir}}", dir))
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, environ)
	if err != nil {
		t.Fatalf("load config:\n%s\n%v", doc, err)
	}
	return cfg
}

// plainClient reaches the broker's PLAINTEXT listener for set-up and
// checks, independent of the client configuration under test.
func plainClient(t *testing.T, addr string) *kafka.Client {
	t.Helper()
	tr := &kafka.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &kafka.Client{Addr: kafka.TCP(addr), Timeout: 10 * time.Second, Transport: tr}
}

func createTopic(t *testing.T, addr, topic string, partitions int, configs ...kafka.ConfigEntry) {
	t.Helper()
	c := plainClient(t, addr)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := c.CreateTopics(ctx, &kafka.CreateTopicsRequest{Topics: []kafka.TopicConfig{
		{Topic: topic, NumPartitions: partitions, ReplicationFactor: 1, ConfigEntries: configs}}})
	if err == nil {
		err = res.Errors[topic]
	}
	if err != nil {
		t.Fatalf("create topic %s: %v", topic, err)
	}
	for {
		md, err := c.Metadata(ctx, &kafka.MetadataRequest{Topics: []string{topic}})
		if err == nil && len(md.Topics) == 1 && md.Topics[0].Error == nil && len(md.Topics[0].Partitions) == partitions {
			ready := true
			for _, p := range md.Topics[0].Partitions {
				ready = ready && p.Leader.ID >= 0 && p.Error == nil
			}
			if ready {
				return
			}
		}
		if ctx.Err() != nil {
			t.Fatalf("topic %s has no leader for every partition: %v", topic, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// deliverAndCommit produces secureRecords records and consumes them through
// the consumer group, both built as the processor builds them, then checks
// that every record arrived once and the group committed the end of each
// partition.
func deliverAndCommit(t *testing.T, plainAddr string, cfg config.Config) {
	t.Helper()
	kc, err := app.KafkaClient(cfg.Kafka)
	if err != nil {
		t.Fatal(err)
	}
	p, err := stream.NewProducer(kc, cfg.Kafka.Topic, stream.ProducerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	msgs := make([]kafka.Message, secureRecords)
	for i := range msgs {
		msgs[i] = kafka.Message{Key: []byte(fmt.Sprintf("k%d", i)), Value: []byte(fmt.Sprintf("v%d", i))}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	werr := p.Write(ctx, msgs...)
	if err := p.Close(); err != nil && werr == nil {
		werr = err
	}
	if werr != nil {
		t.Fatalf("produce: %v", werr)
	}

	h := &collectHandler{seen: map[string]int{}, end: map[int]int64{}}
	c, err := stream.NewConsumer(kc, consumerOptions(cfg, zap.NewNop()), h)
	if err != nil {
		t.Fatal(err)
	}
	runCtx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- c.Run(runCtx) }()
	for h.count() < secureRecords && ctx.Err() == nil {
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Errorf("consumer Run: %v", err)
	}
	if n := h.count(); n != secureRecords {
		t.Fatalf("consumed %d records, want %d", n, secureRecords)
	}
	for i := range secureRecords {
		if v := fmt.Sprintf("v%d", i); h.seen[v] != 1 {
			t.Errorf("record %s seen %d times, want once", v, h.seen[v])
		}
	}

	// Run commits each partition's last handled offset when it stops.
	cl := plainClient(t, plainAddr)
	res, err := cl.OffsetFetch(ctx, &kafka.OffsetFetchRequest{GroupID: cfg.Kafka.Group, Topics: map[string][]int{cfg.Kafka.Topic: {0, 1}}})
	if err == nil {
		err = res.Error
	}
	if err != nil {
		t.Fatalf("offset fetch: %v", err)
	}
	var committed int64
	for _, po := range res.Topics[cfg.Kafka.Topic] {
		if po.Error != nil {
			t.Fatalf("offset fetch partition %d: %v", po.Partition, po.Error)
		}
		if want := h.endOf(po.Partition); po.CommittedOffset != want {
			t.Errorf("partition %d: committed offset %d, want %d", po.Partition, po.CommittedOffset, want)
		}
		committed += max(po.CommittedOffset, 0)
	}
	if committed != secureRecords {
		t.Errorf("committed offsets add up to %d, want %d", committed, secureRecords)
	}
}

// consumerOptions are the processor's consumer options for cfg.
func consumerOptions(cfg config.Config, log *zap.Logger) stream.ConsumerOptions {
	start := kafka.FirstOffset
	if cfg.Kafka.StartOffset == "latest" {
		start = kafka.LastOffset
	}
	return stream.ConsumerOptions{
		Group: cfg.Kafka.Group, Topics: []string{cfg.Kafka.Topic}, StartOffset: start,
		BatchSize: cfg.Kafka.BatchSize, Linger: cfg.Kafka.Linger, CommitInterval: cfg.Kafka.CommitInterval,
		SessionTimeout: cfg.Kafka.SessionTimeout, ShutdownGrace: cfg.ShutdownTimeout / 2, Logger: log,
		RefusedTimeout: cfg.Kafka.RefusedTimeout,
	}
}

// consumerGivesUp runs a consumer with the refused settings and checks
// that it never joins and logs each failed join. When want is set, the
// consumer must give up once the refusals have lasted its RefusedTimeout,
// returning an error that is a refusal and names want; when want is empty,
// it must still be retrying (Run returns nil when stopped).
func consumerGivesUp(t *testing.T, cfg config.Config, kc stream.ClientConfig, want string) {
	t.Helper()
	core, logs := observer.New(zapcore.WarnLevel)
	o := consumerOptions(cfg, zap.New(core))
	o.RefusedTimeout = 2 * time.Second
	c, err := stream.NewConsumer(kc, o, &collectHandler{seen: map[string]int{}, end: map[int]int64{}})
	if err != nil {
		t.Fatal(err)
	}
	wait := 30 * time.Second
	if want == "" {
		wait = 6 * time.Second
	}
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	start := time.Now()
	err = c.Run(ctx)
	switch {
	case want == "":
		if err != nil {
			t.Errorf("consumer gave up after %v on an ambiguous failure: %v", time.Since(start).Round(time.Millisecond), err)
		}
	case ctx.Err() != nil:
		t.Errorf("consumer was still retrying after %v; want it to give up after its 2s RefusedTimeout (logs: %v)",
			time.Since(start).Round(time.Millisecond), logMessages(logs))
	default:
		t.Logf("consumer gave up after %v: %v", time.Since(start).Round(time.Millisecond), err)
		if err == nil || !stream.Refused(err) || !strings.Contains(err.Error(), want) {
			t.Errorf("consumer Run returned %v; want a refusal naming %q", err, want)
		}
	}
	if c.Joined() {
		t.Error("consumer joined the group with refused settings")
	}
	if logs.FilterMessage("consumer group join failed; retrying").Len() == 0 {
		t.Errorf("consumer logged no failed join; logs: %v", logMessages(logs))
	}
}

func logMessages(logs *observer.ObservedLogs) []string {
	var out []string
	for i, e := range logs.All() {
		if i == 5 {
			out = append(out, fmt.Sprintf("... %d more", logs.Len()-i))
			break
		}
		out = append(out, fmt.Sprintf("%s %v", e.Message, e.ContextMap()))
	}
	return out
}

func wantErrorContaining(s string) func(t *testing.T, err error) {
	return func(t *testing.T, err error) {
		t.Helper()
		if !strings.Contains(err.Error(), s) {
			t.Errorf("want an error containing %q, got %v", s, err)
		}
	}
}

func wantAuthFailed(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, kafka.SASLAuthenticationFailed) {
		t.Errorf("want kafka.SASLAuthenticationFailed, got %v", err)
	}
	if !strings.Contains(strings.ToLower(err.Error()), "authentication failed") {
		t.Errorf("error does not say authentication failed: %v", err)
	}
}

func wantUnknownAuthority(t *testing.T, err error) {
	t.Helper()
	var ua x509.UnknownAuthorityError
	var verr *tls.CertificateVerificationError
	if !errors.As(err, &ua) && !errors.As(err, &verr) {
		t.Errorf("want a certificate verification error, got %v", err)
	}
	if !strings.Contains(err.Error(), "certificate") {
		t.Errorf("error does not name the certificate: %v", err)
	}
}

// collectHandler counts the records it handles by value and remembers the
// offset after the last record of each partition.
type collectHandler struct {
	mu   sync.Mutex
	seen map[string]int
	end  map[int]int64
	n    int
}

func (h *collectHandler) Assign(context.Context, string, int) (stream.PartitionHandler, int64, error) {
	return h, -1, nil
}

func (h *collectHandler) Handle(_ context.Context, recs []stream.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range recs {
		h.seen[string(r.Value)]++
		h.end[r.Partition] = r.Offset + 1
		h.n++
	}
	return nil
}

func (h *collectHandler) Close() {}

func (h *collectHandler) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.n
}

func (h *collectHandler) endOf(p int) int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	if e, ok := h.end[p]; ok {
		return e
	}
	return -1
}

// Package config loads socialpulse's YAML configuration, applies environment
// overrides, fills documented defaults and validates every field, naming
// the offending field in its errors.
//
// Every option has an environment override: SOCIALPULSE_ followed by the
// option's YAML path in upper case joined with '_', e.g. kafka.brokers is
// SOCIALPULSE_KAFKA_BROKERS (lists are comma-separated). Secrets (passwords,
// tokens) may also be read from files, and are never printed: Secret
// redacts itself when formatted or marshalled.
//
// Non-goals: building clients. Package app turns a Config into Kafka, Redis
// and HTTP components.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"reflect"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is the whole configuration. deploy/config.example.yaml documents
// every field with its default; a test keeps the two in step.
type Config struct {
	Kafka     Kafka     `yaml:"kafka"`
	Redis     Redis     `yaml:"redis"`
	Matrix    Matrix    `yaml:"matrix"`
	Taxonomy  Taxonomy  `yaml:"taxonomy"`
	Sentiment Sentiment `yaml:"sentiment"`
	Emerging  Emerging  `yaml:"emerging"`
	Detector  Detector  `yaml:"detector"`
	Incidents Incidents `yaml:"incidents"`
	Alerting  Alerting  `yaml:"alerting"`
	HTTP      HTTP      `yaml:"http"`
	API       API       `yaml:"api"`
	Log       Log       `yaml:"log"`
	// ShutdownTimeout bounds a graceful stop. Default: 30s.
	ShutdownTimeout time.Duration `yaml:"shutdown_timeout"`
}

// Kafka is where posts come from and where dead letters and enriched posts go.
type Kafka struct {
	Brokers  []string `yaml:"brokers"`   // Default: [localhost:9092]
	ClientID string   `yaml:"client_id"` // Default: socialpulse
	Topic    string   `yaml:"topic"`     // input topic. Default: social.posts
	Group    string   `yaml:"group"`     // consumer group. Default: socialpulse
	DLQTopic string   `yaml:"dlq_topic"` // Default: social.posts.dlq
	// ScoredTopic receives each counted post with its sentiment and
	// features when EnableScored is true. Default: social.posts.scored
	ScoredTopic  string `yaml:"scored_topic"`
	EnableScored bool   `yaml:"enable_scored"` // Default: false
	// StartOffset for a group with no committed offset: earliest or latest. Default: earliest
	StartOffset    string        `yaml:"start_offset"`
	BatchSize      int           `yaml:"batch_size"`      // records per batch. Default: 1000
	Linger         time.Duration `yaml:"linger"`          // wait for a batch to fill. Default: 50ms
	CommitInterval time.Duration `yaml:"commit_interval"` // Default: 1s
	SessionTimeout time.Duration `yaml:"session_timeout"` // Default: 30s
	DialTimeout    time.Duration `yaml:"dial_timeout"`    // Default: 10s
	// RefusedTimeout is how long the brokers may keep refusing the
	// consumer (authentication or authorization failed, a certificate
	// not trusted, TLS on one side only) before the processor exits with
	// the error. 0 retries forever. Default: 1m
	RefusedTimeout time.Duration `yaml:"refused_timeout"`
	// MaxMessageBytes bounds each record batch (and so each record) the
	// processor writes to the dead-letter, enriched and alert topics.
	// Keep it at or below those topics' max.message.bytes. A dead letter
	// over it is cut to 64 KiB, an enriched copy over it is dropped.
	// Default: 1048576 (a topic's default limit)
	MaxMessageBytes int `yaml:"max_message_bytes"`
	// MaxBufferedBytes bounds the input record bytes each partition holds
	// in memory (the batch being processed and the records fetched ahead),
	// so a slow Redis cannot make a partition of large posts hold
	// BatchSize of them: a batch stops at half of it, and the fetch-ahead
	// queue holds half of it in records of max_message_bytes. Default:
	// 67108864 (64 MiB)
	MaxBufferedBytes int  `yaml:"max_buffered_bytes"`
	TLS              TLS  `yaml:"tls"`
	SASL             SASL `yaml:"sasl"`
}

// SASL authenticates to Kafka.
type SASL struct {
	// Mechanism: "" (none), plain, scram-sha-256 or scram-sha-512. Default: ""
	Mechanism    string `yaml:"mechanism"`
	Username     string `yaml:"username"`
	Password     Secret `yaml:"password"`
	PasswordFile string `yaml:"password_file"` // read the password from this file instead
}

// TLS configures an encrypted connection.
type TLS struct {
	Enabled            bool   `yaml:"enabled"`              // Default: false
	CAFile             string `yaml:"ca_file"`              // PEM CA bundle; default: system roots
	CertFile           string `yaml:"cert_file"`            // client certificate (mutual TLS)
	KeyFile            string `yaml:"key_file"`             // client key
	ServerName         string `yaml:"server_name"`          // override SNI / verification name
	InsecureSkipVerify bool   `yaml:"insecure_skip_verify"` // for tests only. Default: false
}

// Redis holds the matrix.
type Redis struct {
	// Addrs: one address for a single Redis, several for Redis Cluster.
	// Default: [localhost:6379]
	Addrs        []string      `yaml:"addrs"`
	Cluster      bool          `yaml:"cluster"`  // force cluster mode with one seed address. Default: false
	Username     string        `yaml:"username"` // ACL user
	Password     Secret        `yaml:"password"`
	PasswordFile string        `yaml:"password_file"`
	DB           int           `yaml:"db"`         // not allowed with cluster. Default: 0
	KeyPrefix    string        `yaml:"key_prefix"` // Default: socialpulse
	DialTimeout  time.Duration `yaml:"dial_timeout"`
	ReadTimeout  time.Duration `yaml:"read_timeout"`  // Default: 3s
	WriteTimeout time.Duration `yaml:"write_timeout"` // Default: 3s
	TLS          TLS           `yaml:"tls"`
}

// Matrix shapes the impact matrix.
type Matrix struct {
	Bucket    time.Duration `yaml:"bucket"`    // bucket width; must divide 1h. Default: 1m
	Retention time.Duration `yaml:"retention"` // Default: 336h (14 days)
	// Windows are the rolling windows the API and metrics offer. Default: [5m, 15m, 1h, 24h]
	Windows       []time.Duration `yaml:"windows"`
	MaxTextBytes  int             `yaml:"max_text_bytes"`  // longer posts are dead-lettered. Default: 65536
	MaxFutureSkew time.Duration   `yaml:"max_future_skew"` // Default: 10m
	// DedupeWindow is how long each partition remembers the ids of the
	// posts it counted, so that another record of the same post (a
	// producer retry, a connector replay) is not counted again. Whole
	// seconds; 0 turns it off (it costs throughput: see README). Default: 0
	DedupeWindow time.Duration `yaml:"dedupe_window"`
}

// Taxonomy selects the feature taxonomy.
type Taxonomy struct {
	// File is a taxonomy YAML; empty means the built-in default. Reloaded on SIGHUP.
	File string `yaml:"file"`
	// FallbackModel is a model written by "socialpulse taxonomy learn" for
	// that taxonomy: a post no term matches is tagged with the feature it
	// names, marked inferred. Empty turns it off. Loaded with the taxonomy
	// (at start and on SIGHUP); a model for a taxonomy with other features
	// is refused. Default: "" (off)
	FallbackModel string `yaml:"fallback_model"`
}

// Sentiment selects the sentiment model.
type Sentiment struct {
	// ModelFile is a model written by "socialpulse sentiment adapt"; empty
	// means the embedded model. Loaded at start and reloaded on SIGHUP; a
	// file that fails its checks is refused (at start: startup fails; on
	// reload: the model in use is kept).
	ModelFile string `yaml:"model_file"`
}

// Emerging configures mining of negative posts that match no feature for
// rising words and phrases (GET /api/v1/emerging).
type Emerging struct {
	Enabled  bool          `yaml:"enabled"`  // Default: true
	Window   time.Duration `yaml:"window"`   // recent window compared with the baseline. Default: 5m
	Baseline time.Duration `yaml:"baseline"` // trailing baseline. Default: 1h
	Workers  int           `yaml:"workers"`  // mining goroutines. Default: 1
	// MaxRate caps the posts mined a second; the rest are dropped and
	// counted (emerging_dropped_total{reason="rate"}). Part-of-speech
	// tagging costs a few hundred microseconds a post: without a cap a
	// backlog of unmapped complaints takes a core from the hot path.
	// Default: 200
	MaxRate float64 `yaml:"max_rate"`
	// Heuristic replaces part-of-speech tagging with a cheap noun-phrase
	// heuristic (about 100x cheaper a post). Default: false
	Heuristic bool `yaml:"heuristic"`
}

// Incidents configures incidents (spikes of one outage grouped; see the
// README's Incidents section).
type Incidents struct {
	// BrandHandles are the brand's own account handles ("@shop" or
	// "shop"; matched without the "@" and ignoring ASCII case). A post by
	// one of them during an open incident is recorded on it as a statement
	// milestone, marked source "brand_post". Default: [] (none)
	BrandHandles []string `yaml:"brand_handles"`
	// AfterCare is how long after an incident ends its after-care watch
	// runs (daily negative share against the pre-incident share, posts
	// saying they are leaving). Default: 720h (30 days)
	AfterCare time.Duration `yaml:"after_care"`
	// RecoverHold is how long negative volume and share must stay inside
	// the baseline band for an incident to count as recovered. Default:
	// 10m
	RecoverHold time.Duration `yaml:"recover_hold"`
	// EffectWindow is the length of the windows before and after each
	// milestone whose negative volume, share and sentiment are compared.
	// Default: 30m
	EffectWindow time.Duration `yaml:"effect_window"`
}

// Detector configures spike detection over the matrix. One processor of
// the group (the holder of a Redis lease) detects at a time.
type Detector struct {
	Enabled bool `yaml:"enabled"` // Default: true
	// Grace is how long after a bucket closes it is evaluated, so late
	// posts land first; must be shorter than matrix.bucket. Default: 15s
	Grace time.Duration `yaml:"grace"`
	// Warmup is the matrix history a new leader replays. Default: 6h
	Warmup   time.Duration `yaml:"warmup"`
	LeaseTTL time.Duration `yaml:"lease_ttl"` // Default: 30s
	// MinVolume: negative mentions in the evaluation window below which
	// nothing fires. Default: 10
	MinVolume float64 `yaml:"min_volume"`
	// MinRatio: least growth over baseline, (current+1)/(baseline+1). Default: 2
	MinRatio float64 `yaml:"min_ratio"`
	// Alpha: significance; the count must be this unlikely under the
	// baseline (quasi-Poisson upper tail). Default: 1e-6
	Alpha float64 `yaml:"alpha"`
	// ResolveRatio: a firing spike resolves below this growth. Default: 1.5
	ResolveRatio float64 `yaml:"resolve_ratio"`
	// Cooldown: no new spike of the same feature this soon after one
	// resolves. Default: 24h
	Cooldown time.Duration `yaml:"cooldown"`
	// RearmFactor: within the cooldown, a surge whose negative mentions
	// reach this multiple of the last spike's peak fires anyway (a clearly
	// worse outage pages again); 0 keeps the cooldown absolute.
	// Default: 2.
	RearmFactor float64 `yaml:"rearm_factor"`
	// MinAuthors: a spike is published only once the negative mentions in
	// the evaluation window come from this many distinct authors; until
	// then it is held. 1 publishes every spike. Default: 5
	MinAuthors int      `yaml:"min_authors"`
	Priority   Priority `yaml:"priority"`
}

// Priority weighs the parts of an alert's priority score (see README).
type Priority struct {
	Growth      float64 `yaml:"growth"`      // Default: 0.30
	Volume      float64 `yaml:"volume"`      // Default: 0.20
	Reach       float64 `yaml:"reach"`       // Default: 0.15
	Criticality float64 `yaml:"criticality"` // Default: 0.25
	Persistence float64 `yaml:"persistence"` // Default: 0.10
	P1          float64 `yaml:"p1"`          // least score for P1. Default: 0.7
	P2          float64 `yaml:"p2"`          // Default: 0.5
	P3          float64 `yaml:"p3"`          // Default: 0.3
}

// Alerting says where alerts go. Every processor of a group must have the
// same receivers.
type Alerting struct {
	// PublicURL is this API's external base URL, for links in alerts.
	PublicURL string `yaml:"public_url"`
	// DashboardURL is the Grafana dashboard alerts link to.
	DashboardURL string `yaml:"dashboard_url"`
	// HistoryRetention keeps spike records this long. Default: 2160h (90 days)
	HistoryRetention time.Duration `yaml:"history_retention"`
	// RetryBackoffMax caps the wait between delivery retries to a failing
	// receiver (the wait doubles from 1s, with jitter). Default: 5m
	RetryBackoffMax time.Duration `yaml:"retry_backoff_max"`
	Webhook         Webhook       `yaml:"webhook"`
	Slack           Slack         `yaml:"slack"`
	Alertmanager    Alertmanager  `yaml:"alertmanager"`
	Kafka           AlertKafka    `yaml:"kafka"`
	Grafana         Grafana       `yaml:"grafana"`
}

// Webhook posts JSON alerts signed with HMAC-SHA256.
type Webhook struct {
	URL        string `yaml:"url"` // empty: off
	Secret     Secret `yaml:"secret"`
	SecretFile string `yaml:"secret_file"`
}

// Slack posts to an incoming webhook (its URL embeds a token: a secret).
type Slack struct {
	URL     Secret `yaml:"url"` // empty: off
	URLFile string `yaml:"url_file"`
}

// Alertmanager receives alerts on POST /api/v2/alerts.
type Alertmanager struct {
	URL string `yaml:"url"` // e.g. http://alertmanager:9093; empty: off
}

// AlertKafka writes alerts to a topic, keyed by fingerprint.
type AlertKafka struct {
	Enabled bool   `yaml:"enabled"` // Default: false
	Topic   string `yaml:"topic"`   // Default: social.alerts
}

// Grafana annotates a dashboard with each spike.
type Grafana struct {
	URL          string `yaml:"url"` // empty: off
	Token        Secret `yaml:"token"`
	TokenFile    string `yaml:"token_file"`
	DashboardUID string `yaml:"dashboard_uid"` // Default: socialpulse-it-priorities
}

// HTTP is the API, metrics and health server.
type HTTP struct {
	Listen       string        `yaml:"listen"`        // Default: 127.0.0.1:8080
	ReadTimeout  time.Duration `yaml:"read_timeout"`  // Default: 10s
	WriteTimeout time.Duration `yaml:"write_timeout"` // Default: 30s
	IdleTimeout  time.Duration `yaml:"idle_timeout"`  // Default: 60s
	MaxBodyBytes int64         `yaml:"max_body_bytes"`
}

// API controls access to /api/v1 (the matrix, the spike history and
// notes). /healthz, /readyz and /metrics are always open.
type API struct {
	// TokensFile lists the API tokens: a YAML or JSON list of
	// {name, role, token or token_sha256}, role one of read, write, admin.
	// Read when the processor starts. Default: "" (no tokens)
	TokensFile string `yaml:"tokens_file"`
	// RequireAuth makes every /api/v1 request present a bearer token. With
	// no tokens configured the API is then served only when http.listen is
	// a loopback address; otherwise the processor refuses to start.
	// false serves the API to anyone who can reach it. Default: true
	RequireAuth bool `yaml:"require_auth"`
	// CORSOrigins are the browser origins (scheme://host[:port]) allowed
	// to call the API from another site. Default: [] (CORS off)
	CORSOrigins []string `yaml:"cors_origins"`
	// AllowedHosts are the Host names (without port) an open API (no
	// tokens) serves besides localhost and loopback addresses; other Hosts
	// get 421, so that a web page cannot reach it through DNS rebinding. A
	// request with a valid token is served whatever its Host. Default: []
	AllowedHosts []string `yaml:"allowed_hosts"`
}

// Log configures logging.
type Log struct {
	Level  string `yaml:"level"`  // debug, info, warn or error. Default: info
	Format string `yaml:"format"` // json or console. Default: json
}

// Default returns the configuration with every default filled in.
func Default() Config {
	return Config{
		Kafka: Kafka{
			Brokers: []string{"localhost:9092"}, ClientID: "socialpulse", Topic: "social.posts", Group: "socialpulse",
			DLQTopic: "social.posts.dlq", ScoredTopic: "social.posts.scored", StartOffset: "earliest",
			BatchSize: 1000, Linger: 50 * time.Millisecond, CommitInterval: time.Second,
			SessionTimeout: 30 * time.Second, DialTimeout: 10 * time.Second, RefusedTimeout: time.Minute,
			MaxMessageBytes: 1 << 20, MaxBufferedBytes: 64 << 20,
		},
		Redis: Redis{
			Addrs: []string{"localhost:6379"}, KeyPrefix: "socialpulse",
			DialTimeout: 5 * time.Second, ReadTimeout: 3 * time.Second, WriteTimeout: 3 * time.Second,
		},
		Matrix: Matrix{
			Bucket: time.Minute, Retention: 14 * 24 * time.Hour,
			Windows:      []time.Duration{5 * time.Minute, 15 * time.Minute, time.Hour, 24 * time.Hour},
			MaxTextBytes: 64 << 10, MaxFutureSkew: 10 * time.Minute,
		},
		Incidents: Incidents{BrandHandles: []string{}, AfterCare: 30 * 24 * time.Hour, RecoverHold: 10 * time.Minute, EffectWindow: 30 * time.Minute},
		Emerging:  Emerging{Enabled: true, Window: 5 * time.Minute, Baseline: time.Hour, Workers: 1, MaxRate: 200},
		Detector: Detector{
			Enabled: true, Grace: 15 * time.Second, Warmup: 6 * time.Hour, LeaseTTL: 30 * time.Second,
			MinVolume: 10, MinRatio: 2, Alpha: 1e-6, ResolveRatio: 1.5, Cooldown: 24 * time.Hour, RearmFactor: 2, MinAuthors: 5,
			Priority: Priority{Growth: 0.30, Volume: 0.20, Reach: 0.15, Criticality: 0.25, Persistence: 0.10, P1: 0.7, P2: 0.5, P3: 0.3},
		},
		Alerting: Alerting{
			HistoryRetention: 90 * 24 * time.Hour,
			RetryBackoffMax:  5 * time.Minute,
			Kafka:            AlertKafka{Topic: "social.alerts"},
			Grafana:          Grafana{DashboardUID: "socialpulse-it-priorities"},
		},
		HTTP: HTTP{
			Listen: "127.0.0.1:8080", ReadTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second,
			IdleTimeout: 60 * time.Second, MaxBodyBytes: 1 << 20,
		},
		API:             API{RequireAuth: true, CORSOrigins: []string{}, AllowedHosts: []string{}},
		Log:             Log{Level: "info", Format: "json"},
		ShutdownTimeout: 30 * time.Second,
	}
}

// Load reads the YAML file at path (empty: defaults only), applies
// environment overrides from environ (os.Environ() form), reads secret files
// and validates the result.
func Load(path string, environ []string) (Config, error) {
	cfg := Default()
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return Config{}, fmt.Errorf("config: %w", err)
		}
		if err := decodeYAML(data, &cfg); err != nil {
			return Config{}, fmt.Errorf("config: %s: %w", path, err)
		}
	}
	if err := applyEnv(&cfg, environ); err != nil {
		return Config{}, err
	}
	if err := cfg.readSecretFiles(); err != nil {
		return Config{}, err
	}
	if err := cfg.Validate(); err != nil {
		return Config{}, err
	}
	return cfg, nil
}

func decodeYAML(data []byte, cfg *Config) error {
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) { // an empty file means all defaults
			return nil
		}
		return err
	}
	if len(doc.Content) == 0 {
		return nil
	}
	// Check every key and value against the Config type first, so an error
	// names the option by its YAML path and line, suggests the key that was
	// probably meant, and accepts a single value where a list is expected.
	if err := checkNode(doc.Content[0], reflect.TypeOf(*cfg), ""); err != nil {
		return err
	}
	return doc.Content[0].Decode(cfg)
}

func (c *Config) readSecretFiles() error {
	read := func(field, file string, dst *Secret) error {
		if file == "" {
			return nil
		}
		if *dst != "" {
			return fmt.Errorf("config: %s: set either the secret or its _file, not both", field)
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return fmt.Errorf("config: %s_file: %w", field, err)
		}
		*dst = Secret(strings.TrimRight(string(b), "\r\n"))
		return nil
	}
	if err := read("kafka.sasl.password", c.Kafka.SASL.PasswordFile, &c.Kafka.SASL.Password); err != nil {
		return err
	}
	if err := read("redis.password", c.Redis.PasswordFile, &c.Redis.Password); err != nil {
		return err
	}
	if err := read("alerting.webhook.secret", c.Alerting.Webhook.SecretFile, &c.Alerting.Webhook.Secret); err != nil {
		return err
	}
	if err := read("alerting.slack.url", c.Alerting.Slack.URLFile, &c.Alerting.Slack.URL); err != nil {
		return err
	}
	return read("alerting.grafana.token", c.Alerting.Grafana.TokenFile, &c.Alerting.Grafana.Token)
}

// Validate checks every field and returns all problems, each naming its field.
func (c Config) Validate() error {
	var errs []error
	bad := func(field, format string, a ...any) {
		errs = append(errs, fmt.Errorf("config: %s: %s", field, fmt.Sprintf(format, a...)))
	}
	positive := func(field string, d time.Duration) {
		if d <= 0 {
			bad(field, "must be a positive duration, got %v", d)
		}
	}
	k := c.Kafka
	if len(k.Brokers) == 0 {
		bad("kafka.brokers", "at least one broker is required")
	}
	for i, b := range k.Brokers {
		if !strings.Contains(b, ":") {
			bad(fmt.Sprintf("kafka.brokers[%d]", i), "want host:port, got %q", b)
		}
	}
	for field, topic := range map[string]string{"kafka.topic": k.Topic, "kafka.dlq_topic": k.DLQTopic, "kafka.scored_topic": k.ScoredTopic} {
		if err := checkTopic(topic); err != nil {
			bad(field, "%v", err)
		}
	}
	if k.Topic == k.DLQTopic {
		bad("kafka.dlq_topic", "must differ from kafka.topic")
	}
	if k.Group == "" {
		bad("kafka.group", "is required")
	}
	if k.StartOffset != "earliest" && k.StartOffset != "latest" {
		bad("kafka.start_offset", "want earliest or latest, got %q", k.StartOffset)
	}
	if k.BatchSize < 1 || k.BatchSize > 100000 {
		bad("kafka.batch_size", "want 1..100000, got %d", k.BatchSize)
	}
	positive("kafka.linger", k.Linger)
	positive("kafka.commit_interval", k.CommitInterval)
	positive("kafka.session_timeout", k.SessionTimeout)
	positive("kafka.dial_timeout", k.DialTimeout)
	if k.MaxMessageBytes < 128<<10 {
		bad("kafka.max_message_bytes", "want at least 131072 (a cut dead letter is up to 64 KiB plus headers), got %d", k.MaxMessageBytes)
	}
	if k.MaxBufferedBytes < 1<<20 {
		bad("kafka.max_buffered_bytes", "want at least 1048576, got %d", k.MaxBufferedBytes)
	}
	if k.RefusedTimeout < 0 {
		bad("kafka.refused_timeout", "must not be negative (0 retries forever)")
	}
	switch k.SASL.Mechanism {
	case "":
	case "plain", "scram-sha-256", "scram-sha-512":
		if k.SASL.Username == "" {
			bad("kafka.sasl.username", "is required with mechanism %s", k.SASL.Mechanism)
		}
		if k.SASL.Password == "" && k.SASL.PasswordFile == "" {
			bad("kafka.sasl.password", "is required with mechanism %s (or kafka.sasl.password_file, or %sKAFKA_SASL_PASSWORD)", k.SASL.Mechanism, EnvPrefix)
		}
	default:
		bad("kafka.sasl.mechanism", "want plain, scram-sha-256 or scram-sha-512, got %q", k.SASL.Mechanism)
	}
	checkTLS(bad, "kafka.tls", k.TLS)

	r := c.Redis
	if len(r.Addrs) == 0 {
		bad("redis.addrs", "at least one address is required")
	}
	if (len(r.Addrs) > 1 || r.Cluster) && r.DB != 0 {
		bad("redis.db", "must be 0 with Redis Cluster")
	}
	if r.DB < 0 {
		bad("redis.db", "must not be negative")
	}
	if r.KeyPrefix == "" || strings.ContainsAny(r.KeyPrefix, "{} ") {
		bad("redis.key_prefix", "must be non-empty without braces or spaces, got %q", r.KeyPrefix)
	}
	positive("redis.dial_timeout", r.DialTimeout)
	positive("redis.read_timeout", r.ReadTimeout)
	positive("redis.write_timeout", r.WriteTimeout)
	checkTLS(bad, "redis.tls", r.TLS)

	m := c.Matrix
	// Checks that depend on the bucket run only when the bucket itself is
	// valid, so one bad value gives one error, not a cascade.
	bucketOK := m.Bucket >= time.Second && m.Bucket%time.Second == 0 && time.Hour%m.Bucket == 0
	if !bucketOK {
		bad("matrix.bucket", "must be whole seconds and divide 1h (e.g. 1m, 5m, 15m), got %v", m.Bucket)
	}
	if m.Retention < time.Hour {
		bad("matrix.retention", "must be at least 1h, got %v", m.Retention)
	}
	if len(m.Windows) == 0 {
		bad("matrix.windows", "at least one window is required")
	}
	for i, w := range m.Windows {
		if !bucketOK {
			break
		}
		if w < m.Bucket || w%m.Bucket != 0 || w > m.Retention {
			bad(fmt.Sprintf("matrix.windows[%d]", i), "must be a multiple of the bucket within retention, got %v", w)
		}
	}
	if m.MaxTextBytes < 280 {
		bad("matrix.max_text_bytes", "must be at least 280, got %d", m.MaxTextBytes)
	}
	if m.DedupeWindow < 0 || m.DedupeWindow%time.Second != 0 {
		bad("matrix.dedupe_window", "want whole seconds, 0 or more, got %v", m.DedupeWindow)
	}
	if m.MaxFutureSkew < 0 {
		bad("matrix.max_future_skew", "must not be negative")
	}

	if c.Incidents.AfterCare < 24*time.Hour {
		bad("incidents.after_care", "want at least 24h (one day), got %v", c.Incidents.AfterCare)
	}
	positive("incidents.recover_hold", c.Incidents.RecoverHold)
	positive("incidents.effect_window", c.Incidents.EffectWindow)

	if e := c.Emerging; e.Enabled {
		positive("emerging.window", e.Window)
		if e.Baseline < 2*e.Window {
			bad("emerging.baseline", "must be at least twice emerging.window, got %v", e.Baseline)
		}
		if e.Workers < 1 || e.Workers > 64 {
			bad("emerging.workers", "want 1..64, got %d", e.Workers)
		}
		if !(e.MaxRate > 0) {
			bad("emerging.max_rate", "must be positive, got %v", e.MaxRate)
		}
	}

	if d := c.Detector; d.Enabled {
		if d.Grace <= 0 || (bucketOK && d.Grace >= m.Bucket) {
			bad("detector.grace", "must be positive and shorter than matrix.bucket (%v), got %v", m.Bucket, d.Grace)
		}
		if d.Warmup < time.Hour || d.Warmup > m.Retention {
			bad("detector.warmup", "must be between 1h and matrix.retention, got %v", d.Warmup)
		}
		positive("detector.lease_ttl", d.LeaseTTL)
		if d.MinVolume < 1 {
			bad("detector.min_volume", "must be at least 1, got %v", d.MinVolume)
		}
		if d.MinRatio <= 1 {
			bad("detector.min_ratio", "must be above 1, got %v", d.MinRatio)
		}
		if d.Alpha <= 0 || d.Alpha >= 1 {
			bad("detector.alpha", "must be in (0, 1), got %v", d.Alpha)
		}
		if d.ResolveRatio < 1 || d.ResolveRatio > d.MinRatio {
			bad("detector.resolve_ratio", "must be in [1, detector.min_ratio], got %v", d.ResolveRatio)
		}
		if d.RearmFactor != 0 && !(d.RearmFactor > 1) {
			bad("detector.rearm_factor", "must be 0 (off) or above 1, got %v", d.RearmFactor)
		}
		if d.Cooldown < 0 {
			bad("detector.cooldown", "must not be negative")
		}
		if d.MinAuthors < 1 {
			bad("detector.min_authors", "must be at least 1 (1 publishes every spike), got %d", d.MinAuthors)
		}
		p := d.Priority
		for name, v := range map[string]float64{"growth": p.Growth, "volume": p.Volume, "reach": p.Reach, "criticality": p.Criticality, "persistence": p.Persistence} {
			if v < 0 {
				bad("detector.priority."+name, "must not be negative, got %v", v)
			}
		}
		if !(1 > p.P1 && p.P1 > p.P2 && p.P2 > p.P3 && p.P3 > 0) {
			bad("detector.priority.p1", "want 1 > p1 > p2 > p3 > 0, got %v, %v, %v", p.P1, p.P2, p.P3)
		}
	}
	al := c.Alerting
	for field, u := range map[string]string{"alerting.public_url": al.PublicURL, "alerting.dashboard_url": al.DashboardURL,
		"alerting.webhook.url": al.Webhook.URL, "alerting.slack.url": al.Slack.URL.Reveal(), "alerting.alertmanager.url": al.Alertmanager.URL, "alerting.grafana.url": al.Grafana.URL} {
		if u != "" && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "https://") {
			bad(field, "want an http(s) URL")
		}
	}
	if al.RetryBackoffMax < time.Second {
		bad("alerting.retry_backoff_max", "must be at least 1s, got %v", al.RetryBackoffMax)
	}
	if al.HistoryRetention < 24*time.Hour {
		bad("alerting.history_retention", "must be at least 24h, got %v", al.HistoryRetention)
	}
	if al.Kafka.Enabled {
		if err := checkTopic(al.Kafka.Topic); err != nil {
			bad("alerting.kafka.topic", "%v", err)
		}
	}
	if al.Grafana.URL != "" && al.Grafana.Token == "" {
		bad("alerting.grafana.token", "is required with alerting.grafana.url")
	}

	h := c.HTTP
	if h.Listen == "" || !strings.Contains(h.Listen, ":") {
		bad("http.listen", "want host:port, got %q", h.Listen)
	}
	positive("http.read_timeout", h.ReadTimeout)
	positive("http.write_timeout", h.WriteTimeout)
	positive("http.idle_timeout", h.IdleTimeout)
	if h.MaxBodyBytes <= 0 {
		bad("http.max_body_bytes", "must be positive")
	}
	for i, o := range c.API.CORSOrigins {
		if err := checkOrigin(o); err != nil {
			bad(fmt.Sprintf("api.cors_origins[%d]", i), "%v", err)
		}
	}
	for i, h := range c.API.AllowedHosts {
		if h == "" || strings.ContainsAny(h, "/ *") || (strings.Contains(h, ":") && net.ParseIP(strings.Trim(h, "[]")) == nil) {
			bad(fmt.Sprintf("api.allowed_hosts[%d]", i), "want a host name or address without port, got %q", h)
		}
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		bad("log.level", "want debug, info, warn or error, got %q", c.Log.Level)
	}
	if c.Log.Format != "json" && c.Log.Format != "console" {
		bad("log.format", "want json or console, got %q", c.Log.Format)
	}
	positive("shutdown_timeout", c.ShutdownTimeout)
	return errors.Join(errs...)
}

func checkTLS(bad func(string, string, ...any), field string, t TLS) {
	if !t.Enabled && (t.CAFile != "" || t.CertFile != "" || t.KeyFile != "") {
		bad(field+".enabled", "files are set but TLS is not enabled")
	}
	if (t.CertFile == "") != (t.KeyFile == "") {
		bad(field+".cert_file", "cert_file and key_file go together")
	}
}

// checkOrigin accepts a browser origin: http(s)://host[:port], nothing more.
func checkOrigin(o string) error {
	if o == "*" {
		return errors.New(`"*" is not allowed: list each origin`)
	}
	u, err := url.Parse(o)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
		u.Path != "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil || u.Opaque != "" {
		return fmt.Errorf("want an origin such as https://pr.example.com (scheme, host, optional port; no path), got %q", o)
	}
	return nil
}

// checkTopic applies Kafka's topic name rules.
func checkTopic(t string) error {
	if t == "" || t == "." || t == ".." || len(t) > 249 {
		return fmt.Errorf("invalid topic name %q", t)
	}
	for _, r := range t {
		if !(r == '.' || r == '_' || r == '-' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return fmt.Errorf("invalid character %q in topic %q", r, t)
		}
	}
	return nil
}

// Secret is a string that never shows itself in logs or dumps.
type Secret string

const redacted = "[redacted]"

func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return redacted
}

// GoString keeps %#v from printing the value.
func (s Secret) GoString() string { return s.String() }

// MarshalYAML redacts the secret.
func (s Secret) MarshalYAML() (any, error) { return s.String(), nil }

// MarshalJSON redacts the secret.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"` + s.String() + `"`), nil }

// Reveal returns the secret value, for handing to a client library.
func (s Secret) Reveal() string { return string(s) }

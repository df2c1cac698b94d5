package config

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestExampleFileDocumentsTheDefaults(t *testing.T) {
	got, err := Load("../deploy/config.example.yaml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if want := Default(); !reflect.DeepEqual(got, want) {
		t.Fatalf("deploy/config.example.yaml differs from Default():\n got %+v\nwant %+v", got, want)
	}
	// Every option has a line in the reference.
	data, _ := os.ReadFile("../deploy/config.example.yaml")
	for _, name := range EnvNames() {
		leaf := strings.ToLower(name[strings.LastIndex(name, "_")+1:])
		if !strings.Contains(string(data), leaf) {
			t.Errorf("option %s is not documented in the example", name)
		}
	}
}

func TestNoFileMeansDefaults(t *testing.T) {
	got, err := Load("", nil)
	if err != nil || !reflect.DeepEqual(got, Default()) {
		t.Fatalf("Load(\"\") = %+v, %v", got, err)
	}
	empty := filepath.Join(t.TempDir(), "empty.yaml")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if got, err := Load(empty, nil); err != nil || !reflect.DeepEqual(got, Default()) {
		t.Fatalf("empty file = %+v, %v", got, err)
	}
}

func TestEnvironmentOverridesFile(t *testing.T) {
	path := writeFile(t, "kafka:\n  brokers: [a:1]\n  batch_size: 10\nmatrix:\n  windows: [5m]\n")
	cfg, err := Load(path, []string{
		"SOCIALPULSE_KAFKA_BROKERS=k1:9092, k2:9092",
		"SOCIALPULSE_MATRIX_WINDOWS=15m,1h",
		"SOCIALPULSE_KAFKA_ENABLE_SCORED=true",
		"SOCIALPULSE_REDIS_PASSWORD=hunter2",
		"SOCIALPULSE_INCIDENTS_BRAND_HANDLES=@shop, shop_help",
		"SOCIALPULSE_INCIDENTS_RECOVER_HOLD=1m",
		"SOCIALPULSE_TEST_KAFKA=ignored:1",
		"HOME=/root",
	})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(cfg.Kafka.Brokers, []string{"k1:9092", "k2:9092"}) {
		t.Errorf("brokers = %v", cfg.Kafka.Brokers)
	}
	if cfg.Kafka.BatchSize != 10 {
		t.Errorf("file value lost: batch_size = %d", cfg.Kafka.BatchSize)
	}
	if !reflect.DeepEqual(cfg.Matrix.Windows, []time.Duration{15 * time.Minute, time.Hour}) {
		t.Errorf("windows = %v", cfg.Matrix.Windows)
	}
	if !cfg.Kafka.EnableScored || cfg.Redis.Password.Reveal() != "hunter2" {
		t.Errorf("bool or secret override lost")
	}
	if !reflect.DeepEqual(cfg.Incidents.BrandHandles, []string{"@shop", "shop_help"}) {
		t.Errorf("brand handles = %v", cfg.Incidents.BrandHandles)
	}
	if cfg.Incidents.RecoverHold != time.Minute {
		t.Errorf("recover hold = %v", cfg.Incidents.RecoverHold)
	}
}

func TestSecretsNeverPrint(t *testing.T) {
	cfg := Default()
	cfg.Redis.Password = "hunter2"
	cfg.Kafka.SASL.Password = "s3cret"
	for _, s := range []string{fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg)} {
		if strings.Contains(s, "hunter2") || strings.Contains(s, "s3cret") {
			t.Fatalf("secret printed: %s", s)
		}
	}
}

func TestSecretFromFile(t *testing.T) {
	pw := writeFile(t, "from-file\n")
	cfg, err := Load("", []string{"SOCIALPULSE_REDIS_PASSWORD_FILE=" + pw})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Redis.Password.Reveal() != "from-file" {
		t.Fatalf("password = %q", cfg.Redis.Password.Reveal())
	}
	if _, err := Load("", []string{"SOCIALPULSE_REDIS_PASSWORD_FILE=" + pw, "SOCIALPULSE_REDIS_PASSWORD=x"}); err == nil {
		t.Fatal("both password and password_file accepted")
	}
}

func TestInvalidConfigNamesTheField(t *testing.T) {
	tests := []struct {
		name, yaml, env, field string
	}{
		{"unknown key", "kafka:\n  brokerz: [a:1]\n", "", "brokerz"},
		{"wrong type", "kafka:\n  batch_size: lots\n", "", "line 2"},
		{"no brokers", "kafka:\n  brokers: []\n", "", "kafka.brokers"},
		{"broker without port", "kafka:\n  brokers: [kafka]\n", "", "kafka.brokers[0]"},
		{"bad topic", "kafka:\n  topic: 'posts/raw'\n", "", "kafka.topic"},
		{"dlq equals input", "kafka:\n  dlq_topic: social.posts\n", "", "kafka.dlq_topic"},
		{"bad start offset", "kafka:\n  start_offset: middle\n", "", "kafka.start_offset"},
		{"bad sasl", "kafka:\n  sasl:\n    mechanism: kerberos\n", "", "kafka.sasl.mechanism"},
		{"sasl without user", "kafka:\n  sasl:\n    mechanism: plain\n", "", "kafka.sasl.username"},
		{"sasl without password", "kafka:\n  sasl:\n    mechanism: scram-sha-512\n    username: alice\n", "", "kafka.sasl.password"},
		{"cert without key", "redis:\n  tls:\n    enabled: true\n    cert_file: c.pem\n", "", "redis.tls.cert_file"},
		{"db with cluster", "redis:\n  addrs: [a:1, b:2]\n  db: 2\n", "", "redis.db"},
		{"prefix with braces", "redis:\n  key_prefix: 'a{b}'\n", "", "redis.key_prefix"},
		{"bucket not dividing an hour", "matrix:\n  bucket: 7m\n", "", "matrix.bucket"},
		{"window not a bucket multiple", "matrix:\n  windows: [90s]\n", "", "matrix.windows[0]"},
		{"no distinct authors asked", "detector:\n  min_authors: 0\n", "", "detector.min_authors"},
		{"negative duration", "http:\n  read_timeout: -1s\n", "", "http.read_timeout"},
		{"max message bytes too small", "kafka:\n  max_message_bytes: 1000\n", "", "kafka.max_message_bytes"},
		{"dedupe window in milliseconds", "matrix:\n  dedupe_window: 1500ms\n", "", "matrix.dedupe_window"},
		{"negative refused timeout", "kafka:\n  refused_timeout: -1m\n", "", "kafka.refused_timeout"},
		{"bad log level", "log:\n  level: loud\n", "", "log.level"},
		{"env typo", "", "SOCIALPULSE_KAFKA_BROKER=a:1", "SOCIALPULSE_KAFKA_BROKER"},
		{"env bad duration", "", "SOCIALPULSE_KAFKA_LINGER=soon", "SOCIALPULSE_KAFKA_LINGER"},
		{"cors wildcard", "api:\n  cors_origins: ['*']\n", "", "api.cors_origins[0]"},
		{"cors origin with a path", "api:\n  cors_origins: [https://pr.example.com/app]\n", "", "api.cors_origins[0]"},
		{"cors origin without scheme", "", "SOCIALPULSE_API_CORS_ORIGINS=https://ok.example.com,pr.example.com", "api.cors_origins[1]"},
		{"env bad require_auth", "", "SOCIALPULSE_API_REQUIRE_AUTH=maybe", "SOCIALPULSE_API_REQUIRE_AUTH"},
		{"cors origin null", "api:\n  cors_origins: ['null']\n", "", "api.cors_origins[0]"},
		{"allowed host with a port", "api:\n  allowed_hosts: [api.example.com:8080]\n", "", "api.allowed_hosts[0]"},
		{"allowed host wildcard", "", "SOCIALPULSE_API_ALLOWED_HOSTS=ok.example.com,*", "api.allowed_hosts[1]"},
		{"no recovery hold", "incidents:\n  recover_hold: 0s\n", "", "incidents.recover_hold"},
		{"negative effect window", "", "SOCIALPULSE_INCIDENTS_EFFECT_WINDOW=-1m", "incidents.effect_window"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.yaml != "" {
				path = writeFile(t, tt.yaml)
			}
			var env []string
			if tt.env != "" {
				env = []string{tt.env}
			}
			_, err := Load(path, env)
			if err == nil {
				t.Fatal("invalid config accepted")
			}
			if !strings.Contains(err.Error(), tt.field) {
				t.Fatalf("error %q does not name %q", err, tt.field)
			}
		})
	}
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestAPIAccessIsSecureByDefaultAndSetFromEnv(t *testing.T) {
	def := Default().API
	if !def.RequireAuth || def.TokensFile != "" || len(def.CORSOrigins) != 0 {
		t.Fatalf("default api section = %+v, want require_auth on, no tokens, CORS off", def)
	}
	cfg, err := Load("", []string{
		"SOCIALPULSE_API_TOKENS_FILE=/run/secrets/tokens.yaml",
		"SOCIALPULSE_API_CORS_ORIGINS=https://pr.example.com, http://localhost:3000",
		// The spikes CLI's own variables are not config options, and not typos.
		"SOCIALPULSE_API_URL=http://127.0.0.1:8080",
		"SOCIALPULSE_API_TOKEN=not-a-config-option",
	})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.API.TokensFile != "/run/secrets/tokens.yaml" {
		t.Errorf("tokens_file = %q", cfg.API.TokensFile)
	}
	if want := []string{"https://pr.example.com", "http://localhost:3000"}; !reflect.DeepEqual(cfg.API.CORSOrigins, want) {
		t.Errorf("cors_origins = %q, want %q", cfg.API.CORSOrigins, want)
	}
}

func TestFallbackModelIsOffByDefaultAndSetFromFileOrEnv(t *testing.T) {
	tests := []struct {
		name string
		file string
		env  []string
		want string
	}{
		{"off by default", "", nil, ""},
		{"set in the file", "taxonomy:\n  fallback_model: /etc/socialpulse/fallback.json\n", nil, "/etc/socialpulse/fallback.json"},
		{"the environment overrides the file", "taxonomy:\n  fallback_model: a.json\n", []string{"SOCIALPULSE_TAXONOMY_FALLBACK_MODEL=b.json"}, "b.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := ""
			if tt.file != "" {
				path = writeFile(t, tt.file)
			}
			cfg, err := Load(path, tt.env)
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Taxonomy.FallbackModel != tt.want {
				t.Errorf("taxonomy.fallback_model = %q, want %q", cfg.Taxonomy.FallbackModel, tt.want)
			}
		})
	}
}

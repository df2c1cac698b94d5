// Package testenv connects integration tests to the real Kafka and Redis that
// `make test` starts (see scripts/services.sh), and hands out unique names so
// tests sharing those services never see each other's topics, groups or keys.
//
// The service addresses come from the environment:
//
//	SOCIALPULSE_TEST_KAFKA        comma-separated Kafka brokers, e.g. 127.0.0.1:19092
//	SOCIALPULSE_TEST_REDIS        Redis address, e.g. 127.0.0.1:16379
//	SOCIALPULSE_REQUIRE_SERVICES  "1": a missing or unreachable service fails
//	                              the test instead of skipping it (set by make test
//	                              and so by CI, which must never pass by skipping)
//
// It is meant for _test.go files only and depends on the standard library alone.
package testenv

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// Environment variables read by this package.
const (
	EnvKafka = "SOCIALPULSE_TEST_KAFKA"
	EnvRedis = "SOCIALPULSE_TEST_REDIS"
	// EnvPrometheus and EnvAlertmanager hold the paths of Debian's prometheus
	// and prometheus-alertmanager binaries; tests start their own instances.
	EnvPrometheus   = "SOCIALPULSE_TEST_PROMETHEUS"
	EnvAlertmanager = "SOCIALPULSE_TEST_ALERTMANAGER"
	EnvRequire      = "SOCIALPULSE_REQUIRE_SERVICES"
)

// dialTimeout bounds the reachability check of each address.
const dialTimeout = 2 * time.Second

// maxNameLen keeps names well inside Kafka's 249-character topic limit while
// leaving room for callers to append a short suffix.
const maxNameLen = 100

// Required reports whether the services must be present
// (SOCIALPULSE_REQUIRE_SERVICES=1), in which case their absence fails tests.
func Required() bool {
	v := strings.TrimSpace(os.Getenv(EnvRequire))
	return v == "1" || strings.EqualFold(v, "true")
}

// KafkaBrokers returns the Kafka bootstrap brokers from SOCIALPULSE_TEST_KAFKA,
// after checking that each answers a TCP dial. If the variable is unset or a
// broker does not answer, the test is skipped, or fails when services are
// required.
func KafkaBrokers(t testing.TB) []string {
	t.Helper()
	brokers := splitList(os.Getenv(EnvKafka))
	if len(brokers) == 0 {
		unavailable(t, "integration: set "+EnvKafka+" (see make test)")
		return nil
	}
	for _, b := range brokers {
		if err := dial(b); err != nil {
			unavailable(t, fmt.Sprintf("integration: Kafka broker %s from %s not reachable: %v", b, EnvKafka, err))
			return nil
		}
	}
	return brokers
}

// RedisAddr returns the Redis address from SOCIALPULSE_TEST_REDIS, after
// checking that it answers a TCP dial. If the variable is unset or Redis does
// not answer, the test is skipped, or fails when services are required.
func RedisAddr(t testing.TB) string {
	t.Helper()
	addr := strings.TrimSpace(os.Getenv(EnvRedis))
	if addr == "" {
		unavailable(t, "integration: set "+EnvRedis+" (see make test)")
		return ""
	}
	if err := dial(addr); err != nil {
		unavailable(t, fmt.Sprintf("integration: Redis %s from %s not reachable: %v", addr, EnvRedis, err))
		return ""
	}
	return addr
}

// PrometheusBinary returns the path of the prometheus binary from
// SOCIALPULSE_TEST_PROMETHEUS; unset or missing, the test skips (or fails
// when services are required).
func PrometheusBinary(t testing.TB) string {
	t.Helper()
	return binary(t, EnvPrometheus)
}

// AlertmanagerBinary returns the path of the Alertmanager binary from
// SOCIALPULSE_TEST_ALERTMANAGER, like PrometheusBinary.
func AlertmanagerBinary(t testing.TB) string {
	t.Helper()
	return binary(t, EnvAlertmanager)
}

func binary(t testing.TB, env string) string {
	t.Helper()
	path := strings.TrimSpace(os.Getenv(env))
	if path == "" {
		unavailable(t, "integration: set "+env+" (see make test)")
		return ""
	}
	if st, err := os.Stat(path); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
		unavailable(t, fmt.Sprintf("integration: %s=%s is not an executable file", env, path))
		return ""
	}
	return path
}

// UniqueName returns a name for a topic, consumer group or key prefix that no
// other test (or earlier run against the same services) uses: prefix, the
// sanitized test name and a random suffix, joined by "-". It contains only
// [a-zA-Z0-9._-] and is at most 100 characters long; the test name is
// shortened first when needed, the random suffix never is.
func UniqueName(t testing.TB, prefix string) string {
	t.Helper()
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("testenv: random name suffix: %v", err)
	}
	suffix := hex.EncodeToString(b[:])

	prefix = sanitize(prefix)
	name := sanitize(t.Name())
	// Room left for prefix and test name once the suffix and separators fit.
	room := maxNameLen - len(suffix) - 2
	if len(prefix) > room {
		prefix = prefix[:room]
	}
	if len(name) > room-len(prefix) {
		name = name[:room-len(prefix)]
	}

	parts := make([]string, 0, 3)
	for _, p := range []string{prefix, name, suffix} {
		if p = strings.Trim(p, "-"); p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "-")
}

// sanitize replaces every character outside [a-zA-Z0-9._-] (such as the "/"
// of subtest names) with "-".
func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9',
			r == '.', r == '_', r == '-':
			return r
		}
		return '-'
	}, s)
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func dial(addr string) error {
	c, err := net.DialTimeout("tcp", addr, dialTimeout)
	if err != nil {
		return err
	}
	return c.Close()
}

// unavailable fails the test when services are required and skips it
// otherwise.
func unavailable(t testing.TB, msg string) {
	t.Helper()
	if Required() {
		t.Fatalf("%s (%s=1: services are required)", msg, EnvRequire)
		return
	}
	t.Skip(msg)
}

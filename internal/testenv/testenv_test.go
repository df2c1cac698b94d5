package testenv

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var validName = regexp.MustCompile(`^[a-zA-Z0-9._-]+$`)

func TestUniqueName(t *testing.T) {
	seen := make(map[string]bool)
	for i := 0; i < 1000; i++ {
		n := UniqueName(t, "events")
		if !validName.MatchString(n) || len(n) > maxNameLen {
			t.Fatalf("invalid name %q", n)
		}
		if !strings.HasPrefix(n, "events-TestUniqueName-") {
			t.Fatalf("name %q lacks prefix and test name", n)
		}
		if seen[n] {
			t.Fatalf("duplicate name %q", n)
		}
		seen[n] = true
	}
}

func TestUniqueNameSanitizesAndTruncates(t *testing.T) {
	t.Run("sub test/with:odd chars é", func(t *testing.T) {
		n := UniqueName(t, "group:with spaces")
		if !validName.MatchString(n) {
			t.Fatalf("invalid name %q", n)
		}
		if !strings.HasPrefix(n, "group-with-spaces-TestUniqueNameSanitizesAndTruncates-sub_test-with-odd_chars") {
			t.Fatalf("unexpected name %q", n)
		}
	})
	t.Run(strings.Repeat("long", 50), func(t *testing.T) {
		a, b := UniqueName(t, strings.Repeat("p", 200)), UniqueName(t, "p")
		for _, n := range []string{a, b} {
			if !validName.MatchString(n) || len(n) > maxNameLen {
				t.Fatalf("invalid name %q (len %d)", n, len(n))
			}
		}
		if a == b || a[len(a)-12:] == b[len(b)-12:] {
			t.Fatalf("random suffix lost or repeated: %q %q", a, b)
		}
	})
	t.Run("empty prefix", func(t *testing.T) {
		if n := UniqueName(t, ""); strings.HasPrefix(n, "-") || !validName.MatchString(n) {
			t.Fatalf("invalid name %q", n)
		}
	})
}

// recorder stands in for a *testing.T to observe Skip and Fatalf without
// ending the calling test.
type recorder struct {
	testing.TB
	skipped, failed bool
	msg             string
}

func (r *recorder) Helper()                      {}
func (r *recorder) Name() string                 { return "recorder" }
func (r *recorder) Skip(args ...any)             { r.skipped, r.msg = true, fmt.Sprint(args...) }
func (r *recorder) Fatalf(f string, args ...any) { r.failed, r.msg = true, fmt.Sprintf(f, args...) }

func TestMissingServices(t *testing.T) {
	// A loopback port nobody listens on: the dial is refused at once.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close()

	for _, tc := range []struct {
		name, kafka, redis, require string
		wantFail                    bool
	}{
		{"unset optional", "", "", "", false},
		{"unset required", "", "", "1", true},
		{"unreachable optional", closed, closed, "", false},
		{"unreachable required", closed, closed, "1", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvKafka, tc.kafka)
			t.Setenv(EnvRedis, tc.redis)
			t.Setenv(EnvRequire, tc.require)

			r := &recorder{}
			if got := KafkaBrokers(r); got != nil {
				t.Errorf("KafkaBrokers = %v, want nil", got)
			}
			if r.failed != tc.wantFail || r.skipped == tc.wantFail {
				t.Errorf("KafkaBrokers: failed=%v skipped=%v, want failed=%v (%s)", r.failed, r.skipped, tc.wantFail, r.msg)
			}
			if tc.kafka == "" && !strings.Contains(r.msg, EnvKafka) {
				t.Errorf("message %q does not name %s", r.msg, EnvKafka)
			}

			r = &recorder{}
			if got := RedisAddr(r); got != "" {
				t.Errorf("RedisAddr = %q, want empty", got)
			}
			if r.failed != tc.wantFail || r.skipped == tc.wantFail {
				t.Errorf("RedisAddr: failed=%v skipped=%v, want failed=%v (%s)", r.failed, r.skipped, tc.wantFail, r.msg)
			}
		})
	}
}

func TestSplitList(t *testing.T) {
	got := splitList(" a:1, ,b:2,")
	if len(got) != 2 || got[0] != "a:1" || got[1] != "b:2" {
		t.Fatalf("splitList = %q", got)
	}
}

// TestServices checks the real services when they are configured (make test):
// every Kafka broker accepts a connection and Redis answers PING.
func TestServices(t *testing.T) {
	brokers := KafkaBrokers(t)
	if len(brokers) == 0 {
		t.Fatal("no brokers")
	}
	addr := RedisAddr(t)

	c, err := net.DialTimeout("tcp", addr, dialTimeout)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	if line != "+PONG\r\n" {
		t.Fatalf("redis PING answered %q", line)
	}
}

func TestMissingDevDataSkipsOrFailsInCI(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "nab"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, ci, need   string
		wantDir          bool
		wantFail, wantSk bool
	}{
		{"present data is returned outside CI", "", "nab", true, false, false},
		{"present data is returned in CI", "true", "nab", true, false, false},
		{"missing data skips outside CI", "", "aspects", false, false, true},
		{"CI=false counts as outside CI", "false", "aspects", false, false, true},
		{"missing data fails in CI", "true", "aspects", false, true, false},
		{"any CI value but false or 0 is CI", "1", "aspects", false, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(EnvCI, tc.ci)
			r := &recorder{}
			got := devData(r, dir, tc.need)
			if (got != "") != tc.wantDir || r.failed != tc.wantFail || r.skipped != tc.wantSk {
				t.Errorf("devData = %q, failed=%v skipped=%v; want dir %v, failed=%v skipped=%v (%s)",
					got, r.failed, r.skipped, tc.wantDir, tc.wantFail, tc.wantSk, r.msg)
			}
			if !tc.wantDir && !strings.Contains(r.msg, tc.need) {
				t.Errorf("message %q does not name the missing %s", r.msg, tc.need)
			}
		})
	}
}

// ping sends PING to the Redis at addr and reports whether it answered.
func ping(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, dialTimeout)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Write([]byte("PING\r\n")); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && line == "+PONG\r\n"
}

// TestPrivateRedisRestartsOnItsPort checks the private-server lifecycle the
// fault tests rely on: a stopped server comes back on the same address, and
// nothing of it (the goroutine waiting for the process included) outlives
// the test.
func TestPrivateRedisRestartsOnItsPort(t *testing.T) {
	r := StartRedis(t)
	if !ping(r.Addr) {
		t.Fatal("a started Redis does not answer PING")
	}
	r.Stop()
	if ping(r.Addr) {
		t.Fatal("a stopped Redis still answers PING")
	}
	r.Start()
	if !ping(r.Addr) {
		t.Fatal("a restarted Redis does not answer PING on its address")
	}
	r.Kill()
}

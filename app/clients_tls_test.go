package app

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/socialpulse/socialpulse/config"
	"github.com/socialpulse/socialpulse/impactmatrix"
	"github.com/socialpulse/socialpulse/internal/testenv"
)

const redisACLUser, redisACLPassword = "sp-matrix", "redis-acl-secret-6e0b"

// TestRedisTLS connects the product's Redis client, built by RedisClient
// from a config file loaded as the processor loads it, to private
// redis-servers that serve TLS only (the plain port is off) and admit only
// an ACL user, and checks that it writes the matrix, and that wrong
// transport, trust or credentials fail fast with an error naming the cause.
func TestRedisTLS(t *testing.T) {
	pki := testenv.NewTLSFiles(t)
	users := map[string]string{redisACLUser: redisACLPassword}
	srv := testenv.StartRedisTLS(t, testenv.RedisTLS{TLS: pki, Users: users})
	mtls := testenv.StartRedisTLS(t, testenv.RedisTLS{TLS: pki, AuthClients: "yes", Users: users})
	other := testenv.NewTLSFiles(t) // a CA the servers' certificate is not signed by
	secretFile := filepath.Join(t.TempDir(), "redis-password")
	if err := os.WriteFile(secretFile, []byte(redisACLPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tlsOn := func(ca string, extra ...string) string {
		return "  tls:\n    enabled: true\n    ca_file: " + ca + "\n" + strings.Join(extra, "")
	}
	user := "  username: " + redisACLUser + "\n"

	t.Run("apply", func(t *testing.T) {
		for _, tc := range []struct {
			name    string
			addr    string
			yaml    string
			environ []string
		}{
			{
				name: "TLS with the CA, an ACL user and the password from password_file",
				addr: srv.Addr,
				yaml: user + "  password_file: " + secretFile + "\n" + tlsOn(pki.CAFile),
			},
			{
				name:    "TLS with the ACL password from the environment",
				addr:    srv.Addr,
				yaml:    user + tlsOn(pki.CAFile),
				environ: []string{"SOCIALPULSE_REDIS_PASSWORD=" + redisACLPassword},
			},
			{
				name: "TLS to localhost verifying server_name",
				addr: strings.Replace(srv.Addr, "127.0.0.1", "localhost", 1),
				yaml: user + "  password_file: " + secretFile + "\n" + tlsOn(pki.CAFile, "    server_name: localhost\n"),
			},
			{
				name: "mutual TLS with a client certificate from cert_file and key_file",
				addr: mtls.Addr,
				yaml: user + "  password_file: " + secretFile + "\n" +
					tlsOn(pki.CAFile, "    cert_file: "+pki.ClientCertFile+"\n    key_file: "+pki.ClientKeyFile+"\n"),
			},
		} {
			t.Run(tc.name, func(t *testing.T) {
				cfg := loadRedisConfig(t, tc.addr, tc.yaml, tc.environ)
				rdb, err := RedisClient(cfg.Redis)
				if err != nil {
					t.Fatal(err)
				}
				defer rdb.Close()
				ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
				defer cancel()
				if err := rdb.Ping(ctx).Err(); err != nil {
					t.Fatalf("PING: %v", err)
				}
				if who, err := rdb.Do(ctx, "ACL", "WHOAMI").Text(); err != nil || who != redisACLUser {
					t.Fatalf("ACL WHOAMI = %q, %v; want %s", who, err, redisACLUser)
				}
				store, err := impactmatrix.NewStore(rdb, impactmatrix.StoreOptions{
					Prefix: cfg.Redis.KeyPrefix, Bucket: cfg.Matrix.Bucket, Retention: cfg.Matrix.Retention})
				if err != nil {
					t.Fatal(err)
				}
				now := time.Now()
				d := impactmatrix.NewDelta(cfg.Matrix.Bucket)
				d.Add(now, "checkout", impactmatrix.Negative, -0.8, 1)
				d.Add(now, "checkout", impactmatrix.Negative, -0.4, 1)
				src := impactmatrix.Source{Topic: "social.posts", Partition: 0}
				if err := store.Register(ctx, src); err != nil {
					t.Fatalf("register: %v", err)
				}
				if err := store.Apply(ctx, src, -1, 2, d); err != nil {
					t.Fatalf("apply: %v", err)
				}
				m, err := store.Window(ctx, now.Add(-time.Hour), now.Add(time.Hour))
				if err != nil {
					t.Fatalf("window: %v", err)
				}
				if row := m.Rows["checkout"]; row == nil || row[impactmatrix.Negative].Count != 2 {
					t.Fatalf("matrix after apply: %+v, want 2 negative checkout mentions", m.Rows)
				}
				if off, err := store.Offset(ctx, src); err != nil || off != 2 {
					t.Fatalf("stored offset = %d, %v; want 2", off, err)
				}
			})
		}
	})

	t.Run("refuse", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			addr  string
			yaml  string
			check func(t *testing.T, err error)
		}{
			{
				name:  "plain connection to the TLS-only port fails naming the TLS mismatch",
				addr:  srv.Addr,
				yaml:  user + "  password_file: " + secretFile + "\n",
				check: wantErrorContaining("redis.tls.enabled"),
			},
			{
				name:  "wrong ACL password surfaces WRONGPASS",
				addr:  srv.Addr,
				yaml:  user + "  password: not-the-password\n" + tlsOn(pki.CAFile),
				check: wantErrorContaining("WRONGPASS"),
			},
			{
				name:  "no credentials with the default user disabled surface NOAUTH",
				addr:  srv.Addr,
				yaml:  tlsOn(pki.CAFile),
				check: wantErrorContaining("NOAUTH"),
			},
			{
				name: "server certificate from an untrusted CA fails with a certificate error",
				addr: srv.Addr,
				yaml: user + "  password_file: " + secretFile + "\n" + tlsOn(other.CAFile),
				check: func(t *testing.T, err error) {
					var ua x509.UnknownAuthorityError
					if !errors.As(err, &ua) {
						t.Errorf("want x509.UnknownAuthorityError, got %v", err)
					}
				},
			},
			{
				name:  "mutual TLS server refuses a client without a certificate",
				addr:  mtls.Addr,
				yaml:  user + "  password_file: " + secretFile + "\n" + tlsOn(pki.CAFile),
				check: wantErrorContaining("certificate"),
			},
		} {
			t.Run(tc.name, func(t *testing.T) {
				cfg := loadRedisConfig(t, tc.addr, tc.yaml, nil)
				rdb, err := RedisClient(cfg.Redis)
				if err != nil {
					t.Fatal(err)
				}
				defer rdb.Close()
				ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
				defer cancel()
				err = rdb.Set(ctx, "socialpulse:refused", "1", time.Minute).Err()
				if err == nil {
					t.Fatal("write succeeded; want it refused")
				}
				if ctx.Err() != nil {
					t.Fatalf("write hung until the deadline instead of failing: %v", err)
				}
				t.Logf("refused: %v", err)
				tc.check(t, err)
			})
		}
	})
}

func wantErrorContaining(s string) func(t *testing.T, err error) {
	return func(t *testing.T, err error) {
		t.Helper()
		if !strings.Contains(strings.ToLower(err.Error()), strings.ToLower(s)) {
			t.Errorf("want an error containing %q, got %v", s, err)
		}
	}
}

// loadRedisConfig writes a config file whose redis section points at addr
// with the given settings and loads it as the processor does.
func loadRedisConfig(t *testing.T, addr, redisYAML string, environ []string) config.Config {
	t.Helper()
	doc := fmt.Sprintf("redis:\n  addrs: [%q]\n  dial_timeout: 2s\n  key_prefix: %s\n%s",
		addr, testenv.UniqueName(t, "tls"), redisYAML)
	path := filepath.Join(t.TempDir(), "config.yaml")
	if err := os.WriteFile(path, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(path, environ)
	if err != nil {
		t.Fatalf("load config:\n%s\n%v", doc, err)
	}
	return cfg
}

package app

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"

	"github.com/redis/go-redis/v9"
	"github.com/segmentio/kafka-go/sasl"
	"github.com/segmentio/kafka-go/sasl/plain"
	"github.com/segmentio/kafka-go/sasl/scram"

	"github.com/socialpulse/socialpulse/config"
	"github.com/socialpulse/socialpulse/stream"
)

// KafkaClient turns the kafka section of the config into client settings.
func KafkaClient(k config.Kafka) (stream.ClientConfig, error) {
	cc := stream.ClientConfig{Brokers: k.Brokers, ClientID: k.ClientID, DialTimeout: k.DialTimeout}
	t, err := tlsConfig(k.TLS)
	if err != nil {
		return cc, fmt.Errorf("kafka.tls: %w", err)
	}
	cc.TLS = t
	var mech sasl.Mechanism
	switch k.SASL.Mechanism {
	case "plain":
		mech = plain.Mechanism{Username: k.SASL.Username, Password: k.SASL.Password.Reveal()}
	case "scram-sha-256", "scram-sha-512":
		algo := scram.SHA256
		if k.SASL.Mechanism == "scram-sha-512" {
			algo = scram.SHA512
		}
		mech, err = scram.Mechanism(algo, k.SASL.Username, k.SASL.Password.Reveal())
		if err != nil {
			return cc, fmt.Errorf("kafka.sasl: %w", err)
		}
	}
	cc.SASL = mech
	return cc, nil
}

// RedisClient builds a Redis client: a cluster client when several
// addresses are given or cluster is set, else a single-node client.
func RedisClient(r config.Redis) (redis.UniversalClient, error) {
	t, err := tlsConfig(r.TLS)
	if err != nil {
		return nil, fmt.Errorf("redis.tls: %w", err)
	}
	o := &redis.UniversalOptions{
		Addrs:           r.Addrs,
		Username:        r.Username,
		Password:        r.Password.Reveal(),
		DB:              r.DB,
		DialTimeout:     r.DialTimeout,
		ReadTimeout:     r.ReadTimeout,
		WriteTimeout:    r.WriteTimeout,
		TLSConfig:       t,
		IsClusterMode:   r.Cluster,
		ClientName:      "socialpulse",
		DisableIdentity: true,
	}
	c := redis.NewUniversalClient(o)
	if t == nil {
		c.AddHook(plaintextHint{})
	}
	return c, nil
}

// plaintextHint explains the bare "EOF" go-redis reports when a server
// closes a plaintext connection without a reply, which is what a Redis
// serving TLS only does: the error then says that redis.tls may be missing.
type plaintextHint struct{}

func (plaintextHint) DialHook(next redis.DialHook) redis.DialHook { return next }

func (plaintextHint) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error { return hintPlaintext(next(ctx, cmd)) }
}

func (plaintextHint) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error { return hintPlaintext(next(ctx, cmds)) }
}

func hintPlaintext(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, syscall.ECONNRESET) {
		return fmt.Errorf("%w: redis closed the connection without a reply; if it serves TLS only, set redis.tls.enabled", err)
	}
	return err
}

func tlsConfig(t config.TLS) (*tls.Config, error) {
	if !t.Enabled {
		return nil, nil
	}
	c := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: t.ServerName, InsecureSkipVerify: t.InsecureSkipVerify} // InsecureSkipVerify is opt-in and documented as test-only
	if t.CAFile != "" {
		pem, err := os.ReadFile(t.CAFile)
		if err != nil {
			return nil, fmt.Errorf("ca_file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("ca_file %s: no PEM certificates found", t.CAFile)
		}
		c.RootCAs = pool
	}
	if t.CertFile != "" {
		cert, err := tls.LoadX509KeyPair(t.CertFile, t.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("cert_file/key_file: %w", err)
		}
		c.Certificates = []tls.Certificate{cert}
	}
	return c, nil
}

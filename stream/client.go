package stream

import (
	"crypto/tls"
	"errors"
	"time"

	"github.com/segmentio/kafka-go"
	"github.com/segmentio/kafka-go/sasl"
)

// ClientConfig says how to reach the Kafka cluster.
type ClientConfig struct {
	// Brokers are the bootstrap brokers, host:port.
	Brokers []string
	// ClientID names this process to the brokers. Default: "socialpulse".
	ClientID string
	// TLS, when non-nil, encrypts connections.
	TLS *tls.Config
	// SASL, when non-nil, authenticates connections.
	SASL sasl.Mechanism
	// DialTimeout bounds connecting to a broker. Default: 10s.
	DialTimeout time.Duration
}

func (c ClientConfig) validate() error {
	if len(c.Brokers) == 0 {
		return errors.New("stream: at least one broker is required")
	}
	return nil
}

func (c ClientConfig) clientID() string {
	if c.ClientID == "" {
		return "socialpulse"
	}
	return c.ClientID
}

func (c ClientConfig) dialer() *kafka.Dialer {
	timeout := c.DialTimeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	return &kafka.Dialer{
		ClientID:      c.clientID(),
		Timeout:       timeout,
		DualStack:     true,
		TLS:           c.TLS,
		SASLMechanism: c.SASL,
	}
}

func (c ClientConfig) transport() *kafka.Transport {
	timeout := c.DialTimeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	return &kafka.Transport{
		ClientID:    c.clientID(),
		DialTimeout: timeout,
		TLS:         c.TLS,
		SASL:        c.SASL,
	}
}

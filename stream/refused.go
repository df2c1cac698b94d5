package stream

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net"
	"strings"

	"github.com/segmentio/kafka-go"
)

// Refused reports whether err means the brokers will not accept this client
// as configured, so that retrying cannot help until the configuration (or
// the brokers' ACLs) change: failed SASL authentication, a denied
// authorization, a certificate the client or the broker does not trust, or
// TLS spoken on one side only. Network errors, timeouts and coordinator
// moves are not refusals.
func Refused(err error) bool {
	if err == nil {
		return false
	}
	for _, code := range []kafka.Error{
		kafka.SASLAuthenticationFailed, kafka.UnsupportedSASLMechanism, kafka.IllegalSASLState,
		kafka.GroupAuthorizationFailed, kafka.TopicAuthorizationFailed, kafka.ClusterAuthorizationFailed,
	} {
		if errors.Is(err, code) {
			return true
		}
	}
	var (
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		verify    *tls.CertificateVerificationError
		recordHdr tls.RecordHeaderError
	)
	if errors.As(err, &unknownCA) || errors.As(err, &hostname) || errors.As(err, &invalid) ||
		errors.As(err, &verify) || errors.As(err, &recordHdr) {
		return true
	}
	// A TLS alert from the broker (bad or missing client certificate,
	// unknown CA, no common protocol version) arrives as a "remote error".
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "remote error" {
		return true
	}
	// kafka-go reports a plaintext client talking to a TLS listener only in
	// the text of a wrapped io.ErrUnexpectedEOF.
	return strings.Contains(err.Error(), "broker appears to be expecting TLS")
}

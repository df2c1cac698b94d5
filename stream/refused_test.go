package stream

import (
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"testing"

	"github.com/segmentio/kafka-go"
)

func TestRefused(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"SASL authentication failed", fmt.Errorf("join: %w", kafka.SASLAuthenticationFailed), true},
		{"SASL mechanism the broker does not enable", kafka.UnsupportedSASLMechanism, true},
		{"group ACL denies the principal", fmt.Errorf("join: %w", kafka.GroupAuthorizationFailed), true},
		{"topic ACL denies the principal", kafka.TopicAuthorizationFailed, true},
		{"broker certificate from an unknown CA", &net.OpError{Op: "dial", Err: x509.UnknownAuthorityError{}}, true},
		{"broker certificate for another host", fmt.Errorf("dial: %w", x509.HostnameError{Certificate: &x509.Certificate{}, Host: "kafka"}), true},
		{"expired certificate", x509.CertificateInvalidError{Reason: x509.Expired}, true},
		{"broker refuses the client certificate", &net.OpError{Op: "remote error", Err: errors.New("tls: certificate required")}, true},
		{"plaintext client on a TLS listener", fmt.Errorf("%w: broker appears to be expecting TLS", io.ErrUnexpectedEOF), true},
		{"connection refused", &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", syscall.ECONNREFUSED)}, false},
		{"connection reset", fmt.Errorf("read: %w", syscall.ECONNRESET), false},
		{"bare unexpected EOF", io.ErrUnexpectedEOF, false},
		{"coordinator moved", kafka.NotCoordinatorForGroup, false},
		{"rebalance in progress", kafka.RebalanceInProgress, false},
		{"other error", errors.New("boom"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Refused(tt.err); got != tt.want {
				t.Errorf("Refused(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

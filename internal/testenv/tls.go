package testenv

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TLSFiles is a throwaway PKI written as PEM files into a test's temporary
// directory: a CA, a server certificate for 127.0.0.1, ::1 and localhost
// signed by it, and a client certificate for mutual TLS signed by it too.
// Every call of NewTLSFiles makes a new CA, so the files of one call are not
// trusted by the certificates of another.
type TLSFiles struct {
	// CAFile is the CA certificate.
	CAFile string
	// CertFile and KeyFile are the server's certificate and its key.
	CertFile, KeyFile string
	// KeystoreFile holds the server's key followed by its certificate chain
	// (server certificate, then CA), the layout of Kafka's PEM key store.
	KeystoreFile string
	// ClientCertFile and ClientKeyFile are a client certificate (for mutual
	// TLS) and its key.
	ClientCertFile, ClientKeyFile string

	caPool *x509.CertPool
	client tls.Certificate
}

// tlsValidity is how long the generated certificates are valid: long enough
// for any test, short enough not to matter if the files leak.
const tlsValidity = 24 * time.Hour

// NewTLSFiles generates a CA, a server and a client certificate (ECDSA
// P-256, keys in PKCS#8) and writes them as PEM files into a new temporary
// directory of the test.
func NewTLSFiles(t testing.TB) *TLSFiles {
	t.Helper()
	dir := t.TempDir()
	now := time.Now().Add(-time.Hour) // tolerate a little clock skew
	caKey := newKey(t)
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(t),
		Subject:               pkix.Name{CommonName: "socialpulse test CA"},
		NotBefore:             now,
		NotAfter:              now.Add(tlsValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatalf("testenv: create CA certificate: %v", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	leaf := func(cn string, usage x509.ExtKeyUsage, server bool) ([]byte, *ecdsa.PrivateKey) {
		key := newKey(t)
		tmpl := &x509.Certificate{
			SerialNumber: serial(t),
			Subject:      pkix.Name{CommonName: cn},
			NotBefore:    now,
			NotAfter:     now.Add(tlsValidity),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		}
		if server {
			tmpl.DNSNames = []string{"localhost"}
			tmpl.IPAddresses = []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			t.Fatalf("testenv: create %s certificate: %v", cn, err)
		}
		return der, key
	}
	srvDER, srvKey := leaf("localhost", x509.ExtKeyUsageServerAuth, true)
	cliDER, cliKey := leaf("socialpulse-test-client", x509.ExtKeyUsageClientAuth, false)

	f := &TLSFiles{
		CAFile:         filepath.Join(dir, "ca.pem"),
		CertFile:       filepath.Join(dir, "server.pem"),
		KeyFile:        filepath.Join(dir, "server-key.pem"),
		KeystoreFile:   filepath.Join(dir, "server-keystore.pem"),
		ClientCertFile: filepath.Join(dir, "client.pem"),
		ClientKeyFile:  filepath.Join(dir, "client-key.pem"),
		caPool:         x509.NewCertPool(),
	}
	f.caPool.AddCert(ca)
	caPEM := certPEM(caDER)
	srvPEM, srvKeyPEM := certPEM(srvDER), keyPEM(t, srvKey)
	cliPEM, cliKeyPEM := certPEM(cliDER), keyPEM(t, cliKey)
	for path, data := range map[string][]byte{
		f.CAFile:         caPEM,
		f.CertFile:       srvPEM,
		f.KeyFile:        srvKeyPEM,
		f.KeystoreFile:   concat(srvKeyPEM, srvPEM, caPEM),
		f.ClientCertFile: cliPEM,
		f.ClientKeyFile:  cliKeyPEM,
	} {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if f.client, err = tls.X509KeyPair(cliPEM, cliKeyPEM); err != nil {
		t.Fatal(err)
	}
	return f
}

// ClientConfig returns a TLS client configuration that trusts the CA and
// presents the client certificate, for the helpers' readiness probes.
func (f *TLSFiles) ClientConfig() *tls.Config {
	return &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: f.caPool, Certificates: []tls.Certificate{f.client}}
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatalf("testenv: generate key: %v", err)
	}
	return k
}

func serial(t testing.TB) *big.Int {
	t.Helper()
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 126))
	if err != nil {
		t.Fatal(err)
	}
	return n.Add(n, big.NewInt(1))
}

func certPEM(der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

// keyPEM encodes key as unencrypted PKCS#8 ("PRIVATE KEY"), which Kafka's
// PEM key store, OpenSSL (Redis) and Go all read.
func keyPEM(t testing.TB, key *ecdsa.PrivateKey) []byte {
	t.Helper()
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
}

func concat(parts ...[]byte) []byte {
	var out []byte
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

package client_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ditstar/ditstar/ledger/client"
	"github.com/ditstar/ditstar/ledger/sandbox"
)

// startTLSProxy terminates TLS for 127.0.0.1 with a fresh self-signed
// certificate and forwards the plaintext to backend. It returns its address
// and the path of the certificate in PEM.
func startTLSProxy(t *testing.T, backend string) (addr, caFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "ditstar test ledger"},
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1)},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		IsCA:         true, BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}

	caFile = filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}

	cert := tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
	lis, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lis.Close() })
	go func() {
		for {
			in, err := lis.Accept()
			if err != nil {
				return
			}
			out, err := net.Dial("tcp", backend)
			if err != nil {
				in.Close()
				continue
			}
			go func() { io.Copy(out, in); out.Close() }()
			go func() { io.Copy(in, out); in.Close() }()
		}
	}()
	return lis.Addr().String(), caFile
}

func TestDialTLS(t *testing.T) {
	_, addr, party := startLedger(t, sandbox.Options{})
	tlsAddr, caFile := startTLSProxy(t, addr)
	c := dial(t, client.Config{Address: "https://" + tlsAddr, CAFile: caFile, Party: party})
	submitCreate(t, c, assetTemplate, 1)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if _, err := client.Dial(ctx, client.Config{Address: tlsAddr, TLS: true, Party: party}); err == nil {
		t.Error("Dial trusted a self-signed certificate without its CA file")
	}
	bad := filepath.Join(t.TempDir(), "bad.pem")
	os.WriteFile(bad, []byte("not a certificate"), 0o600)
	if _, err := client.Dial(ctx, client.Config{Address: tlsAddr, CAFile: bad, Party: party}); err == nil {
		t.Error("Dial accepted a CA file without certificates")
	}
}

package config

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
)

// readCertificates returns the certificates in a PEM file, or an error when
// it cannot be read or holds none.
func readCertificates(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read %q: %v", path, cause(err))
	}
	var certs []*x509.Certificate
	for rest := data; ; {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			continue
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("%q holds a certificate that does not parse: %v", path, err)
		}
		certs = append(certs, cert)
	}
	if len(certs) == 0 {
		return nil, fmt.Errorf("%q holds no PEM certificate", path)
	}
	return certs, nil
}

// TLSConfig returns the TLS client settings for the target: the system roots
// plus CONFORMANCE_CA_BUNDLE, and verification off when CONFORMANCE_INSECURE.
// It returns nil, nil when neither is set, so the defaults apply.
func (c Config) TLSConfig() (*tls.Config, error) {
	if c.CABundle == "" && !c.Insecure {
		return nil, nil
	}
	t := &tls.Config{InsecureSkipVerify: c.Insecure} // only when the user asks for it by name
	if c.CABundle != "" {
		certs, err := readCertificates(c.CABundle)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvCABundle, err)
		}
		pool, err := x509.SystemCertPool()
		if err != nil {
			pool = x509.NewCertPool()
		}
		for _, cert := range certs {
			pool.AddCert(cert)
		}
		t.RootCAs = pool
	}
	return t, nil
}

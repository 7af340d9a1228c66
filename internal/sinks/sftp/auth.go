// Authentication and host-key checking: what makes a connection trusted, and the errors that say
// what to fix when it is not.

package sftp

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// ErrHostKey means the server's host key is not in known_hosts, or differs from the one there. It is
// never retried: the connection may be intercepted, or known_hosts needs the server's key.
var ErrHostKey = errors.New("host key not trusted")

// errAuth means the server refused the login; retrying cannot help.
var errAuth = errors.New("login refused")

// authMethods reads the private key (decrypting it with the passphrase when it is encrypted) or uses
// the password. Neither secret is ever part of an error.
func authMethods(cfg Config) ([]ssh.AuthMethod, error) {
	var methods []ssh.AuthMethod
	if cfg.PrivateKeyFile != "" {
		pem, err := os.ReadFile(cfg.PrivateKeyFile)
		if err != nil {
			return nil, fmt.Errorf("private_key_file: %w", err)
		}
		signer, err := ssh.ParsePrivateKey(pem)
		var missing *ssh.PassphraseMissingError
		if errors.As(err, &missing) {
			if cfg.KeyPassphrase == "" {
				return nil, fmt.Errorf("private_key_file %s is encrypted: set SFTP_KEY_PASSPHRASE", cfg.PrivateKeyFile)
			}
			signer, err = ssh.ParsePrivateKeyWithPassphrase(pem, []byte(cfg.KeyPassphrase))
		}
		if err != nil {
			return nil, fmt.Errorf("private_key_file %s: %w", cfg.PrivateKeyFile, err)
		}
		methods = append(methods, ssh.PublicKeys(signer))
	}
	if cfg.Password != "" {
		methods = append(methods, ssh.Password(cfg.Password))
	}
	if len(methods) == 0 {
		return nil, errors.New("no credentials: set private_key_file or SFTP_PASSWORD")
	}
	return methods, nil
}

// hostKeyAlgorithms lists the key types known_hosts holds for addr, so the server is asked for a key
// we can check rather than its preferred one (which may be a type known_hosts lacks).
func hostKeyAlgorithms(cb ssh.HostKeyCallback, addr string) []string {
	tcp, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		return nil
	}
	var keyErr *knownhosts.KeyError
	if err := cb(addr, tcp, probeKey{}); !errors.As(err, &keyErr) {
		return nil
	}
	var algos []string
	for _, k := range keyErr.Want {
		switch t := k.Key.Type(); t {
		case ssh.KeyAlgoRSA:
			algos = append(algos, ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA)
		default:
			algos = append(algos, t)
		}
	}
	return algos
}

// probeKey matches no real key: checking it returns the keys known_hosts expects.
type probeKey struct{}

func (probeKey) Type() string                        { return "rtk-probe" }
func (probeKey) Marshal() []byte                     { return []byte("rtk-probe") }
func (probeKey) Verify([]byte, *ssh.Signature) error { return errors.New("probe key") }

// handshakeError says what to fix for the failures retrying cannot cure.
func (d *dialer) handshakeError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var keyErr *knownhosts.KeyError
	var revoked *knownhosts.RevokedError
	switch {
	case errors.As(err, &keyErr) && len(keyErr.Want) == 0:
		return fmt.Errorf("%w: %s is not in known_hosts_file %s (add its key, e.g. from ssh-keyscan, after checking it): %w", ErrHostKey, d.addr, d.knownHosts, err)
	case errors.As(err, &keyErr), errors.As(err, &revoked):
		return fmt.Errorf("%w: %s presented a key that differs from known_hosts_file %s: %w", ErrHostKey, d.addr, d.knownHosts, err)
	case strings.Contains(err.Error(), "unable to authenticate"):
		// x/crypto/ssh has no typed error for a refused login.
		return fmt.Errorf("%w for %s: check private_key_file or SFTP_PASSWORD: %w", errAuth, d.user, err)
	}
	return err
}

package main

// The container image is FROM scratch: no /etc/ssl/certs. This package registers Mozilla's root
// certificates, embedded in the binary, as the roots crypto/x509 uses when the system has none; on a
// host with its own CA bundle the system's roots still win.
import _ "golang.org/x/crypto/x509roots/fallback"

package azure

import (
	"fmt"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// Config describes one container. The two secrets come from the environment or files, never from the
// config file; String leaves them out so a Config can be printed safely.
type Config struct {
	Account   string // storage account name; optional with a connection string that names it
	Container string
	Endpoint  string // blob service URL, e.g. http://127.0.0.1:10000/devstoreaccount1; "" for Azure's

	ConnectionString string // secret: an Azure Storage connection string, used when set
	AccountKey       string // secret: the shared key of Account, used without a connection string

	BlockSize      int // bytes per staged block; default 4 MiB
	Buffers        int // block buffers shared by all Puts of the sink: its memory is BlockSize*Buffers; default 8
	BlocksInFlight int // blocks one Put stages concurrently; default 3

	Deadlines sinks.Deadlines // bound every request and its retries; sinks.Deadlines' defaults when zero
	// Archive: access tier, encryption scope, immutability, legal hold and tags (options.go).
	Archive Archive
	// Setting is the config path of these settings, for messages (e.g. destinations.azure).
	Setting string
}

func (c Config) withDefaults() Config {
	if c.BlockSize <= 0 {
		c.BlockSize = 4 << 20
	}
	if c.Buffers <= 0 {
		c.Buffers = 8
	}
	if c.Setting == "" {
		c.Setting = "azure"
	}
	if c.BlocksInFlight <= 0 {
		c.BlocksInFlight = 3
	}
	c.Deadlines = c.Deadlines.WithDefaults()
	return c
}

// String implements fmt.Stringer without the secrets.
func (c Config) String() string {
	cred := "none"
	switch {
	case c.ConnectionString != "":
		cred = "connection string"
	case c.AccountKey != "":
		cred = "shared key"
	}
	return fmt.Sprintf("azure{account=%s container=%s endpoint=%s credentials=%s}", c.Account, c.Container, c.Endpoint, cred)
}

// GoString keeps %#v from printing the secrets too.
func (c Config) GoString() string { return c.String() }

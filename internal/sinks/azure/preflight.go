package azure

import (
	"fmt"

	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// preflight checks, before the first upload, that the container can honour the archive settings:
// version-level immutability or a legal hold asked of a container without version-level immutability
// support fails the destination at once, naming the setting, before anything is downloaded. (The
// access tier was checked with the config; an unknown encryption scope shows on the first write, and
// fails it as permanent.)
func (s *Sink) preflight(p container.GetPropertiesResponse) error {
	setting := ""
	switch {
	case !s.archive.Immutability.IsZero():
		setting = s.setting + ".immutability"
	case s.archive.LegalHold:
		setting = s.setting + ".legal_hold"
	default:
		return nil
	}
	if p.IsImmutableStorageWithVersioningEnabled == nil || !*p.IsImmutableStorageWithVersioningEnabled {
		return sinks.Permanent(fmt.Errorf("%s: container %s of account %s does not have version-level immutability support enabled", setting, s.container, s.account))
	}
	return nil
}

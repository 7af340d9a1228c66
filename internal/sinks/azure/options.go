package azure

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/blob"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// Archive holds a container's archive-grade settings: the access tier, encryption scope,
// version-level immutability, legal hold and blob index tags of every blob written. All go on the Put
// Blob or Put Block List that creates the blob, never on a later Set Tier or Set Properties (which an
// immutable blob refuses). The yaml names are the config's.
type Archive struct {
	AccessTier      string       `yaml:"access_tier"` // Hot, Cool, Cold, Archive; "" the account's default
	EncryptionScope string       `yaml:"encryption_scope"`
	Immutability    Immutability `yaml:"immutability"`
	LegalHold       bool         `yaml:"legal_hold"`
	Tags            sinks.Tags   `yaml:"tags"`
}

// Immutability is a version-level immutability policy; the container must have version-level
// immutability support (and so versioning) enabled.
type Immutability struct {
	Mode               string `yaml:"mode"` // Locked or Unlocked
	sinks.RetainPeriod `yaml:",inline"`
}

// IsZero reports whether no policy is asked for.
func (i Immutability) IsZero() bool { return i.Mode == "" && i.RetainPeriod.IsZero() }

var accessTiers = []string{"Hot", "Cool", "Cold", "Archive"}

// Check validates the settings; setting is their config path (destinations.azure), named in every error.
func (a Archive) Check(setting string) error {
	if a.AccessTier != "" && !slices.Contains(accessTiers, a.AccessTier) {
		return fmt.Errorf("%s.access_tier: %q is not an access tier (one of %s)", setting, a.AccessTier, strings.Join(accessTiers, ", "))
	}
	if i := a.Immutability; !i.IsZero() {
		if i.Mode != "Locked" && i.Mode != "Unlocked" {
			return fmt.Errorf("%s.immutability.mode: %q is not Locked or Unlocked", setting, i.Mode)
		}
		if err := i.RetainPeriod.Check(setting + ".immutability"); err != nil {
			return err
		}
	}
	if n := len(a.Tags.Map()); n > 10 {
		return fmt.Errorf("%s.tags: %d tags; a blob takes at most 10", setting, n)
	}
	return nil
}

// WriteOnce implements sinks.WriteOnce: blobs get an immutability policy or a legal hold.
func (s *Sink) WriteOnce() bool { return !s.archive.Immutability.IsZero() || s.archive.LegalHold }

// KeyID names the encryption scope blobs are written under, "" for the account's default.
func (s *Sink) KeyID() string { return s.archive.EncryptionScope }

// creation is what the request creating a blob carries besides its data.
type creation struct {
	tier      *blob.AccessTier
	scope     *blob.CPKScopeInfo
	legalHold *bool
	mode      *blob.ImmutabilityPolicySetting
	until     *time.Time
	tags      map[string]string
}

func (a Archive) creation(now time.Time) creation {
	var c creation
	if a.AccessTier != "" {
		c.tier = to.Ptr(blob.AccessTier(a.AccessTier))
	}
	c.scope = a.scope()
	if a.LegalHold {
		c.legalHold = to.Ptr(true)
	}
	if !a.Immutability.IsZero() {
		c.mode = to.Ptr(blob.ImmutabilityPolicySetting(a.Immutability.Mode))
		c.until = to.Ptr(a.Immutability.Until(now))
	}
	c.tags = a.Tags.Map()
	return c
}

// scope is the encryption scope every write (blocks included) names; reads need nothing.
func (a Archive) scope() *blob.CPKScopeInfo {
	if a.EncryptionScope == "" {
		return nil
	}
	return &blob.CPKScopeInfo{EncryptionScope: to.Ptr(a.EncryptionScope)}
}

// WantLock implements sinks.LockPolicy.
func (s *Sink) WantLock(written time.Time) sinks.Lock {
	i := s.archive.Immutability
	w := sinks.Lock{Mode: i.Mode, Hold: s.archive.LegalHold}
	if !i.IsZero() {
		w.RetainUntil = i.Until(written)
	}
	return w
}

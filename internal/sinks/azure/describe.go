package azure

import (
	"context"
	"encoding/base64"
	"fmt"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

var _ sinks.Describer = (*Sink)(nil)

// Describe implements sinks.Describer with Get Blob Properties, which works on an Archive blob that
// Get Blob refuses (409 BlobArchived): size, our SHA-256 (set at commit), Content-MD5 when the blob
// has one, the tier and whether it is offline, and the immutability policy and legal hold.
func (s *Sink) Describe(ctx context.Context, key string) (sinks.Description, error) {
	if err := checkKey(key); err != nil {
		return sinks.Description{}, err
	}
	p, err := s.client.NewBlobClient(key).GetProperties(ctx, nil)
	if err != nil {
		return sinks.Description{}, fmt.Errorf("describe %s: %w", s.URL(key), mapErr(err))
	}
	d := sinks.Description{Object: sinks.Object{Key: key, SHA256: metadataSHA256(p.Metadata)}}
	if p.ContentLength != nil {
		d.Size = *p.ContentLength
	}
	if p.AccessTier != nil {
		d.Class = *p.AccessTier
	}
	// An Archive blob stays offline until a rehydration to an online tier finishes (ArchiveStatus
	// says one is pending, and the tier still says Archive until then).
	d.Cold = d.Class == "Archive"
	if len(p.ContentMD5) > 0 {
		d.Checksum = "md5:" + base64.StdEncoding.EncodeToString(p.ContentMD5)
	}
	if p.ImmutabilityPolicyMode != nil {
		d.Lock.Mode = string(*p.ImmutabilityPolicyMode)
	}
	if p.ImmutabilityPolicyExpiresOn != nil {
		d.Lock.RetainUntil = p.ImmutabilityPolicyExpiresOn.UTC()
	}
	d.Lock.Hold = p.LegalHold != nil && *p.LegalHold
	return d, nil
}

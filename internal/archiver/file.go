package archiver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// recState is what the files of one recording share while a worker handles it.
type recState struct {
	rec       *fetch.Recording
	prefix    string            // the target's key prefix
	refreshed bool              // the details were fetched again for fresh URLs (once per recording)
	urls      map[string]string // key -> fresh URL after a refresh
	refused   bool              // the destination refused a file for good: the rest is not tried
}

// file archives one file and returns its manifest line.
func (a *archiver) file(ctx context.Context, log *slog.Logger, rs *recState, t Target, f file) manifest.Entry {
	rec := rs.rec
	if u, ok := rs.urls[f.Key]; ok {
		f.URL = u
	}
	dest := t.Sink.URL(f.Key)
	entry := manifest.Entry{RecordingID: rec.ID, Kind: f.Kind, File: f.Name, Destination: dest, Target: t.Name, Expiry: rec.DownloadURLExpiry, KeyID: sinks.KeyID(t.Sink)}
	fail := func(err error) manifest.Entry {
		entry.Status, entry.Error = manifest.StatusFailed, err.Error()
		rs.refused = rs.refused || errors.Is(err, sinks.ErrPermanent)
		log.Info("file failed", "kind", f.Kind, "file", f.Name, "destination", dest, "error", err) // "recording failed" says it once at error
		return entry
	}

	present := func(o *sinks.Object) manifest.Entry {
		entry.Status, entry.Size, entry.SHA256, entry.Checksum = manifest.StatusPresent, o.Size, o.SHA256, o.Checksum
		log.Debug("already archived", "kind", f.Kind, "destination", dest)
		return entry
	}
	// A key no earlier run recorded is most likely free: where the sink can create an object only if
	// none exists, write straight away and look only when it refuses. Otherwise look first.
	_, recorded := a.cfg.Previous.Lookup(dest, f.Kind)
	creator, _ := t.Sink.(sinks.Creator)
	create := creator != nil && !recorded && !a.cfg.Overwrite
	if !create {
		existing, err := a.existing(ctx, rec, t, f)
		switch {
		case err != nil:
			return fail(err)
		case existing != nil:
			return present(existing)
		}
	}

	var obj sinks.Object
	var err error
	for attempt := 1; ; attempt++ {
		obj, err = a.copy(ctx, t, f, create)
		if create && errors.Is(err, sinks.ErrExists) {
			existing, xerr := a.existing(ctx, rec, t, f)
			switch {
			case xerr != nil:
				return fail(xerr)
			case existing != nil:
				return present(existing)
			}
			create = false // it went away meanwhile: write it
			attempt--
			continue
		}
		if err != nil && refreshable(err) && !rs.refreshed && ctx.Err() == nil {
			// Presigned URLs can die before their stated expiry: ask for the details once more.
			if fresh, rerr := a.refresh(ctx, log, rs, f); rerr == nil {
				f.URL = fresh
				attempt--
				continue
			} else {
				log.Warn("could not refresh the download URL", "kind", f.Kind, "error", rerr)
			}
		}
		if err == nil || !retryable(err) || attempt >= a.cfg.FileRetries || ctx.Err() != nil {
			break
		}
		log.Warn("retrying file", "kind", f.Kind, "file", f.Name, "attempt", attempt, "error", err)
		if sleepCtx(ctx, a.cfg.RetryDelay<<(attempt-1)) != nil {
			break
		}
	}
	if err != nil && refreshable(err) && expired(rec, a.now()) {
		// The media expired while this run was on it: a loss, said once (a later run counts it).
		return fail(fmt.Errorf("given up: RealtimeKit's copy expired at %s during this run: %s: %w", expiryText(rec), manifest.LostText, err))
	}
	if err != nil && refreshable(err) {
		return fail(fmt.Errorf("given up: the download URL is expired or refused even after fetching a fresh one (RealtimeKit's copy expires %s): %w", expiryText(rec), err))
	}
	if err != nil {
		return fail(err)
	}
	entry.Status, entry.Size, entry.SHA256, entry.Checksum = manifest.StatusArchived, obj.Size, obj.SHA256, obj.Checksum
	log.Info("archived", "kind", f.Kind, "file", f.Name, "destination", dest, "size", obj.Size)
	return entry
}

// copy streams one file from its presigned URL into the sink; with create, only if the key is free.
func (a *archiver) copy(ctx context.Context, t Target, f file, create bool) (obj sinks.Object, err error) {
	if a.cfg.FileTimeout > 0 {
		timeout := fmt.Errorf("%w: the download and upload took longer than %v", fetch.ErrFileTimeout, a.cfg.FileTimeout)
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, a.cfg.FileTimeout, timeout)
		defer cancel()
		defer func() {
			// A file that used up its time is not tried again (see retryable); say so, not just "deadline exceeded".
			if err != nil && errors.Is(context.Cause(ctx), timeout) && !errors.Is(err, fetch.ErrFileTimeout) {
				err = fmt.Errorf("%w: %w", timeout, err)
			}
		}()
	}
	media, err := a.cfg.Client.OpenMedia(ctx, f.URL, f.Size)
	if err != nil {
		return sinks.Object{}, err
	}
	defer media.Close()
	put := t.Sink.Put
	if create {
		put = t.Sink.(sinks.Creator).Create
	}
	obj, err = put(ctx, f.Key, counting{media, a.sum}, sinks.PutOptions{Size: media.Size})
	if err != nil {
		return sinks.Object{}, err
	}
	return obj, nil
}

// refreshable says whether a fresh URL may help: the host refused (403, as for an expired URL) or
// no longer has (404) the file behind the URL we hold.
func refreshable(err error) bool {
	return errors.Is(err, fetch.ErrExpired) || errors.Is(err, fetch.ErrNotFound)
}

// refresh fetches the recording's details again and returns f's fresh URL; later files of the
// recording use the fresh URLs too.
func (a *archiver) refresh(ctx context.Context, log *slog.Logger, rs *recState, f file) (string, error) {
	rs.refreshed = true
	if f.Refresh != nil {
		return f.Refresh(ctx)
	}
	fresh, err := a.cfg.Client.Recording(ctx, rs.rec.ID)
	if err != nil {
		return "", err
	}
	if fresh.Status != fetch.StatusUploaded {
		return "", fmt.Errorf("the recording's status is now %s", fresh.Status)
	}
	rs.urls = map[string]string{}
	for _, pf := range plan(fresh, rs.prefix) {
		rs.urls[pf.Key] = pf.URL
	}
	u, ok := rs.urls[f.Key]
	if !ok {
		return "", errors.New("the fresh details no longer list this file")
	}
	log.Info("refreshed the download URLs", "kind", f.Kind)
	return u, nil
}

func expiryText(rec *fetch.Recording) string {
	if rec.DownloadURLExpiry.IsZero() {
		return "at an unknown time"
	}
	return rec.DownloadURLExpiry.UTC().Format(time.RFC3339)
}

// retryable says whether copying the file again may help. Expired or missing sources, download URLs
// the policy refuses, keys a destination refuses and disagreeing or oversized sizes will not change by
// trying again;
// a file that used up its whole FileTimeout would only use it up again.
func retryable(err error) bool {
	for _, permanent := range []error{sinks.ErrPermanent, fetch.ErrExpired, fetch.ErrNotFound, fetch.ErrSizeMismatch, fetch.ErrNotMedia, fetch.ErrRefusedURL, fetch.ErrFileTimeout, fetch.ErrTooLarge, sinks.ErrInvalidKey, context.Canceled} {
		if errors.Is(err, permanent) {
			return false
		}
	}
	var de *fetch.DownloadError
	if errors.As(err, &de) && !de.Retryable() {
		return false
	}
	return true
}

// existing returns the object already at f's key when it is verifiably the file we would archive, nil
// when the key is free, and an error when something else is there (unless Overwrite) or the check fails.
func (a *archiver) existing(ctx context.Context, rec *fetch.Recording, t Target, f file) (*sinks.Object, error) {
	if prev, ok := a.cfg.Previous.Lookup(t.Sink.URL(f.Key), f.Kind); ok {
		// An earlier run archived it: prove it by what that run recorded (see recorded.go).
		return a.recorded(ctx, t, f, prev)
	}
	return a.unrecorded(ctx, t, f) // see unrecorded.go
}

// metadata stores the recording's redacted details beside its files, once: the first version written
// stays, and no later run rewrites it, even when the details it would write now differ (a later run
// knows more: a stop reason, what became of a session artifact). A rewrite would make the SHA-256 an
// earlier manifest recorded false, let two runs at once race, and is refused, or kept as another locked
// version, on a write-once destination. What changed later is in the manifest's own lines.
func (a *archiver) metadata(ctx context.Context, rec *fetch.Recording, t Target, fresh bool) manifest.Entry {
	f := metadataFile(rec, t.Prefix)
	entry := manifest.Entry{RecordingID: rec.ID, Kind: f.Kind, File: f.Name, Destination: t.Sink.URL(f.Key), Target: t.Name, KeyID: sinks.KeyID(t.Sink)}
	doc, err := rec.Redacted()
	if err != nil {
		entry.Status, entry.Error = manifest.StatusFailed, fmt.Sprintf("encoding details: %v", err)
		return entry
	}
	doc = append(doc, '\n')
	obj, status, err := writeOnce(ctx, t.Sink, f.Key, doc, fresh)
	if err != nil {
		entry.Status, entry.Error = manifest.StatusFailed, err.Error()
		return entry
	}
	entry.Status, entry.Size, entry.SHA256 = status, obj.Size, obj.SHA256
	return entry
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

package fetch

import (
	"fmt"
	"net/url"
)

// validate checks what decoding alone does not: an item the pipeline would act on must have a
// recording ID, a status and download URLs that are URLs.
func (r *Recording) validate() error {
	if !ValidID(r.ID) {
		return fmt.Errorf("id %q is not a UUID", r.ID)
	}
	if r.Status == "" {
		return fmt.Errorf("recording %s: no status", r.ID)
	}
	check := func(field, raw string) error {
		if raw == "" {
			return nil
		}
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
			return fmt.Errorf("recording %s: %s is not an http(s) URL", r.ID, field)
		}
		return nil
	}
	if err := check("download_url", r.DownloadURL); err != nil {
		return err
	}
	if err := check("audio_download_url", r.AudioDownloadURL); err != nil {
		return err
	}
	for _, t := range r.Tracks {
		if err := check("download_url of track "+t.File, t.URL); err != nil {
			return err
		}
	}
	return nil
}

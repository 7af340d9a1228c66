package fetch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Status is a recording's lifecycle state as RealtimeKit reports it.
type Status string

// The statuses RealtimeKit documents. Only StatusUploaded has media.
const (
	StatusInvoked   Status = "INVOKED"
	StatusRecording Status = "RECORDING"
	StatusUploading Status = "UPLOADING"
	StatusUploaded  Status = "UPLOADED"
	StatusErrored   Status = "ERRORED"
	StatusPaused    Status = "PAUSED"
)

// Recording is one recording's details. Decoding is tolerant wherever the API is known to vary
// (download_url string/null/array, file_size number or string, both timestamp forms, user_Id/user_id).
// Secret storage_config fields are never decoded, so they cannot leak from this struct.
type Recording struct {
	ID                string
	Status            Status
	MeetingID         string
	SessionID         string
	OutputFileName    string
	DownloadURL       string      // single media file; empty when absent or a track recording
	Tracks            []TrackFile // files of a track recording (download_url given as an array of layers)
	AudioDownloadURL  string
	DownloadURLExpiry time.Time // zero when unknown
	FileSize          int64     // -1 when unknown
	InvokedTime       time.Time
	StartedTime       time.Time
	StoppedTime       time.Time
	Duration          int64 // seconds; 0 when unknown
	StorageConfig     *StorageConfig

	// Raw is the data object exactly as the API sent it, kept for the metadata file; see Redacted. A
	// listed recording keeps it redacted and packed instead (see packed.go), and Raw is nil.
	Raw    json.RawMessage
	packed []byte

	// Artifacts is the archiver's, not the API's: what became of each of the session's artifacts
	// (kind -> manifest status), which Redacted adds to the details as rtk_archive.artifacts.
	Artifacts map[string]string
}

// TrackFile is one file of a track recording.
type TrackFile struct {
	Layer string
	File  string
	URL   string
}

// StorageConfig is the non-secret part of a recording's storage_config.
type StorageConfig struct {
	Type       string `json:"type"`
	Bucket     string `json:"bucket,omitempty"`
	Region     string `json:"region,omitempty"`
	Path       string `json:"path,omitempty"`
	Host       string `json:"host,omitempty"`
	Port       int    `json:"port,omitempty"`
	Username   string `json:"username,omitempty"`
	AuthMethod string `json:"auth_method,omitempty"`
}

// HasMedia reports whether the recording has any file to download.
func (r *Recording) HasMedia() bool {
	return r.DownloadURL != "" || r.AudioDownloadURL != "" || len(r.Tracks) > 0
}

type wireRecording struct {
	ID                string          `json:"id"`
	Status            Status          `json:"status"`
	MeetingID         string          `json:"meeting_id"`
	SessionID         *string         `json:"session_id"`
	OutputFileName    string          `json:"output_file_name"`
	DownloadURL       json.RawMessage `json:"download_url"`
	AudioDownloadURL  *string         `json:"audio_download_url"`
	DownloadURLExpiry flexTime        `json:"download_url_expiry"`
	FileSize          json.RawMessage `json:"file_size"`
	InvokedTime       flexTime        `json:"invoked_time"`
	StartedTime       flexTime        `json:"started_time"`
	StoppedTime       flexTime        `json:"stopped_time"`
	Duration          json.RawMessage `json:"recording_duration"`
	StorageConfig     json.RawMessage `json:"storage_config"`
}

// UnmarshalJSON decodes a recording as the list and detail routes return it.
func (r *Recording) UnmarshalJSON(b []byte) error {
	var w wireRecording
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	if w.ID == "" {
		return fmt.Errorf("recording without id")
	}
	*r = Recording{
		ID:                w.ID,
		Status:            Status(strings.ToUpper(string(w.Status))),
		MeetingID:         w.MeetingID,
		SessionID:         deref(w.SessionID),
		OutputFileName:    w.OutputFileName,
		AudioDownloadURL:  deref(w.AudioDownloadURL),
		DownloadURLExpiry: time.Time(w.DownloadURLExpiry),
		InvokedTime:       time.Time(w.InvokedTime),
		StartedTime:       time.Time(w.StartedTime),
		StoppedTime:       time.Time(w.StoppedTime),
		Raw:               append(json.RawMessage(nil), b...),
	}
	var err error
	if r.FileSize, err = decodeSize(w.FileSize); err != nil {
		return fmt.Errorf("recording %s: file_size: %w", w.ID, err)
	}
	if d, err := decodeSize(w.Duration); err == nil && d > 0 {
		r.Duration = d
	}
	if r.DownloadURL, r.Tracks, err = decodeDownloadURL(w.DownloadURL); err != nil {
		return fmt.Errorf("recording %s: download_url: %w", w.ID, err)
	}
	if r.StorageConfig, err = decodeStorageConfig(w.StorageConfig); err != nil {
		return fmt.Errorf("recording %s: storage_config: %w", w.ID, err)
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func isNull(b json.RawMessage) bool {
	b = bytes.TrimSpace(b)
	return len(b) == 0 || bytes.Equal(b, []byte("null"))
}

// decodeSize accepts a JSON number (possibly a float) or a numeric string; null or absent is -1.
func decodeSize(b json.RawMessage) (int64, error) {
	if isNull(b) {
		return -1, nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		if strings.TrimSpace(s) == "" {
			return -1, nil
		}
		b = json.RawMessage(strings.TrimSpace(s))
	}
	f, err := strconv.ParseFloat(string(b), 64)
	// From 2^63 on, int64(f) is not the size (on amd64 it is math.MinInt64): not a size either.
	if err != nil || f < 0 || f >= math.MaxInt64 || math.IsNaN(f) {
		return 0, fmt.Errorf("not a size: %s", b)
	}
	return int64(f), nil
}

// decodeDownloadURL accepts a string, null, or the track recording's array of layers.
func decodeDownloadURL(b json.RawMessage) (string, []TrackFile, error) {
	if isNull(b) {
		return "", nil, nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		return s, nil, nil
	}
	var layers []struct {
		LayerName    string `json:"layer_name"`
		DownloadURLs map[string]struct {
			DownloadURL string `json:"download_url"`
		} `json:"download_urls"`
	}
	if err := json.Unmarshal(b, &layers); err != nil {
		return "", nil, fmt.Errorf("neither a string nor an array of layers")
	}
	var tracks []TrackFile
	for _, l := range layers {
		for _, name := range sortedKeys(l.DownloadURLs) {
			if u := l.DownloadURLs[name].DownloadURL; u != "" {
				tracks = append(tracks, TrackFile{Layer: l.LayerName, File: name, URL: u})
			}
		}
	}
	return "", tracks, nil
}

func decodeStorageConfig(b json.RawMessage) (*StorageConfig, error) {
	if isNull(b) {
		return nil, nil
	}
	var w struct {
		StorageConfig
		Port json.RawMessage `json:"port"`
	}
	if err := json.Unmarshal(b, &w); err != nil {
		return nil, err
	}
	sc := w.StorageConfig
	sc.Type = strings.ToLower(sc.Type)
	if port, err := decodeSize(w.Port); err == nil && port > 0 && port < 65536 {
		sc.Port = int(port)
	}
	if sc.Type == "" {
		return nil, nil
	}
	return &sc, nil
}

// flexTime parses RFC 3339 with 'T' or with the space older payloads used; null is the zero time.
type flexTime time.Time

func (t *flexTime) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("timestamp: %s", b)
	}
	parsed, err := ParseTime(s)
	if err != nil {
		return err
	}
	*t = flexTime(parsed)
	return nil
}

// ParseTime parses the timestamp forms RealtimeKit has used; an empty string is the zero time.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	if len(s) > 10 && s[10] == ' ' {
		s = s[:10] + "T" + s[11:]
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("timestamp %q is not RFC 3339", s)
}

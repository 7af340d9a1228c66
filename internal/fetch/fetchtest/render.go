package fetchtest

import (
	"net/http"
	"time"
)

// render is a recording as the API returns it. The list route leaves out start_reason and stop_reason.
func (s *Server) render(rec *Recording, r *http.Request, detail bool) map[string]any {
	m := s.renderFields(rec, r, detail)
	for k, v := range rec.Override {
		m[k] = v
	}
	return m
}

func (s *Server) renderFields(rec *Recording, r *http.Request, detail bool) map[string]any {
	ts := func(t time.Time) any {
		if t.IsZero() {
			return nil
		}
		if rec.SpaceTimestamps {
			return t.UTC().Format("2006-01-02 15:04:05.000Z")
		}
		return t.UTC().Format("2006-01-02T15:04:05.000Z")
	}
	uploaded := rec.Status == "UPLOADED"
	m := map[string]any{
		"id":                  rec.ID,
		"status":              rec.Status,
		"meeting_id":          rec.MeetingID,
		"session_id":          nil,
		"output_file_name":    rec.OutputFileName,
		"invoked_time":        ts(rec.Invoked),
		"started_time":        ts(rec.Invoked.Add(5 * time.Second)),
		"stopped_time":        nil,
		"download_url":        nil,
		"audio_download_url":  nil,
		"download_url_expiry": nil,
		"file_size":           nil,
		"storage_config":      nil,
	}
	if rec.SessionID != "" {
		m["session_id"] = rec.SessionID
	}
	if rec.StorageConfig != nil {
		m["storage_config"] = rec.StorageConfig
	}
	if detail {
		caller := map[string]any{"name": "demo-bot", "type": "ORGANIZATION", "user_Id": "u-123"}
		m["start_reason"] = map[string]any{"reason": "API_CALL", "caller": caller}
	} else if rec.MeetingID != "" {
		// Only list items carry the meeting; the detail route has no meeting object.
		m["meeting"] = map[string]any{"id": rec.MeetingID, "title": "Meeting " + rec.MeetingID[:min(8, len(rec.MeetingID))], "status": "ACTIVE",
			"record_on_start": false, "persist_chat": true, "summarize_on_end": false, "transcribe_on_end": false}
	}
	if !uploaded && rec.Status != "ERRORED" {
		return m
	}
	m["stopped_time"] = ts(rec.Invoked.Add(time.Hour))
	m["recording_duration"] = 3595
	if !uploaded || rec.NoDownloadURL {
		return m
	}
	m["download_url_expiry"] = ts(rec.expiry())
	switch {
	case len(rec.Tracks) > 0:
		layers := map[string]map[string]any{}
		var order []string
		for _, t := range rec.Tracks {
			if layers[t.Layer] == nil {
				layers[t.Layer] = map[string]any{}
				order = append(order, t.Layer)
			}
			layers[t.Layer][t.File] = map[string]any{"download_url": s.downloadURL(r, rec, TrackFile(t))}
		}
		var arr []any
		for _, l := range order {
			arr = append(arr, map[string]any{"layer_name": l, "download_urls": layers[l]})
		}
		m["download_url"] = arr
	case rec.MediaSize > 0:
		m["download_url"] = s.downloadURL(r, rec, MediaFile)
		size := rec.MediaSize
		if rec.WrongFileSize != 0 {
			size = rec.WrongFileSize
		}
		if rec.FileSizeAsString {
			m["file_size"] = itoa(size)
		} else {
			m["file_size"] = float64(size)
		}
	}
	if rec.AudioSize > 0 {
		m["audio_download_url"] = s.downloadURL(r, rec, AudioFile)
	}
	return m
}

package fetch

import (
	"bytes"
	"compress/flate"
	"encoding/json"
	"io"
)

// A listed recording waits in the run's queue until a worker takes it, and a first run over a busy
// window can hold tens of thousands at once. What it keeps of the API's JSON for its metadata file is
// therefore the redacted form (presigned URL queries, which are as long as the rest together, are
// dropped anyway when the file is written), deflated against a dictionary of the fields every item
// has: about 250 bytes instead of a few KiB. The default level, not the fastest: it takes about 20
// microseconds more a recording, and packs to 60 % of the fastest level's size.

// packDict primes the compressor with what every list item repeats.
var packDict = []byte(`{"id":"","status":"UPLOADED","meeting_id":"","session_id":null,"output_file_name":"",` +
	`"invoked_time":"2026-01-01T00:00:00.000Z","started_time":"","stopped_time":"","download_url":"https://",` +
	`"audio_download_url":null,"download_url_expiry":"","file_size":,"recording_duration":,"storage_config":null,` +
	`"meeting":{"id":"","title":"","status":"ACTIVE","created_at":"","updated_at":"","record_on_start":false,` +
	`"persist_chat":false,"summarize_on_end":false,"transcribe_on_end":false,"recording_config":{}}}`)

// packer deflates the recordings of one walk; its compressor (most of a MiB) is made once per walk.
type packer struct{ w *flate.Writer }

// pack replaces rec's Raw with its packed form.
func (p *packer) pack(rec *Recording) {
	if packed := p.packRaw(rec.Raw); packed != nil {
		rec.Raw, rec.packed = nil, packed
	}
}

// packRaw returns raw redacted, compacted and deflated; nil when it is not a JSON object.
func (p *packer) packRaw(raw []byte) []byte {
	var doc map[string]any
	if json.Unmarshal(raw, &doc) != nil {
		return nil
	}
	redact(doc)
	for _, k := range []string{"download_url", "audio_download_url"} {
		if v, ok := doc[k]; ok {
			doc[k] = stripQueries(v)
		}
	}
	plain, err := json.Marshal(doc)
	if err != nil {
		return nil
	}
	var out bytes.Buffer
	if p.w == nil {
		if p.w, err = flate.NewWriterDict(&out, flate.DefaultCompression, packDict); err != nil {
			return nil
		}
	} else {
		p.w.Reset(&out)
	}
	if _, err := p.w.Write(plain); err != nil || p.w.Close() != nil {
		return nil
	}
	return bytes.Clone(out.Bytes())
}

// unpackRaw inflates what packRaw made.
func unpackRaw(packed []byte) (json.RawMessage, error) {
	r := flate.NewReaderDict(bytes.NewReader(packed), packDict)
	defer r.Close()
	return io.ReadAll(r)
}

// raw is the recording's JSON as the API sent it, or, for a listed recording, its redacted form.
func (r *Recording) raw() (json.RawMessage, error) {
	if r.Raw != nil || r.packed == nil {
		return r.Raw, nil
	}
	return unpackRaw(r.packed)
}

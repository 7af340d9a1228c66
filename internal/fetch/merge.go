package fetch

import "encoding/json"

// WithMeeting returns r with the `meeting` object of listed added to its raw details, when r lacks one:
// the list route carries the meeting (title, settings) and the detail route does not, so a recording
// seen both ways keeps what each knows in its metadata file.
func (r *Recording) WithMeeting(listed *Recording) *Recording {
	if listed == nil || (len(listed.Raw) == 0 && listed.packed == nil) || len(r.Raw) == 0 {
		return r
	}
	listedRaw, err := listed.raw()
	if err != nil {
		return r
	}
	var from, to map[string]json.RawMessage
	if json.Unmarshal(listedRaw, &from) != nil || json.Unmarshal(r.Raw, &to) != nil {
		return r
	}
	meeting, ok := from["meeting"]
	if _, has := to["meeting"]; !ok || has || isNull(meeting) {
		return r
	}
	to["meeting"] = meeting
	raw, err := json.Marshal(to)
	if err != nil {
		return r
	}
	out := *r
	out.Raw = raw
	return &out
}

package archiver

import (
	"cmp"
	"context"
	"net/url"
	"path"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/rtk-archive/rtk-archive/internal/fetch"
	"github.com/rtk-archive/rtk-archive/internal/manifest"
)

// file is one file of a recording to archive.
type file struct {
	Kind string // manifest.Kind*
	Name string // for the manifest's file field
	Key  string // full key in the sink
	URL  string // presigned download URL; empty for the metadata file
	Size int64  // expected size, -1 when unknown
	// Refresh, for a file the recording's details do not list (a session artifact), asks the API
	// for a fresh URL; nil means the details are fetched again.
	Refresh func(context.Context) (string, error)
}

// plan lists a recording's files and their keys: <prefix>/<recording id>/<name>, and
// <prefix>/<recording id>/tracks/<layer>/<name> for a track recording. The recording id keeps
// recordings apart whatever their file names; every name is reduced to one safe path segment, so nothing
// the API sends can steer a key elsewhere; and keySet keeps the files of one recording apart from each
// other and from the details file (see keySet for which name gives way).
func plan(rec *fetch.Recording, prefix string) []file {
	base := joinKey(safePrefix(prefix), recordingDir(rec.ID))
	keys := newKeySet()
	var files []file
	mediaName := ""
	if rec.DownloadURL != "" {
		mediaName = safeName(rec.OutputFileName)
		if mediaName == "" {
			mediaName = recordingDir(rec.ID) + extOf(rec.DownloadURL, ".mp4")
		}
		mediaName = keys.claim("", mediaName, "_media")
		files = append(files, file{Kind: manifest.KindMedia, Name: mediaName, Key: joinKey(base, mediaName), URL: rec.DownloadURL, Size: rec.FileSize})
	}
	if rec.AudioDownloadURL != "" {
		name := safeName(path.Base(urlPath(rec.AudioDownloadURL)))
		if name == "" || keys.taken("", name) {
			stem := strings.TrimSuffix(mediaName, path.Ext(mediaName))
			if stem == "" {
				stem = recordingDir(rec.ID)
			}
			name = fit(stem+extOf(rec.AudioDownloadURL, ".m4a"), "_audio", "")
		}
		name = keys.claim("", name, "_audio")
		files = append(files, file{Kind: manifest.KindAudio, Name: name, Key: joinKey(base, name), URL: rec.AudioDownloadURL, Size: -1})
	}
	// Sorted, so which of two clashing tracks gives way does not depend on the order of the layers.
	tracks := slices.Clone(rec.Tracks)
	slices.SortStableFunc(tracks, func(a, b fetch.TrackFile) int {
		return cmp.Or(strings.Compare(a.Layer, b.Layer), strings.Compare(a.File, b.File))
	})
	for _, t := range tracks {
		layer := safeName(t.Layer)
		if layer == "" {
			layer = "default"
		}
		name := safeName(t.File)
		if name == "" {
			name = "track" + extOf(t.URL, ".webm")
		}
		name = keys.claim(joinKey(tracksDir, layer), name, "")
		files = append(files, file{Kind: manifest.KindTrack, Name: layer + "/" + name, Key: joinKey(base, tracksDir, layer, name), URL: t.URL, Size: -1})
	}
	return files
}

// metadataFile is where a recording's details go, beside its media; no file of plan takes its key.
func metadataFile(rec *fetch.Recording, prefix string) file {
	return file{Kind: manifest.KindMetadata, Name: metadataName, Key: joinKey(safePrefix(prefix), recordingDir(rec.ID), metadataName), Size: -1}
}

func joinKey(parts ...string) string {
	var kept []string
	for _, p := range parts {
		if p != "" {
			kept = append(kept, p)
		}
	}
	return strings.Join(kept, "/")
}

// safePrefix keeps the folder structure of a configured or API-given path, minus anything that could
// climb out of it: empty, "." and ".." segments are dropped and each segment is made safe.
func safePrefix(p string) string {
	var segs []string
	for _, s := range strings.Split(strings.ReplaceAll(p, `\`, "/"), "/") {
		if s = safeName(s); s != "" {
			segs = append(segs, s)
		}
	}
	return strings.Join(segs, "/")
}

// maxNameBytes keeps names within what every destination accepts for one path segment.
const maxNameBytes = 200

// safeName reduces untrusted text to one path segment: separators, control characters and other
// characters that are unsafe on some destination become '_'; "." and ".." and empty names become "".
func safeName(s string) string {
	s = strings.TrimSpace(strings.ToValidUTF8(s, "_"))
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '/' || r == '\\' || r == ':' || r == '*' || r == '?' || r == '"' || r == '<' || r == '>' || r == '|':
			b.WriteRune('_')
		case unicode.IsControl(r) || r == utf8.RuneError:
			b.WriteRune('_')
		default:
			b.WriteRune(r)
		}
	}
	// A long name is cut in its stem: the extension is what tells a player what the file is.
	s = fit(b.String(), "", "")
	// Trailing dots and spaces are dropped by Windows and SMB; any space, since cutting the name short
	// may have left one that the TrimSpace above would remove, and a safe name must stay as it is.
	s = strings.TrimRightFunc(s, func(r rune) bool { return r == '.' || unicode.IsSpace(r) })
	if s == "" || strings.Trim(s, ".") == "" {
		return ""
	}
	return s
}

func urlPath(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Path
}

// extOf is the extension of a URL's path, or def when it has none that looks like one.
func extOf(raw, def string) string {
	ext := path.Ext(urlPath(raw))
	if len(ext) < 2 || len(ext) > 6 || safeName(ext) != ext {
		return def
	}
	return ext
}

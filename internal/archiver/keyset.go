package archiver

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/rtk-archive/rtk-archive/internal/sinks"
)

// Names inside a recording's folder that no media, audio or track file may take.
const (
	metadataName = "recording.json" // the recording's details, written last
	tracksDir    = "tracks"         // the folder of a track recording's files
)

// keySet hands out the names of one recording's files so that no two files share a key, and none takes
// a reserved name. Names are compared without case: on a case-insensitive destination (macOS, Windows,
// SMB shares) "Call.mp4" and "call.mp4" are one file.
//
// What gives way, and how, is fixed so a re-run computes the same keys from the same details:
//   - the details keep recording.json and the track folder keeps tracks/: a media or audio file with
//     one of those names becomes <stem>_media<ext> or <stem>_audio<ext> (recording_media.json);
//   - a name starting with the sinks' temporary prefix (.rtk-partial-) gets a leading "_", or the
//     sweep of stale temporary files would delete it an hour later;
//   - a name already taken by an earlier file of the recording (media before audio before tracks,
//     tracks sorted by their layer and file names as the API sent them, before they were made safe)
//     becomes <stem>-2<ext>, then -3, ...
type keySet map[string]bool

func newKeySet() keySet {
	return keySet{metadataName: true, tracksDir: true}
}

// claim returns a free name for the file name (a safeName result) in dir (a path relative to the
// recording's folder, "" for the folder itself) and takes it. tag marks a name that gave way to a
// reserved one.
func (k keySet) claim(dir, name, tag string) string {
	if strings.HasPrefix(strings.ToLower(name), sinks.TempPrefix) {
		name = fit("_"+name, "", "")
	}
	if dir == "" && k.reserved(name) {
		name = fit(name, tag, "")
	}
	free := name
	for n := 2; k[k.fold(dir, free)]; n++ {
		free = fit(name, "", fmt.Sprintf("-%d", n))
	}
	k[k.fold(dir, free)] = true
	return free
}

func (k keySet) reserved(name string) bool {
	n := strings.ToLower(name)
	return n == metadataName || n == tracksDir
}

func (keySet) fold(dir, name string) string { return strings.ToLower(joinKey(dir, name)) }

// taken reports whether name in dir is already handed out or reserved.
func (k keySet) taken(dir, name string) bool { return k[k.fold(dir, name)] }

// fit is name with tag and suffix inserted before its extension, the stem shortened so the result
// stays within maxNameBytes.
func fit(name, tag, suffix string) string {
	ext := path.Ext(name)
	if len(ext) > 16 || ext == name {
		ext = "" // not an extension worth keeping, or a name that is only a dot and letters
	}
	stem := strings.TrimSuffix(name, ext)
	for len(stem)+len(tag)+len(suffix)+len(ext) > maxNameBytes {
		_, size := utf8.DecodeLastRuneInString(stem)
		stem = stem[:len(stem)-size]
	}
	return stem + tag + suffix + ext
}

// recordingDir is the folder segment of a recording. An ID that is not already a safe segment (IDs are
// UUIDs, but they come from the API) is replaced by a digest of it: distinct IDs keep distinct folders,
// and none can climb out of the prefix.
func recordingDir(id string) string {
	if s := safeName(id); s == id && s != "" {
		return s
	}
	sum := sha256.Sum256([]byte(id))
	return "id-" + hex.EncodeToString(sum[:8])
}

package fetch

import "regexp"

var uuidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// ValidID reports whether id has the shape of a RealtimeKit recording ID (a UUID). Anything else is
// refused before it can reach a request path or a destination key.
func ValidID(id string) bool { return uuidRE.MatchString(id) }
